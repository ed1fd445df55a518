import { z } from 'zod';
import { tryNormalisePhone } from '../contacts/phone.js';
import { dateInput, pageSchema } from '../validation.js';

/** Where a message is in its life. Outgoing: queued → sending → sent → delivered → read, or failed / cancelled / unknown. Incoming: received. */
export const MESSAGE_STATUSES = [
  'queued',
  'sending',
  'sent',
  'delivered',
  'read',
  'failed',
  'cancelled',
  'unknown',
  'received',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** What made a message row. */
export type MessageKind = 'send' | 'bulk' | 'scheduled' | 'incoming';

/** Media a message carries (metadata only; bytes are never stored). */
export interface MessageMedia {
  /** `voice`: a voice note (Ogg/Opus audio shown as recorded). */
  type: 'image' | 'video' | 'audio' | 'voice' | 'document' | 'sticker';
  /** Where an outgoing message's media was fetched from. */
  url?: string | null;
  mimetype?: string | null;
  filename?: string | null;
  caption?: string | null;
  /** Bytes, as WhatsApp announced them (received media). */
  size?: number | null;
  /** An audio's or video's length. */
  seconds?: number | null;
  /** Sent to be viewed once (images, videos, voice notes). */
  view_once?: boolean;
}

/** A chat member's reaction to a message; each member has at most one. */
export interface MessageReaction {
  /** The reacting member's JID. */
  from: string;
  phone: string | null;
  emoji: string;
  at: string;
}

/** A member's vote on a poll (its latest: a vote replaces the member's earlier one). */
export interface PollVote {
  /** The voter's JID. */
  voter: string;
  phone: string | null;
  /** The option names chosen; empty when the vote was withdrawn. */
  selected: string[];
  at: string;
}

/** A contact card a message carries, sent as a vCard. */
export interface ContactCard {
  name: string;
  /** Digits with country code. */
  phone: string;
  organization?: string;
  email?: string;
}

/** What a message carries besides text and media, tagged with the message's `type` (for a text: its preview off). */
export type MessageContent =
  /** A text sent without the preview of its link. */
  | { type: 'text'; link_preview: false }
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string }
  | { type: 'contact'; contacts: ContactCard[] }
  | { type: 'poll'; question: string; options: string[]; multiple_answers: boolean }
  // An action on another message names it by `message_id`; a reply is a text with `quoted_message_id`.
  /** A reaction; an empty `emoji` removes it. */
  | { type: 'reaction'; message_id: string; emoji: string }
  | { type: 'edit'; message_id: string; text: string }
  /** A delete for everyone. */
  | { type: 'revoke'; message_id: string }
  | { type: 'forward'; message_id: string }
  /** Read receipts: the message and the earlier incoming ones of its chat. */
  | { type: 'read'; message_id: string };

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
  /** A location's, contact cards' or poll's fields; null for text and media. */
  content: MessageContent | null;
  quoted_message_id: string | null;
  mentions: string[];
  status: MessageStatus;
  /** Each status the message went through, oldest first, with when. */
  status_history: Array<{ status: MessageStatus; at: string }>;
  reactions: MessageReaction[];
  /** A poll's votes, one per voter. */
  poll_votes: PollVote[];
  /** When its text was last edited (by its sender), else null. */
  edited_at: string | null;
  /** When its sender deleted it for everyone, else null. */
  revoked_at: string | null;
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

// A date-only `until` means the whole of that day (UTC), not its first instant.
const untilInput = z.preprocess(
  (value) =>
    typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value.trim()) ? `${value.trim()}T23:59:59.999Z` : value,
  dateInput,
);

/** A chat partner as a filter names it: a phone number in any spelling (to E.164 digits), or a group or LID JID as is. */
function peerSchema(defaultCountryCode: string) {
  return z
    .string()
    .trim()
    .min(1)
    .max(100)
    .transform((value, ctx) => {
      if (/@(g\.us|lid)$/i.test(value)) return value.toLowerCase();
      const digits = tryNormalisePhone(value, defaultCountryCode);
      if (digits === null)
        ctx.addIssue({ code: 'custom', message: 'is not a valid phone number or JID', input: value });
      return digits ?? z.NEVER;
    });
}

/**
 * The history's filters and paging. Unknown keys are refused (a misspelt filter must not silently list
 * everything); `date_from`/`date_to` are the older names of `since`/`until`.
 */
export function listMessagesSchema(defaultCountryCode: string) {
  const peer = peerSchema(defaultCountryCode);
  return pageSchema
    .extend({
      direction: z.enum(['in', 'out']).optional(),
      status: z.enum(MESSAGE_STATUSES).optional(),
      to: peer.optional(),
      from: peer.optional(),
      phone: peer.optional(),
      job_id: z.string().trim().min(1).max(200).optional(),
      search: z.string().trim().min(1).max(200).optional(),
      since: dateInput.optional(),
      until: untilInput.optional(),
      date_from: dateInput.optional(),
      date_to: untilInput.optional(),
    })
    .strict()
    .superRefine((q, ctx) => {
      for (const [name, alias] of [
        ['since', 'date_from'],
        ['until', 'date_to'],
      ] as const) {
        if (q[name] && q[alias])
          ctx.addIssue({ code: 'custom', path: [alias], message: `is another name for ${name}; give one of them` });
      }
    });
}

/** What the repository filters the history by; every filter given must hold. */
export interface MessageFilter {
  direction?: 'in' | 'out';
  status?: MessageStatus;
  /** Sent to this peer: E.164 digits, or a group or LID JID. */
  to?: string;
  /** Received from this peer (the sender, in a group). */
  from?: string;
  /** Exchanged with this peer, either way. */
  peer?: string;
  jobId?: string;
  /** Text or caption containing this, case-insensitively. */
  search?: string;
  since?: string;
  until?: string;
}

// How far along a receipt is: statuses only move up this ladder.
export const RECEIPT_RANK: Record<string, number> = {
  queued: 0,
  sending: 1,
  unknown: 1,
  sent: 2,
  delivered: 3,
  read: 4,
};

/**
 * For each status a receipt reports, the statuses it may move a message from: up the ladder only, and
 * `failed` only before delivery.
 */
export const RECEIPT_MOVES_FROM: Record<string, string[]> = {
  ...Object.fromEntries(
    Object.keys(RECEIPT_RANK).map((to) => [
      to,
      Object.keys(RECEIPT_RANK).filter((from) => RECEIPT_RANK[from] < RECEIPT_RANK[to]),
    ]),
  ),
  failed: ['queued', 'sending', 'unknown', 'sent'],
};

/** A message as the API shows it (without the transport's raw serialisation). */
export type MessageView = Omit<Message, 'raw' | 'claimed_by'>;

/** Drops internal fields. */
export function messageView(message: Message): MessageView {
  const { raw: _raw, claimed_by: _claimed, ...view } = message;
  return view;
}
