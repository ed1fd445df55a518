import type { LinkState } from '../transport/transport.js';
import type { Session, SessionStatus } from './session-schemas.js';

/** What recording a link state writes to its session: its status and the fields that go with it. */
export type LinkStateChange = Partial<Session> & { status: SessionStatus };

type ChangeOf<S extends LinkState['state']> = (
  state: Extract<LinkState, { state: S }>,
  session: Session,
  now: string,
) => LinkStateChange;

// Each state's status and the fields it sets; a reason, a QR, a pairing code and a retry time are cleared unless set.
const CHANGES: { [S in LinkState['state']]: ChangeOf<S> } = {
  connecting: () => ({ status: 'connecting' }),
  // A QR or a pairing code means the device is being linked afresh: its warm-up will count from the new link.
  qr: (state) => ({ status: 'qr', qr: state.qr, linked_at: null }),
  pairing_code: (state) => ({ status: 'pairing_code', pairing_code: state.code, linked_at: null }),
  connected: (state, session, now) => ({
    status: 'connected',
    phone: state.phone,
    lid: state.lid,
    push_name: state.name ?? session.push_name,
    connected_at: now,
    // Kept across reconnects: the warm-up ramp counts from the day the device was linked.
    linked_at: session.linked_at ?? now,
    last_active_at: now,
    reconnect_attempts: 0,
  }),
  // The transport counts its attempts and schedules them: stored as told, so the two cannot drift.
  disconnected: (state) => ({
    status: 'disconnected',
    reason: state.reason,
    reconnect_attempts: state.attempts,
    next_retry_at: state.retryAt?.toISOString() ?? null,
  }),
  // The device is unlinked for good (its credentials are wiped): a later link starts the ramp again.
  logged_out: (state) => ({ status: 'logged_out', reason: state.reason, desired: 'disconnected', linked_at: null }),
  replaced: (state) => ({ status: 'disconnected', reason: `replaced: ${state.reason}`, desired: 'disconnected' }),
  failed: (state) => ({ status: 'failed', reason: state.reason, desired: 'disconnected' }),
};

/** The fields recording `state` at `now` writes to `session`, its status among them. */
export function linkStateChange(state: LinkState, session: Session, now: string): LinkStateChange {
  const change = (CHANGES[state.state] as ChangeOf<LinkState['state']>)(state, session, now);
  return { updated_at: now, qr: null, pairing_code: null, reason: null, next_retry_at: null, ...change };
}
