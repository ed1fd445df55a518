import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { Database } from './database.js';
import { CHUNK, parameters, UNNEST_FROM } from './insert-many.js';
import type { SqlDialect } from './dialect.js';
import { appendedJson } from './status-history.js';

/**
 * Updates rows of `table` by id, each with its own values (every row the same columns), where the row's
 * status is still one of `from` when given; returns the ids of the rows it changed. One statement a
 * chunk joins the rows to their new values, rather than a `CASE id WHEN …` a column (searched for each
 * row) or a statement a row (each a query through Kysely, costlier than SQLite's work):
 * - SQLite (no unnest), and a few rows on PostgreSQL: `UPDATE … FROM` a VALUES list (a CTE: SQLite cannot name a
 *   subquery's columns).
 * - PostgreSQL (`supportsUnnest`): `UPDATE … FROM` the rows unnested from one array a column (a thousand-row VALUES is
 *   thousands of parameters to parse and plan each time).
 * `types` names the columns that are not `text` (PostgreSQL casts to them); `append` those whose values are JSON array
 * elements added to the array the row holds (a status history) rather than stored over it.
 */
export async function updateRows<T extends keyof Database>(
  db: Kysely<Database>,
  dialect: SqlDialect,
  table: T,
  rows: Array<{ id: number } & Record<string, unknown>>,
  options: { from?: string[]; types?: Record<string, string>; append?: string[] } = {},
): Promise<number[]> {
  if (rows.length === 0) return [];
  const columns = ['id', ...Object.keys(rows[0]).filter((c) => c !== 'id')];
  const type = (c: string) => (c === 'id' ? 'bigint' : (options.types?.[c] ?? 'text'));
  // `target`: how the statement names the updated table, to read an appended column's current value.
  const assignments = (target: string) =>
    columns
      .slice(1)
      .map((c) =>
        options.append?.includes(c) ? `"${c}" = ${appendedJson(`${target}."${c}"`, `u."${c}"`)}` : `"${c}" = u."${c}"`,
      )
      .join(', ');
  const from = options.from ?? [];
  const changed: number[] = [];
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    let result: { rows: Array<{ id: unknown }> };
    if (!dialect.supportsUnnest || chunk.length < UNNEST_FROM) {
      let n = 0;
      const param = (c?: string) => dialect.placeholder(++n, c && type(c));
      const tuples = chunk.map(() => `(${columns.map(param).join(', ')})`).join(', ');
      const guard = from.length > 0 ? ` and "${table}"."status" in (${from.map(() => param()).join(', ')})` : '';
      const returning = dialect.qualifiedReturning ? `"${table}"."id"` : '"id"';
      const text = `with u(${columns.map((c) => `"${c}"`).join(', ')}) as (values ${tuples}) update "${table}" set ${assignments(`"${table}"`)} from u where "${table}"."id" = u."id"${guard} returning ${returning}`;
      const values = parameters(chunk, columns);
      values.push(...from);
      result = await db.executeQuery<{ id: unknown }>(CompiledQuery.raw(text, values));
    } else {
      const arrays = sql.join(columns.map((c) => sql`${chunk.map((row) => row[c] ?? null)}::${sql.raw(type(c))}[]`));
      const guard = from.length > 0 ? sql` and t.status in (${sql.join(from)})` : sql``;
      const names = sql.join(columns.map((c) => sql.ref(c)));
      result = await sql<{
        id: unknown;
      }>`update ${sql.table(table)} as t set ${sql.raw(assignments('t'))} from unnest(${arrays}) as u(${names}) where t.id = u.id${guard} returning t.id`.execute(
        db,
      );
    }
    for (const row of result.rows) changed.push(Number(row.id));
  }
  return changed;
}
