import { z } from 'zod';
import { count, maybeText, maybeTimestamp, recordTimes, timestamp } from '../response-fields.js';
import { SESSION_STATUSES, type SessionContact, type SessionStatusView, type SessionView } from './session-schemas.js';

const status = z.enum(SESSION_STATUSES);

/** A session (linked device) as the API answers it. */
export const sessionViewSchema = z.object({
  id: z.string(),
  session_id: z.string(),
  name: z.string(),
  status,
  reason: maybeText,
  is_active: z.boolean(),
  phone: maybeText,
  lid: maybeText,
  push_name: maybeText,
  circuit_open_until: maybeTimestamp,
  circuit_reason: maybeText,
  connected_at: maybeTimestamp,
  linked_at: maybeTimestamp,
  last_active_at: maybeTimestamp,
  ...recordTimes,
}) satisfies z.ZodType<SessionView>;

/** `GET /whatsapp/sessions/{id}/status`: live status, with the QR as text and as a PNG data URL while linking. */
export const sessionStatusViewSchema = z.object({
  session_id: z.string(),
  status,
  reason: maybeText,
  phone: maybeText,
  push_name: maybeText,
  qr: maybeText,
  qr_image: z.string().nullable().meta({ description: 'The QR as a PNG data URL, ready for an <img src>' }),
  pairing_code: maybeText,
  reconnect_attempts: count,
  next_retry_at: maybeTimestamp,
  circuit_open_until: maybeTimestamp,
  circuit_reason: maybeText,
  updated_at: timestamp,
}) satisfies z.ZodType<SessionStatusView>;

/** `POST /whatsapp/sessions/{id}/pairing-code`: the 8-character code to type on the phone. */
export const pairingCodeResultSchema = z.object({ session_id: z.string(), pairing_code: z.string() });

/** A WhatsApp contact a session has seen. */
export const sessionContactSchema = z.object({
  session_id: z.string(),
  jid: z.string(),
  phone: maybeText,
  lid: maybeText,
  name: maybeText,
  updated_at: timestamp,
}) satisfies z.ZodType<SessionContact>;

const participant = z.object({ jid: z.string(), phone: maybeText, lid: maybeText, admin: z.boolean() });

/** A group the linked account is in, live from WhatsApp. */
export const liveGroupSchema = z.object({
  jid: z.string(),
  subject: z.string(),
  description: maybeText,
  owner: maybeText,
  participants: z.array(participant),
  createdAt: maybeTimestamp,
});

/** A saved copy of a WhatsApp group. */
export const whatsappGroupSchema = z.object({
  id: z.string(),
  user_id: z.string(),
  session_id: z.string(),
  jid: z.string(),
  subject: z.string(),
  description: maybeText,
  owner: maybeText,
  participants: z.array(participant),
  participants_count: count,
  group_created_at: maybeTimestamp,
  ...recordTimes,
});

/** `POST /whatsapp/groups/sync`: how the saved copies changed. */
export const groupSyncResultSchema = z.object({
  added: count,
  updated: count,
  removed: count,
  total: count,
});
