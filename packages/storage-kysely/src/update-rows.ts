import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { Database } from './database.js';
import type { SqlDialect } from './dialect.js';

// PostgreSQL: rows per statement, and fewer than this go as a statement each (quicker to plan than unnest).
const CHUNK = 1000;
const UNNEST_FROM = 50;

/**
 * Updates rows of `table` by id, each with its own values (every row the same columns), where the row's
 * status is still one of `from` when given; returns the ids of the rows it changed. The outbox's hot path:
 * - SQLite: one prepared statement, run a row. There is no round trip to save, and it beats one statement
 *   over many rows (a `CASE id WHEN …` per column is searched for each row); RETURNING, which SQLite makes
 *   costly, is not needed either: a run that changed its row says so.
 * - PostgreSQL: one statement a chunk, joining the rows unnested from one array a column (`types` names
 *   the columns that are not `text`), RETURNING the ids; a few rows as a statement each.
 */
export async function updateRows<T extends keyof Database>(
  db: Kysely<Database>,
  dialect: SqlDialect,
  table: T,
  rows: Array<{ id: number } & Record<string, unknown>>,
  options: { from?: string[]; types?: Record<string, string> } = {},
): Promise<number[]> {
  if (rows.length === 0) return [];
  const columns = Object.keys(rows[0]).filter((c) => c !== 'id');
  const from = options.from ?? [];
  const changed: number[] = [];
  if (dialect === 'sqlite' || rows.length < UNNEST_FROM) {
    let n = 0;
    const param = () => (dialect === 'sqlite' ? '?' : `$${++n}`);
    const set = columns.map((c) => `"${c}" = ${param()}${dialect === 'postgres' && options.types?.[c] ? `::${options.types[c]}` : ''}`).join(', ');
    const where = `"id" = ${param()}${from.length > 0 ? ` and "status" in (${from.map(param).join(', ')})` : ''}`;
    const text = `update "${table}" set ${set} where ${where}`;
    for (const row of rows) {
      const result = await db.executeQuery(CompiledQuery.raw(text, [...columns.map((c) => row[c] ?? null), row.id, ...from]));
      if (Number(result.numAffectedRows ?? 0) > 0) changed.push(row.id);
    }
    return changed;
  }
  const names = sql.join(['id', ...columns].map((c) => sql.ref(c)));
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const arrays = sql.join([
      sql`${chunk.map((row) => row.id)}::bigint[]`,
      ...columns.map((c) => sql`${chunk.map((row) => row[c] ?? null)}::${sql.raw(options.types?.[c] ?? 'text')}[]`),
    ]);
    const assignments = sql.join(columns.map((c) => sql`${sql.ref(c)} = u.${sql.ref(c)}`));
    const guard = from.length > 0 ? sql` and t.status in (${sql.join(from)})` : sql``;
    const query = sql<{ id: number }>`update ${sql.table(table)} as t set ${assignments} from unnest(${arrays}) as u(${names}) where t.id = u.id${guard} returning t.id`;
    for (const row of (await query.execute(db)).rows) changed.push(Number(row.id));
  }
  return changed;
}
