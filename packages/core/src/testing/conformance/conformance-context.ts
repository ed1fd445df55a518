import { randomUUID } from 'node:crypto';
import type { User } from '../../accounts/account-schemas.js';
import type { Lead } from '../../leads/lead-schemas.js';
import type { LeadTask } from '../../leads/lead-task-schemas.js';
import { queuedLeadTask } from '../../leads/queued-lead-task.js';
import { newSession } from '../../sessions/new-session.js';
import type { Session } from '../../sessions/session-schemas.js';
import type { NewMessage, Storage } from '../../storage/storage.js';

/** What each area's conformance tests get: the fresh store of the running test, and record builders. */
export interface ConformanceContext {
  /** The fresh, migrated, empty store of the current test. */
  storage(): Storage;
}

/** The time records are stamped with unless a test says otherwise. */
export const T0 = '2026-01-01T00:00:00.000Z';
/** A moment after {@link T0} at which leases and claims are taken. */
export const NOW = '2026-01-01T00:10:00.000Z';
/** The end of a lease or claim taken at {@link NOW}. */
export const LATER = '2026-01-01T00:11:00.000Z';

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

/** Inserts two users, an owner and someone else; their ids. */
export async function insertTwoUsers(storage: Storage): Promise<readonly [string, string]> {
  const [a, b] = [aUser(), aUser()];
  await storage.users.insert(a);
  await storage.users.insert(b);
  return [a.id, b.id];
}

/**
 * A builder of records a user owns: a fresh id, the owner's id, the fields `defaults` returns (called for
 * each record, so no two records share an object), then the overrides.
 */
export function ownedRecord<T extends { id: string; user_id: string }>(
  defaults: () => Omit<T, 'id' | 'user_id'>,
): (userId: string, overrides?: Partial<T>) => T {
  return (userId, overrides = {}) => ({ id: randomUUID(), user_id: userId, ...defaults(), ...overrides }) as T;
}

/** A manual lead with a name and nothing else; override any field. */
export const aLead = ownedRecord<Lead>(() => ({
  source: 'manual',
  business_name: 'Kopi Kenangan',
  address: null,
  website: null,
  phone: null,
  email: null,
  latitude: null,
  longitude: null,
  status: 'pending',
  notes: null,
  extra_fields: {},
  created_at: T0,
  updated_at: T0,
}));

/** A queued scrape task for 20 leads; override any field. */
export function aLeadTask(userId: string, overrides: Partial<LeadTask> = {}): LeadTask {
  const task = queuedLeadTask({
    id: randomUUID(),
    user_id: userId,
    query: 'kopi di Bandung',
    total: 20,
    created_at: T0,
  });
  return { ...task, ...overrides };
}

/** A session record for `userId`, connected and linked; override any field. */
export function aSession(userId: string, overrides: Partial<Session> = {}): Session {
  return {
    ...newSession(`s-${randomUUID()}`, userId, 'device', T0),
    status: 'connected',
    phone: '6281200000000',
    connected_at: T0,
    linked_at: T0,
    ...overrides,
  };
}

/** A queued outgoing row for a session; override any field. */
export function aQueuedMessage(
  userId: string,
  sessionId: string | null,
  overrides: Partial<NewMessage> = {},
): NewMessage {
  return {
    user_id: userId,
    session_id: sessionId,
    pool_id: null,
    direction: 'out',
    message_id: null,
    chat: '6281300000000@s.whatsapp.net',
    peer_phone: '6281300000000',
    peer_lid: null,
    sender: null,
    push_name: null,
    type: 'text',
    text: 'hi',
    media: null,
    content: null,
    quoted_message_id: null,
    mentions: [],
    status: 'queued',
    error: null,
    raw: null,
    kind: 'send',
    job_id: null,
    schedule_id: null,
    idempotency_key: null,
    attempts: 0,
    claimed_by: null,
    not_before: T0,
    sent_at: null,
    created_at: T0,
    updated_at: T0,
    ...overrides,
  };
}
