import { KirimError } from '../errors.js';
import type { Message } from '../messages/message-schemas.js';
import type { Session } from '../sessions/session-schemas.js';
import type { Storage } from '../storage/storage.js';
import type { MessageUpdate, StoredMessage } from '../transport/transport.js';
import { validationError } from '../validation.js';
import type { SendLimits } from './send-limits.js';

// A read receipt names the message and the earlier incoming ones of its chat, as a phone opening the chat does;
// bounded, so one read never sends an unbounded receipt. A receipt for a message already read changes nothing.
const READ_BATCH = 50;

/** The ids a read row marks read: its message and the incoming messages of its chat stored before it, newest first. */
export async function idsToRead(storage: Storage, row: Message, messageId: string): Promise<string[]> {
  const target = await storage.messages.findByMessageId(row.session_id!, messageId);
  if (!target) return [messageId];
  const earlier = await storage.messages.list(
    row.user_id,
    row.session_id!,
    { direction: 'in', peer: row.chat, until: target.created_at },
    { limit: READ_BATCH, offset: 0 },
  );
  const ids = earlier.items.filter((m) => m.chat === row.chat).map((m) => m.message_id!);
  return [messageId, ...ids.filter((id) => id && id !== messageId)];
}

/** A stored message as the transport needs it to quote or forward it. */
export function storedMessage(message: Message): StoredMessage {
  return {
    messageId: message.message_id!,
    chat: message.chat,
    fromMe: message.direction === 'out',
    participant: message.sender ?? undefined,
    raw: message.raw ?? null,
  };
}

/** The message a forward row forwards, from its session's history; `validation` naming `message_id` once it is gone. */
export async function forwardedMessage(storage: Storage, row: Message, messageId: string): Promise<StoredMessage> {
  const message = await storage.messages.findByMessageId(row.session_id!, messageId);
  if (!message) throw validationError({ message_id: ["is no longer in this session's history"] });
  return storedMessage(message);
}

/** How long after sending a message WhatsApp lets its sender edit it: 15 minutes. */
export const EDIT_WINDOW_MS = 15 * 60_000;

/** Throws `edit_window_closed` naming `message_id` once `target` was sent more than 15 minutes before `now`. */
export function checkEditWindow(target: Message, now: Date): void {
  const sentAt = new Date(target.sent_at ?? target.created_at);
  if (now.getTime() - sentAt.getTime() > EDIT_WINDOW_MS)
    throw new KirimError('edit_window_closed', 'WhatsApp lets a message be edited for 15 minutes after it is sent', {
      details: { message_id: [`was sent at ${sentAt.toISOString()}, more than 15 minutes ago`] },
    });
}

/** Checks an edit row again as it goes: one held past WhatsApp's window (a gap, a reconnect) is not sent. */
export async function checkEditStillOpen(storage: Storage, row: Message, messageId: string, now: Date): Promise<void> {
  const target = await storage.messages.findByMessageId(row.session_id!, messageId);
  if (target) checkEditWindow(target, now);
}

/** What a sent reaction, edit or revoke changed on the message it names, as the linked account made it. */
export function ownUpdate(session: Session, row: Message, at: Date): MessageUpdate | undefined {
  const content = row.content;
  if (content?.type !== 'reaction' && content?.type !== 'edit' && content?.type !== 'revoke') return undefined;
  const own = {
    messageId: content.message_id,
    chat: row.chat,
    from: session.phone ? `${session.phone}@s.whatsapp.net` : (session.lid ?? ''),
    fromPhone: session.phone,
    fromMe: true,
    at,
  };
  if (content.type === 'reaction') return { ...own, kind: 'reaction', emoji: content.emoji };
  if (content.type === 'edit') return { ...own, kind: 'edit', text: content.text };
  return { ...own, kind: 'revoke' };
}

// A person types a short message in about a second and a long one in a few; never longer than the session's gap,
// so typing happens within the pacing, not on top of it.
const TYPING_MS_PER_CHARACTER = 50;
const TYPING_MS = { least: 1000, most: 5000 };

/** How long to show `composing` before a bulk row with `simulate_typing`: by its text's length, 0 when not to type. */
export function typingMs(row: Message, limits: SendLimits): number {
  if (!limits.simulate_typing || row.kind !== 'bulk') return 0;
  const length = (row.text ?? '').length;
  const typing = Math.min(TYPING_MS.most, Math.max(TYPING_MS.least, length * TYPING_MS_PER_CHARACTER));
  return Math.min(typing, limits.min_gap_ms);
}
