import type { Storage } from '../storage/storage.js';
import type { AuthStore } from '../transport/transport.js';

/** The transport's view of one session's credentials, kept through the storage contract. */
export function sessionAuthStore(storage: Storage, sessionId: string): AuthStore {
  return {
    get: (kind, ids) => storage.sessionAuth.get(sessionId, kind, ids),
    set: (entries) => storage.sessionAuth.set(sessionId, entries),
    clear: () => storage.sessionAuth.clear(sessionId),
  };
}
