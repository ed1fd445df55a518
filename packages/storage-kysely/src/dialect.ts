/** The SQL dialects storage-kysely speaks; migrations and a few queries differ by it. */
export type SqlDialect = 'sqlite' | 'postgres';
