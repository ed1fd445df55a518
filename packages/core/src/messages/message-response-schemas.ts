import { z } from 'zod';
import { count, maybeText, maybeTimestamp, recordTimes } from '../response-fields.js';
import { MESSAGE_STATUSES, type MessageView } from './message-schemas.js';

/** Media a message carries (metadata only). */
export const messageMediaSchema = z.object({
  type: z.enum(['image', 'video', 'audio', 'document', 'sticker']),
  url: z.string().nullable().optional(),
  mimetype: z.string().nullable().optional(),
  filename: z.string().nullable().optional(),
  caption: z.string().nullable().optional(),
});

/** A location's, contact cards' or poll's fields, tagged with the message's `type`. */
export const messageContentSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('location'),
    latitude: z.number(),
    longitude: z.number(),
    name: z.string().optional(),
    address: z.string().optional(),
  }),
  z.object({
    type: z.literal('contact'),
    contacts: z.array(
      z.object({
        name: z.string(),
        phone: z.string(),
        organization: z.string().optional(),
        email: z.string().optional(),
      }),
    ),
  }),
  z.object({
    type: z.literal('poll'),
    question: z.string(),
    options: z.array(z.string()),
    multiple_answers: z.boolean(),
  }),
]);

/** A message of the history, in or out. */
export const messageViewSchema = z.object({
  id: count,
  user_id: z.string(),
  session_id: maybeText,
  pool_id: maybeText,
  direction: z.enum(['in', 'out']),
  message_id: maybeText,
  chat: z.string(),
  peer_phone: maybeText,
  peer_lid: maybeText,
  sender: maybeText,
  push_name: maybeText,
  type: z.string(),
  text: maybeText,
  media: messageMediaSchema.nullable(),
  content: messageContentSchema.nullable(),
  quoted_message_id: maybeText,
  mentions: z.array(z.string()),
  status: z.enum(MESSAGE_STATUSES),
  error: maybeText,
  kind: z.enum(['send', 'bulk', 'scheduled', 'incoming']),
  job_id: maybeText,
  schedule_id: maybeText,
  idempotency_key: maybeText,
  attempts: count,
  not_before: maybeTimestamp,
  sent_at: maybeTimestamp,
  ...recordTimes,
}) satisfies z.ZodType<MessageView>;
