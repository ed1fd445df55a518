import type { Session } from './session-schemas.js';

/** A session as created at `now`: to be connected, connecting, with nothing yet known of its device, lease or sends. */
export function newSession(id: string, userId: string, name: string, now: string): Session {
  return {
    id,
    user_id: userId,
    name,
    status: 'connecting',
    reason: null,
    desired: 'connected',
    phone: null,
    lid: null,
    push_name: null,
    qr: null,
    pairing_code: null,
    reconnect_attempts: 0,
    next_retry_at: null,
    lease_owner: null,
    lease_expires_at: null,
    settings: {},
    circuit_open_until: null,
    circuit_reason: null,
    connected_at: null,
    linked_at: null,
    last_active_at: null,
    created_at: now,
    updated_at: now,
  };
}
