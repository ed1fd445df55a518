import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { Database } from './database.js';
import type { SqlDialect } from './dialect.js';

// Rows per statement (here and in updateRows): under SQLite's bound-parameter limit (32,766) with ~30 columns a row.
export const CHUNK = 1000;
// Where unnest serves (PostgreSQL), fewer rows than this go as a VALUES list, quicker to plan than unnest for a few.
export const UNNEST_FROM = 50;

/**
 * Inserts many rows (all with the same columns) in `db` — a transaction, when several statements must
 * stand or fall together — and returns `returning` of each, in the rows' order (nothing without it: on
 * SQLite a RETURNING clause costs a fifth of a small row's insert). Built here rather than as
 * Kysely query trees: building the tree of thousands of rows cost more than the database's own work.
 * - SQLite (no unnest): one multi-row VALUES a chunk; the same chunk size gives the same text, which the preset's
 *   statement cache prepares once.
 * - PostgreSQL (`supportsUnnest`): one array a column, unnested. A thousand-row VALUES is tens of thousands of parameters
 *   the server parses and plans anew each statement; this is one a column. `types` names the columns
 *   that are not `text`. A few rows still go as VALUES (a steady trickle of events: quicker to plan).
 */
export async function insertMany<T extends keyof Database, R extends string>(
  db: Kysely<Database>,
  dialect: SqlDialect,
  table: T,
  rows: Array<Record<string, unknown>>,
  options: { returning?: R; types?: Record<string, string> } = {},
): Promise<Array<Record<R, unknown>>> {
  if (rows.length === 0) return [];
  const columns = Object.keys(rows[0]);
  const out: Array<Record<R, unknown>> = [];
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    if (!dialect.supportsUnnest || chunk.length < UNNEST_FROM) {
      let n = 0;
      const tuple = () => `(${columns.map(() => dialect.placeholder(++n)).join(', ')})`;
      const returning = options.returning ? ` returning "${options.returning}"` : '';
      const text = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${chunk.map(tuple).join(', ')}${returning}`;
      out.push(
        ...(await db.executeQuery<Record<R, unknown>>(CompiledQuery.raw(text, parameters(chunk, columns)))).rows,
      );
    } else {
      const names = sql.join(columns.map((c) => sql.ref(c)));
      const arrays = columns.map(
        (c) => sql`${chunk.map((row) => row[c] ?? null)}::${sql.raw(options.types?.[c] ?? 'text')}[]`,
      );
      const query = sql<Record<R, unknown>>`insert into ${sql.table(table)} (${names})
        select ${names} from unnest(${sql.join(arrays)}) with ordinality as u(${names}, ord) order by ord${options.returning ? sql` returning ${sql.ref(options.returning)}` : sql``}`;
      out.push(...(await query.execute(db)).rows);
    }
  }
  return out;
}

/** Each row's values in column order, one flat list (without an array a row: a round binds thousands). */
export function parameters(rows: Array<Record<string, unknown>>, columns: string[]): unknown[] {
  const values: unknown[] = [];
  for (const row of rows) for (const column of columns) values.push(row[column] ?? null);
  return values;
}
