import { silentLogger, type Logger, type Storage } from '@kirim/core';
import { createKyselyStorage, type Database, type SqlDialect } from '@kirim/storage-kysely';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';

/** Options of {@link createPostgresStorage}: a connection string or a pool of your own. */
export type PostgresStorageOptions = (
  | { connectionString: string; /** Pool size; default 10. */ max?: number }
  | { /** A pool you own; it is not ended by `close()`. */ pool: pg.Pool }
) & {
  /** Where errors of idle pooled connections (a server restart, a dropped link) are reported; default silent. */
  logger?: Logger;
};

/**
 * Storage on PostgreSQL (pg). Several processes on several hosts may share one database:
 * claims use `FOR UPDATE SKIP LOCKED` and sessions are held through leases.
 */
export function createPostgresStorage(options: PostgresStorageOptions): Storage {
  const ownsPool = !('pool' in options);
  const pool =
    'pool' in options
      ? options.pool
      : new pg.Pool({ connectionString: options.connectionString, max: options.max ?? 10 });
  // An idle client's error is emitted on the pool; unheard, it would crash the process. The pool
  // replaces the client, and the next query reconnects.
  if (ownsPool)
    pool.on('error', (error) =>
      (options.logger ?? silentLogger).warn({ err: error }, 'idle PostgreSQL connection failed'),
    );
  // Kysely's destroy() ends its pool; a caller's pool stays open, so Kysely gets one that only connects.
  const dialectPool = ownsPool ? pool : { connect: () => pool.connect(), end: async () => {} };
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: dialectPool }) });
  return createKyselyStorage({ db, dialect: postgresDialect });
}

/** PostgreSQL as storage-kysely sees it: row locks with SKIP LOCKED, unnest for many rows, pg_trgm search, schemas. */
export const postgresDialect: SqlDialect = {
  name: 'postgres',
  supportsRowLocks: true,
  supportsUnnest: true,
  qualifiedReturning: true,
  trigramIndex: 'pg_trgm',
  analyzesAfterBulkInsert: true,
  serialKey: { type: 'bigserial', define: (column) => column.primaryKey() },
  placeholder: (index, type) => (type ? `$${index}::${type}` : `$${index}`),
  migrationTableSchema: async (db) =>
    (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema,
};
