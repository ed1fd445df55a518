import { z } from 'zod';
import { groupJid } from '../outbox/outbox-schemas.js';
import type { PresenceState } from '../transport/transport.js';

/** A session's status, as the status route reports it. */
export const SESSION_STATUSES = [
  'connecting',
  'qr',
  'pairing_code',
  'connected',
  'disconnected',
  'logged_out',
  'failed',
] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** Per-session sending limits (the anti-ban controls); see the outbox. */
export interface SessionSettings {
  [key: string]: unknown;
}

/** A linked WhatsApp device as stored. Lease fields say which process drives it. */
export interface Session {
  id: string;
  user_id: string;
  name: string;
  status: SessionStatus;
  reason: string | null;
  /** Whether the session should be running; some process's supervisor keeps `connected` ones connected. */
  desired: 'connected' | 'disconnected';
  phone: string | null;
  lid: string | null;
  push_name: string | null;
  qr: string | null;
  pairing_code: string | null;
  /** Attempts to reconnect since the link last opened (or was started again). */
  reconnect_attempts: number;
  /** When a `disconnected` session's transport tries again; null when no retry is due. */
  next_retry_at: string | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
  settings: SessionSettings;
  /** Until when the circuit breaker keeps this session out of sending (its recent sends mostly failed); null once closed. */
  circuit_open_until: string | null;
  /** Why the breaker opened; null once closed. */
  circuit_reason: string | null;
  /** When the link last opened; rewritten on every reconnect. */
  connected_at: string | null;
  /** When the device was linked (warm-up counts from this day); kept across reconnects, null until linked and after an unlink. */
  linked_at: string | null;
  last_active_at: string | null;
  created_at: string;
  updated_at: string;
}

/**
 * A session as the API shows it: no lease internals, no QR or retry state (the status view has them).
 * `circuit_open_until` is past while the breaker is half-open; `linked_at` is the day its warm-up counts from.
 */
export type SessionView = Pick<
  Session,
  | 'id'
  | 'name'
  | 'status'
  | 'reason'
  | 'phone'
  | 'lid'
  | 'push_name'
  | 'circuit_open_until'
  | 'circuit_reason'
  | 'connected_at'
  | 'linked_at'
  | 'last_active_at'
  | 'created_at'
  | 'updated_at'
> & { session_id: string; is_active: boolean };

/** What `GET /sessions/{id}/status` answers. */
export interface SessionStatusView {
  session_id: string;
  status: SessionStatus;
  reason: string | null;
  phone: string | null;
  push_name: string | null;
  qr: string | null;
  /** The QR as a PNG data URL, ready for an `<img src>`. */
  qr_image: string | null;
  pairing_code: string | null;
  /** Attempts to reconnect since the link last opened; a `failed` session shows how many it made. */
  reconnect_attempts: number;
  /** When a `disconnected` session tries again by itself; null when it does not (connected, or given up as `failed`). */
  next_retry_at: string | null;
  /** As in {@link SessionView}: a `connected` session may still be held out of sending by its breaker. */
  circuit_open_until: string | null;
  circuit_reason: string | null;
  updated_at: string;
}

export const createSessionSchema = z.object({
  session_name: z.string().trim().min(1).max(100),
});
export type CreateSessionInput = z.input<typeof createSessionSchema>;

export const pairingCodeSchema = (phone: z.ZodType<string>) => z.object({ phone });

// Typing, recording and paused are shown in one chat; available and unavailable are the account's own, in none.
const CHAT_PRESENCES = ['composing', 'recording', 'paused'] as const satisfies readonly PresenceState[];
const ACCOUNT_PRESENCES = ['available', 'unavailable'] as const satisfies readonly PresenceState[];

/** A presence to show: a chat state with exactly one of `to` and `group_id`, or an account state with neither. */
export const presenceSchema = (phone: z.ZodType<string>) =>
  z
    .object({
      state: z.enum([...CHAT_PRESENCES, ...ACCOUNT_PRESENCES]),
      to: phone.optional(),
      group_id: groupJid.optional(),
    })
    .strict()
    // Runs even when a field is invalid, so one answer names every offending field.
    .superRefine(
      (value, ctx) => {
        const chats = (['to', 'group_id'] as const).filter((field) => value[field] !== undefined);
        if ((CHAT_PRESENCES as readonly string[]).includes(value.state) && chats.length !== 1) {
          const message = chats.length
            ? 'give to or group_id, not both'
            : `to or group_id is required for ${value.state}`;
          for (const field of ['to', 'group_id']) ctx.addIssue({ code: 'custom', message, path: [field] });
        }
        if ((ACCOUNT_PRESENCES as readonly string[]).includes(value.state))
          for (const field of chats)
            ctx.addIssue({
              code: 'custom',
              message: `must be left out for ${value.state}: it is shown in no chat`,
              path: [field],
            });
      },
      { when: () => true },
    );

/** A chat whose presences to publish: exactly one of `to` (a contact) and `group_id`. */
export const presenceSubscriptionSchema = (phone: z.ZodType<string>) =>
  z
    .object({ to: phone.optional(), group_id: groupJid.optional() })
    .strict()
    // Runs even when a field is invalid, so one answer names every offending field.
    .superRefine(
      (value, ctx) => {
        const chats = (['to', 'group_id'] as const).filter((field) => value[field] !== undefined);
        if (chats.length === 1) return;
        const message = chats.length ? 'give to or group_id, not both' : 'to or group_id is required';
        for (const field of ['to', 'group_id']) ctx.addIssue({ code: 'custom', message, path: [field] });
      },
      { when: () => true },
    );

/** A contact a session has seen on WhatsApp. */
export interface SessionContact {
  session_id: string;
  jid: string;
  phone: string | null;
  lid: string | null;
  name: string | null;
  updated_at: string;
}
