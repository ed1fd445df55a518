import { sql, type RawBuilder } from 'kysely';

/**
 * `lower(column) LIKE '%text%'`: `text` found anywhere in the column, case-insensitively on both databases
 * (PostgreSQL's LIKE is case-sensitive, SQLite's only for non-ASCII), with LIKE's wildcards in it taken
 * literally. The escape character is named in the query because SQLite has none by default: without it a
 * search for `50%` would not find "50% off" there.
 */
export function containing(column: string, text: string): RawBuilder<boolean> {
  const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}
