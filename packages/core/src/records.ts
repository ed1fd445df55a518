import { randomUUID } from 'node:crypto';
import type { Actor } from './actor.js';
import type { Clock } from './clock.js';
import { found, notFound } from './errors.js';
import type { Page } from './validation.js';

/** The five methods of an area whose records belong to users: each sees only the acting user's own. */
export interface RecordService<T, Create, Update, List = unknown> {
  /** One of the actor's records; throws `not_found` (another user's record too). */
  get(actor: Actor, id: string): Promise<T>;
  /** Adds a record; throws `validation` naming every bad field, `conflict` where a unique rule says so. */
  create(actor: Actor, input: Create): Promise<T>;
  /** One page of the actor's records, searched and filtered; throws `validation`. */
  list(actor: Actor, input?: List): Promise<Page<T>>;
  /** Changes the given fields; throws `validation`, `not_found`, `conflict` where a unique rule says so. */
  update(actor: Actor, id: string, input: Update): Promise<T>;
  /** Deletes one of the actor's records; throws `not_found`. */
  remove(actor: Actor, id: string): Promise<void>;
}

/** What {@link ownedRecords} needs of a repository: one user's record by id, read, changed and deleted. */
export interface OwnedRecordStore<T, Changes> {
  get(userId: string, id: string): Promise<T | undefined>;
  update(userId: string, id: string, changes: Changes): Promise<T | undefined>;
  remove(userId: string, id: string): Promise<boolean>;
}

/**
 * The `get`, `update` and `remove` of a {@link RecordService} on `store`: each reaches only the actor's own records
 * and throws `not_found` naming `noun` for any other; `update` stamps the changes' `updated_at` from `clock`.
 */
export function ownedRecords<T, Changes extends { updated_at?: string }>(
  store: OwnedRecordStore<T, Changes>,
  noun: string,
  clock: Clock,
) {
  return {
    get: async (actor: Actor, id: string): Promise<T> => found(await store.get(actor.userId, id), noun),
    update: async (actor: Actor, id: string, changes: Omit<Changes, 'updated_at'>): Promise<T> => {
      const stamped = { ...changes, updated_at: clock.now().toISOString() } as Changes;
      return found(await store.update(actor.userId, id, stamped), noun);
    },
    remove: async (actor: Actor, id: string): Promise<void> => {
      if (!(await store.remove(actor.userId, id))) throw notFound(noun);
    },
  };
}

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
