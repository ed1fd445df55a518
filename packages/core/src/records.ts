import { randomUUID } from 'node:crypto';

/** The fields every new stored record starts with: a fresh id, created and last updated `now` (ISO-8601). */
export function freshRecord(now: string): { id: string; created_at: string; updated_at: string } {
  return { id: randomUUID(), created_at: now, updated_at: now };
}

/** The `keys` of `data`, each one absent as null: how a new row stores an optional field not given. */
export function orNull<T extends object, K extends keyof T>(
  data: T,
  keys: readonly K[],
): { [P in K]-?: Exclude<T[P], undefined> | null } {
  return Object.fromEntries(keys.map((key) => [key, data[key] ?? null])) as {
    [P in K]-?: Exclude<T[P], undefined> | null;
  };
}
