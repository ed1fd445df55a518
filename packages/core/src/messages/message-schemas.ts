import { z } from 'zod';
import { dateInput } from '../validation.js';

/** Where a message is in its life. Outgoing: queued → sending → sent → delivered → read, or failed / cancelled / unknown. Incoming: received. */
export const MESSAGE_STATUSES = ['queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'cancelled', 'unknown', 'received'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** What made a message row. */
export type MessageKind = 'send' | 'bulk' | 'scheduled' | 'incoming';

/** Media a message carries (metadata only; bytes are never stored). */
export interface MessageMedia {
  type: 'image' | 'video' | 'audio' | 'document' | 'sticker';
  url?: string | null;
  mimetype?: string | null;
  filename?: string | null;
  caption?: string | null;
}

/** One message, in or out: the history, and for outgoing rows the outbox. */
export interface Message {
  id: number;
  user_id: string;
  session_id: string | null;
  pool_id: string | null;
  direction: 'in' | 'out';
  /** WhatsApp's id; recorded before sending for outgoing rows. */
  message_id: string | null;
  /** The chat's JID (a user's or a group's). */
  chat: string;
  peer_phone: string | null;
  peer_lid: string | null;
  /** The sender's JID in group chats. */
  sender: string | null;
  push_name: string | null;
  type: string;
  text: string | null;
  media: MessageMedia | null;
  quoted_message_id: string | null;
  mentions: string[];
  status: MessageStatus;
  error: string | null;
  /** The transport's own serialisation (for quotes and retries); never shown by the API. */
  raw: string | null;
  /** What made the row: an immediate send, a bulk job, a scheduled message, or an incoming message. */
  kind: MessageKind;
  job_id: string | null;
  schedule_id: string | null;
  idempotency_key: string | null;
  attempts: number;
  claimed_by: string | null;
  not_before: string | null;
  sent_at: string | null;
  created_at: string;
  updated_at: string;
}

/** The history's filters. */
export const listMessagesSchema = z.object({
  direction: z.enum(['in', 'out']).optional(),
  status: z.enum(MESSAGE_STATUSES).optional(),
  to: z.string().trim().min(1).max(100).optional(),
  from: z.string().trim().min(1).max(100).optional(),
  date_from: dateInput.optional(),
  date_to: dateInput.optional(),
  page: z.coerce.number().int().min(1).default(1),
  per_page: z.coerce.number().int().min(1).max(100).default(20),
});

/** What the repository filters the history by. */
export interface MessageFilter {
  direction?: 'in' | 'out';
  status?: MessageStatus;
  /** Digits or JID of the peer. */
  peer?: string;
  since?: string;
  until?: string;
}

// How far along a receipt is: statuses only move up this ladder.
export const RECEIPT_RANK: Record<string, number> = { queued: 0, sending: 1, unknown: 1, sent: 2, delivered: 3, read: 4 };

/**
 * For each status a receipt reports, the statuses it may move a message from: up the ladder only, and
 * `failed` only before delivery.
 */
export const RECEIPT_MOVES_FROM: Record<string, string[]> = {
  ...Object.fromEntries(Object.keys(RECEIPT_RANK).map((to) => [to, Object.keys(RECEIPT_RANK).filter((from) => RECEIPT_RANK[from] < RECEIPT_RANK[to])])),
  failed: ['queued', 'sending', 'unknown', 'sent'],
};

/** A message as the API shows it (without the transport's raw serialisation). */
export type MessageView = Omit<Message, 'raw' | 'claimed_by'>;

/** Drops internal fields. */
export function messageView(message: Message): MessageView {
  const { raw: _raw, claimed_by: _claimed, ...view } = message;
  return view;
}
