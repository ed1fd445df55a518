import type { Clock } from '../clock.js';
import { isGroupJid } from '../contacts/phone.js';
import { peerOf, type KirimEvent, type KirimEventMap, type KirimEvents } from '../events.js';
import type { Storage } from '../storage/storage.js';
import type { IncomingMessage, MessageUpdate, StructuredContent } from '../transport/transport.js';
import { takesEffect } from './message-life.js';
import type { Message, MessageContent, MessageMedia } from './message-schemas.js';

/** The session a transport reported something for. */
export interface RecordingSession {
  id: string;
  userId: string;
}

type Deps = {
  storage: Storage;
  clock: Clock;
  events: KirimEvents;
  /** Told of each incoming message once it is stored and announced (the opt-out list reads STOP replies). */
  onIncoming?(message: Message): Promise<void>;
};

const MEDIA_TYPES: ReadonlySet<string> = new Set(['image', 'video', 'audio', 'voice', 'document', 'sticker']);

/** This API's path serving a received message's media bytes. */
export function receivedMediaPath(messageId: string): string {
  return `/api/whatsapp/messages/${encodeURIComponent(messageId)}/media`;
}

/** A received location's, contact cards' or poll's fields as messages store them. */
export function storedContent(content: StructuredContent): MessageContent {
  if (content.kind === 'contacts') return { type: 'contact', contacts: content.contacts };
  if (content.kind === 'poll') {
    const { question, options, multipleAnswers } = content;
    return { type: 'poll', question, options, multiple_answers: multipleAnswers };
  }
  const { kind: _kind, ...location } = content;
  return { type: 'location', ...location };
}

/** The fields of `message.received` a message's kind adds: a caption and media, or its content's. */
function kindFields(message: Message): Partial<KirimEventMap['message.received']> {
  const { media, content } = message;
  if (media && message.message_id) {
    const { mimetype = null, size = null, filename = null, seconds = null } = media;
    const url = receivedMediaPath(message.message_id);
    return { caption: message.text, media: { mimetype, size, filename, seconds, url } };
  }
  switch (content?.type) {
    case 'location': {
      const { type: _type, ...location } = content;
      return location;
    }
    case 'contact':
      return { contacts: content.contacts };
    case 'poll':
      return {
        poll: { question: content.question, options: content.options, multiple_answers: content.multiple_answers },
      };
    default:
      return {};
  }
}

/** The event announcing `update`. */
function updateEvent(events: KirimEvents, session: RecordingSession, update: MessageUpdate): KirimEvent {
  const base = { session_id: session.id, message_id: update.messageId, chat: update.chat, from_me: update.fromMe };
  const from = peerOf(update.from, update.fromPhone);
  switch (update.kind) {
    case 'reaction':
      return events.create('message.reaction', session.userId, { ...base, from, emoji: update.emoji });
    case 'edit':
      return events.create('message.edited', session.userId, { ...base, from, text: update.text });
    case 'revoke':
      return events.create('message.revoked', session.userId, { ...base, from });
    case 'poll_vote':
      return events.create('poll.vote', session.userId, { ...base, voter: from, selected: update.selected });
  }
}

/**
 * Records what sessions receive: each message stored once with its kind's media and content, each change
 * (reaction, edit, delete, poll vote) applied to the stored message it names; each announced in the same
 * transaction as its write, so a crash between two commits cannot keep one without the other.
 */
export class IncomingRecorder {
  constructor(private readonly deps: Deps) {}

  /** Stores a received message and publishes `message.received`; a repeat (Baileys replays after reconnecting) is stored and announced once. */
  async recordIncoming(session: RecordingSession, incoming: IncomingMessage): Promise<void> {
    const { storage, clock, events } = this.deps;
    if (incoming.fromMe) return;
    const now = clock.now().toISOString();
    const { stored, announce } = await storage.transaction(async (tx) => {
      const stored = await tx.messages.insertIncoming({
        user_id: session.userId,
        session_id: session.id,
        pool_id: null,
        direction: 'in',
        message_id: incoming.messageId,
        chat: incoming.chat,
        peer_phone: incoming.fromPhone,
        peer_lid: incoming.fromLid,
        sender: isGroupJid(incoming.chat) ? incoming.from : null,
        push_name: incoming.pushName,
        type: incoming.type,
        text: incoming.text,
        media: MEDIA_TYPES.has(incoming.type)
          ? { ...incoming.media, type: incoming.type as MessageMedia['type'] }
          : null,
        content: incoming.content && storedContent(incoming.content),
        quoted_message_id: incoming.quotedMessageId,
        mentions: [],
        status: 'received',
        error: null,
        raw: incoming.raw,
        kind: 'incoming',
        job_id: null,
        schedule_id: null,
        idempotency_key: null,
        attempts: 0,
        claimed_by: null,
        not_before: null,
        sent_at: incoming.timestamp.toISOString(),
        created_at: now,
        updated_at: now,
      });
      if (!stored) return { stored, announce: () => {} };
      await tx.sessions.update(session.id, { last_active_at: now });
      const event = events.create('message.received', session.userId, {
        session_id: session.id,
        message_id: incoming.messageId,
        from: { jid: incoming.from, phone: incoming.fromPhone, lid: incoming.fromLid },
        chat: incoming.chat,
        text: incoming.text,
        type: incoming.type,
        timestamp: incoming.timestamp.toISOString(),
        ...kindFields(stored),
      });
      return { stored, announce: await events.publishIn(tx, [event]) };
    });
    if (!stored) return;
    announce();
    await this.deps.onIncoming?.(stored);
  }

  /**
   * Applies a reaction, edit, delete or poll vote to the message it names and publishes it. One naming a message
   * the session has not stored (WhatsApp sends reactions to old messages) is still published, and stores nothing.
   * One that changes nothing of the stored message is dropped: made by someone who may not (an edit by another
   * member, which WhatsApp's apps drop too), or a repeat WhatsApp delivered again.
   */
  async recordUpdate(session: RecordingSession, update: MessageUpdate): Promise<void> {
    const { storage, events } = this.deps;
    const announce = await storage.transaction(async (tx) => {
      const target = await tx.messages.findByMessageId(session.id, update.messageId);
      if (target && !takesEffect(target, update)) return () => {};
      await tx.messages.applyUpdate(session.id, update);
      return events.publishIn(tx, [updateEvent(events, session, update)]);
    });
    announce();
  }
}
