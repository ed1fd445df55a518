import type { AuthStore } from '../transport/transport.js';

/** An {@link AuthStore} whose rows, keyed `kind/id`, are in view. */
export type MemoryAuthStore = AuthStore & { rows: Map<string, string> };

/**
 * An AuthStore over a Map: what a storage adapter does with rows, minus the database, for tests of a
 * transport. Pass the rows of another to resume its session.
 */
export function memoryAuthStore(rows = new Map<string, string>()): MemoryAuthStore {
  return {
    rows,
    async get(kind, ids) {
      const found: Record<string, string> = {};
      for (const id of ids) {
        const value = rows.get(`${kind}/${id}`);
        if (value !== undefined) found[id] = value;
      }
      return found;
    },
    async set(entries) {
      for (const [kind, values] of Object.entries(entries)) {
        for (const [id, value] of Object.entries(values)) {
          if (value === null) rows.delete(`${kind}/${id}`);
          else rows.set(`${kind}/${id}`, value);
        }
      }
    },
    async clear() {
      rows.clear();
    },
  };
}
