import type { Range } from '@kirim/core';
import type { SelectQueryBuilder } from 'kysely';

/**
 * One page of what `query` matches, read and ordered by `select`, and how many rows it matches in all
 * (`query` holds only the conditions, so the count and the page cannot disagree on them).
 */
export async function selectPage<DB, TB extends keyof DB, S, O>(
  query: SelectQueryBuilder<DB, TB, S>,
  range: Range,
  select: (query: SelectQueryBuilder<DB, TB, S>) => SelectQueryBuilder<DB, TB, O>,
): Promise<{ rows: O[]; total: number }> {
  const rows = await select(query).limit(range.limit).offset(range.offset).execute();
  const { n } = await (query as SelectQueryBuilder<any, any, S>)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return { rows: rows as O[], total: Number(n) };
}
