import type { AnyMessageContent, WAMessage, WAMessageKey } from 'baileys';
import { KirimError } from '../../errors.js';
import { VOICE_NOTE_MIMETYPE } from '../../outbox/voice-note.js';
import type { LinkPreview, OutgoingContent, OutgoingMedia, StoredMessage } from '../transport.js';
import { vcardOf } from '../vcard.js';
import type { BaileysModule } from './baileys-module.js';
import { deserialiseMessage } from './message-mapping.js';

/** What building a message's content needs besides the content itself. */
export interface ContentContext {
  baileys: BaileysModule;
  /** The chat the message goes to. */
  chat: string;
  /** JIDs mentioned (`@digits` in the text or caption). */
  mentions: string[] | undefined;
  /** The stored message with this id, if any (to name the message a reaction, edit or revoke acts on). */
  getMessage(messageId: string): Promise<StoredMessage | undefined>;
}

/** Baileys content of one outgoing message of any kind. */
export async function baileysContent(content: OutgoingContent, context: ContentContext): Promise<AnyMessageContent> {
  switch (content.kind) {
    case 'text':
      return textContent(content.text, context.mentions, content.linkPreview);
    case 'media':
      return { ...mediaContent(content.media, context.mentions), ...(content.viewOnce ? { viewOnce: true } : {}) };
    case 'location':
      return {
        location: {
          degreesLatitude: content.latitude,
          degreesLongitude: content.longitude,
          ...(content.name ? { name: content.name } : {}),
          ...(content.address ? { address: content.address } : {}),
        },
      };
    case 'contacts':
      return {
        contacts: {
          displayName:
            content.contacts.length === 1 ? content.contacts[0]!.name : `${content.contacts.length} contacts`,
          contacts: content.contacts.map((contact) => ({ displayName: contact.name, vcard: vcardOf(contact) })),
        },
      };
    case 'poll':
      // selectableCount 0 lets a voter pick any number of options; 1 makes a single-choice poll.
      return {
        poll: { name: content.question, values: content.options, selectableCount: content.multipleAnswers ? 0 : 1 },
        ...mentioned(context.mentions),
      };
    case 'reaction':
      return { react: { text: content.emoji, key: await keyOf(context, content.messageId, false) } };
    case 'edit':
      return { text: content.text, edit: await keyOf(context, content.messageId, true), linkPreview: null };
    case 'revoke':
      return { delete: await keyOf(context, content.messageId, true) };
    case 'forward':
      return { forward: await forwardable(context, content.message) };
  }
}

/**
 * Baileys content of a text, with its mentions (JIDs; `@digits` in the text) and the preview core fetched. Without
 * one, `linkPreview: null`: Baileys fetches a text's link itself whenever it is undefined, past the SSRF guard.
 */
export function textContent(text: string, mentions: string[] | undefined, preview?: LinkPreview): AnyMessageContent {
  const linkPreview = preview
    ? {
        'canonical-url': preview.url,
        'matched-text': preview.url,
        title: preview.title,
        ...(preview.description ? { description: preview.description } : {}),
        ...(preview.thumbnail ? { jpegThumbnail: preview.thumbnail } : {}),
      }
    : null;
  return { text, ...mentioned(mentions), linkPreview };
}

/**
 * Baileys content of a media message; audio and voice notes take neither a caption nor mentions, a document
 * needs a file name, a sticker takes nothing but its image.
 */
export function mediaContent(media: OutgoingMedia, mentions: string[] | undefined): AnyMessageContent {
  const caption = media.caption ? { caption: media.caption } : {};
  const withText = { ...caption, ...mentioned(mentions) };
  switch (media.type) {
    case 'image':
      return { image: media.data, mimetype: media.mimetype, ...withText };
    case 'video':
      return { video: media.data, mimetype: media.mimetype, ...withText };
    case 'audio':
      return { audio: media.data, mimetype: media.mimetype, ptt: false };
    case 'voice':
      // Baileys computes a voice note's length and waveform itself when they are missing (with optional
      // packages); core has them from the Ogg/Opus bytes, and phones show a voice note only as this type.
      return {
        audio: media.data,
        mimetype: VOICE_NOTE_MIMETYPE,
        ptt: true,
        ...(media.seconds ? { seconds: media.seconds } : {}),
        ...(media.waveform ? { waveform: media.waveform } : {}),
      };
    case 'sticker':
      return { sticker: media.data, mimetype: media.mimetype };
    case 'document':
      return { document: media.data, mimetype: media.mimetype, fileName: media.filename ?? 'file', ...withText };
  }
}

/** Baileys needs the whole quoted message (key and content); a stored message without raw gets an empty body. */
export function quotableMessage(baileys: BaileysModule, stored: StoredMessage): WAMessage {
  if (stored.raw) return deserialiseMessage(baileys, stored.raw);
  return { key: storedKey(stored), message: { conversation: '' } };
}

function mentioned(mentions: string[] | undefined): { mentions?: string[] } {
  return mentions?.length ? { mentions } : {};
}

function storedKey(stored: StoredMessage): WAMessageKey {
  return {
    remoteJid: stored.chat,
    id: stored.messageId,
    fromMe: stored.fromMe,
    ...(stored.participant ? { participant: stored.participant } : {}),
  };
}

/**
 * The key of the message an action names: the stored message's own (its sender decides `fromMe` and, in a
 * group, `participant`), else one in the chat with `ownByDefault` as `fromMe` (edits and revokes act on own
 * messages only).
 */
async function keyOf(context: ContentContext, messageId: string, ownByDefault: boolean): Promise<WAMessageKey> {
  const stored = await context.getMessage(messageId);
  return stored ? storedKey(stored) : { remoteJid: context.chat, id: messageId, fromMe: ownByDefault };
}

/** A message to forward must have its content: as given, else as stored. */
async function forwardable(context: ContentContext, message: StoredMessage): Promise<WAMessage> {
  const raw = message.raw ?? (await context.getMessage(message.messageId))?.raw ?? null;
  if (!raw) throw new KirimError('not_found', `No stored content to forward for message ${message.messageId}`);
  return deserialiseMessage(context.baileys, raw);
}
