import type { SelectQueryBuilder } from 'kysely';
import type { SqlDialect } from './dialect.js';

/**
 * `query` locking the rows it selects until the transaction ends; rows another transaction holds are
 * skipped (`skip`: a claimer takes what no one else is taking) or waited for (`wait`). Unchanged on a
 * database without row locks, where one writer at a time gives the same guarantee.
 */
export function lockRows<DB, TB extends keyof DB, O>(
  dialect: SqlDialect,
  query: SelectQueryBuilder<DB, TB, O>,
  held: 'skip' | 'wait',
): SelectQueryBuilder<DB, TB, O> {
  if (!dialect.supportsRowLocks) return query;
  return held === 'skip' ? query.forUpdate().skipLocked() : query.forUpdate();
}
