import type { Storage } from '@kirim/core';
import { createKyselyStorage, type Database } from '@kirim/storage-kysely';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';

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
  const database = new BetterSqlite3(options.filename);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return createKyselyStorage({ db, dialect: 'sqlite' });
}
