import { z } from 'zod';
import { count, maybeText, maybeTimestamp, recordTimes, timestamp } from '../response-fields.js';
import { MESSAGE_STATUSES, type MessageView } from './message-schemas.js';

/** Media a message carries (metadata only). */
export const messageMediaSchema = z.object({
  type: z.enum(['image', 'video', 'audio', 'voice', 'document', 'sticker']),
  url: z.string().nullable().optional(),
  mimetype: z.string().nullable().optional(),
  filename: z.string().nullable().optional(),
  caption: z.string().nullable().optional(),
  size: count.nullable().optional().meta({ description: 'Bytes, as WhatsApp announced them (received media)' }),
  seconds: z.number().nullable().optional().meta({ description: "An audio's or video's length" }),
  view_once: z.boolean().optional().meta({ description: 'Sent to be viewed once' }),
});

/** A chat member's reaction to a message (one per member). */
export const messageReactionSchema = z.object({
  from: z.string().meta({ description: "The reacting member's JID" }),
  phone: maybeText,
  emoji: z.string(),
  at: timestamp,
});

/** A member's latest vote on a poll: the option names chosen (none: withdrawn). */
export const pollVoteSchema = z.object({
  voter: z.string().meta({ description: "The voter's JID" }),
  phone: maybeText,
  selected: z.array(z.string()),
  at: timestamp,
});

/** A location's, contact cards' or poll's fields (or a text's preview turned off), tagged with the message's `type`. */
export const messageContentSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), link_preview: z.literal(false) }),
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
  z.object({ type: z.literal('reaction'), message_id: z.string(), emoji: z.string() }),
  z.object({ type: z.literal('edit'), message_id: z.string(), text: z.string() }),
  z.object({ type: z.literal('revoke'), message_id: z.string() }),
  z.object({ type: z.literal('forward'), message_id: z.string() }),
  z.object({ type: z.literal('read'), message_id: z.string() }),
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
  status_history: z
    .array(z.object({ status: z.enum(MESSAGE_STATUSES), at: timestamp }))
    .meta({ description: 'Each status the message went through, oldest first' }),
  reactions: z.array(messageReactionSchema),
  poll_votes: z.array(pollVoteSchema).meta({ description: "A poll's votes, one per voter" }),
  edited_at: maybeTimestamp.meta({ description: 'When its sender last edited its text' }),
  revoked_at: maybeTimestamp.meta({ description: 'When its sender deleted it for everyone (its text is kept)' }),
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
