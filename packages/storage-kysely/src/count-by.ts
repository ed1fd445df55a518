import type { SelectQueryBuilder } from 'kysely';

/** How many rows `query` matches for each value of `column`, as [value, count] pairs. */
export async function countBy<DB, TB extends keyof DB, S>(
  query: SelectQueryBuilder<DB, TB, S>,
  column: keyof DB[TB] & string,
): Promise<Array<[value: string, count: number]>> {
  const rows: Array<Record<string, unknown>> = await (query as SelectQueryBuilder<any, any, S>)
    .select([column, (eb) => eb.fn.countAll().as('n')])
    .groupBy(column)
    .execute();
  return rows.map((row) => [row[column] as string, Number(row.n)]);
}
