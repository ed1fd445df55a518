/**
 * Booleans are stored as 0/1 integers on every dialect (better-sqlite3 cannot bind booleans), so records
 * are converted at the repository boundary.
 */
export type Flagged<T> = {
  [K in keyof T]: T[K] extends boolean ? number : T[K] extends boolean | undefined ? number | undefined : T[K];
};

/** A record's boolean fields as 0/1. */
export function toFlags<T extends object>(record: T): Flagged<T> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) out[key] = typeof value === 'boolean' ? Number(value) : value;
  return out as Flagged<T>;
}

/** A stored 0/1 as a boolean. */
export function fromFlag(value: number | boolean | null): boolean {
  return value === true || value === 1;
}
