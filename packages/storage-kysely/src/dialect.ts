import type { ColumnDataType, ColumnDefinitionBuilder, Kysely } from 'kysely';

/**
 * What storage-kysely needs to know of a database beyond Kysely's own dialect: the capabilities its
 * queries and migrations branch on. A preset builds one (`createSqliteStorage`, `createPostgresStorage`).
 */
export interface SqlDialect {
  /** The database's name as `Storage.dialect` reports it: `sqlite`, `postgres`. */
  readonly name: string;

  /**
   * Whether `SELECT … FOR UPDATE [SKIP LOCKED]` locks rows until the transaction ends. Without row locks
   * (SQLite) one writer at a time keeps two claimers off one row, and every row can be read without waiting.
   */
  readonly supportsRowLocks: boolean;

  /**
   * Whether many rows go faster as one array a column, `unnest(...)`ed, than as a VALUES list
   * (PostgreSQL parses and plans a VALUES list's thousands of parameters anew each statement).
   */
  readonly supportsUnnest: boolean;

  /**
   * Whether RETURNING takes table-qualified columns: PostgreSQL needs `"messages"."id"` after
   * `UPDATE … FROM` (a bare `id` is ambiguous with the joined rows'); SQLite takes only bare names.
   */
  readonly qualifiedReturning: boolean;

  /**
   * The trigram index that serves substring search: SQLite's FTS5 `trigram` tokenizer over a virtual
   * table, or PostgreSQL's `pg_trgm` GIN index on the column (when the extension is available).
   */
  readonly trigramIndex: 'fts5' | 'pg_trgm';

  /**
   * Whether the planner's statistics lag a large insert until a background job refreshes them
   * (PostgreSQL's autovacuum): an import then runs ANALYZE itself, or searches are planned as table scans.
   */
  readonly analyzesAfterBulkInsert: boolean;

  /** The auto-incrementing 64-bit integer primary key: its column type, and its definition in a CREATE TABLE. */
  readonly serialKey: { type: ColumnDataType; define: (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder };

  /** The placeholder of a raw statement's `index`th parameter (from 1), cast to `type` where the database needs it. */
  placeholder(index: number, type?: string): string;

  /**
   * The schema Kysely's migration tables live in: the connection's own where a database has several
   * (two stores in one PostgreSQL database never read each other's), or undefined where it has one.
   */
  migrationTableSchema(db: Kysely<any>): Promise<string | undefined>;
}
