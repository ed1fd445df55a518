import type { Storage } from '@kirim/core';
import { createKyselyStorage, type Database, type SqlDialect } from '@kirim/storage-kysely';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase } from 'kysely';

/** Options of {@link createSqliteStorage}. */
export interface SqliteStorageOptions {
  /** A file path, or `:memory:` for a private in-memory database (tests). */
  filename: string;
  /** How long a writer waits for a lock held by another connection; default 5000 ms. */
  busyTimeoutMs?: number;
}

/**
 * Storage on SQLite (better-sqlite3): WAL, `synchronous=FULL` (nothing acknowledged is lost even to
 * a power cut), foreign keys on. One process; use PostgreSQL for several.
 */
export function createSqliteStorage(options: SqliteStorageOptions): Storage {
  return createKyselyStorage({ db: openSqlite(options), dialect: sqliteDialect });
}

/** SQLite as storage-kysely sees it: one writer at a time and no row locks, VALUES lists, FTS5 trigram search. */
export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  supportsRowLocks: false,
  supportsUnnest: false,
  qualifiedReturning: false,
  trigramIndex: 'fts5',
  analyzesAfterBulkInsert: false,
  serialKey: { type: 'integer', define: (column) => column.primaryKey().autoIncrement() },
  placeholder: () => '?',
  migrationTableSchema: async () => undefined,
};

/** Kysely on the database file, with the storage's settings (the outbox benchmark's raw loop uses them too). */
export function openSqlite(options: SqliteStorageOptions): Kysely<Database> {
  const database = new BetterSqlite3(options.filename);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  // A statement that changes many rows keeps a journal to undo itself on an error; on disk that was a
  // temporary file written page by page, as many bytes as the changes themselves.
  database.pragma('temp_store = MEMORY');
  // Checkpoints every 5,000 pages (20 MB of WAL) rather than 1,000: a page a busy outbox changes in many
  // commits (its indexes' hot pages) is copied into the database file once per checkpoint, not per commit.
  database.pragma('wal_autocheckpoint = 5000');
  database.pragma('foreign_keys = ON');
  database.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
}

/** How many prepared statements are kept; batched statements vary in length, so the cache is bounded. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every query anew, and compiling SQL is a large share of a busy outbox's time: the
 * statements are kept and reused by their text, least recently used dropped first. Safe because the
 * storage never streams (a statement is never mid-iteration when it runs again).
 */
function withStatementCache(database: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (statement) cache.delete(sql);
      else statement = database.prepare(sql);
      cache.set(sql, statement);
      if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      return statement;
    },
  };
}
