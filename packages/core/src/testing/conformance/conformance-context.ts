import { randomUUID } from 'node:crypto';
import type { User } from '../../accounts/account-schemas.js';
import type { Storage } from '../../storage/storage.js';

/** What each area's conformance tests get: the fresh store of the running test, and record builders. */
export interface ConformanceContext {
  /** The fresh, migrated, empty store of the current test. */
  storage(): Storage;
}

/** A user record with unique id and email; override any field. */
export function aUser(overrides: Partial<User> = {}): User {
  const id = randomUUID();
  const at = new Date().toISOString();
  return {
    id,
    name: 'Test User',
    email: `${id}@example.com`,
    role: 'user',
    plan: 'free',
    plan_expires_at: null,
    created_at: at,
    updated_at: at,
    ...overrides,
  };
}
