import type { AnyMessageContent, WAMessage } from 'baileys';
import type { OutgoingMedia, StoredMessage } from '../transport.js';
import type { BaileysModule } from './baileys-module.js';
import { deserialiseMessage } from './message-mapping.js';

/** Baileys content of a text, with its mentions (JIDs; `@digits` in the text). */
export function textContent(text: string, mentions: string[] | undefined): AnyMessageContent {
  return mentions?.length ? { text, mentions } : { text };
}

/** Baileys content of a media message; audio takes neither a caption nor mentions, a document needs a file name. */
export function mediaContent(media: OutgoingMedia, mentions: string[] | undefined): AnyMessageContent {
  const caption = media.caption ? { caption: media.caption } : {};
  const mentioned = mentions?.length ? { mentions } : {};
  switch (media.type) {
    case 'image':
      return { image: media.data, mimetype: media.mimetype, ...caption, ...mentioned };
    case 'video':
      return { video: media.data, mimetype: media.mimetype, ...caption, ...mentioned };
    case 'audio':
      return { audio: media.data, mimetype: media.mimetype, ptt: false };
    case 'document':
      return {
        document: media.data,
        mimetype: media.mimetype,
        fileName: media.filename ?? 'file',
        ...caption,
        ...mentioned,
      };
  }
}

/** Baileys needs the whole quoted message (key and content); a stored message without raw gets an empty body. */
export function quotableMessage(baileys: BaileysModule, stored: StoredMessage): WAMessage {
  if (stored.raw) return deserialiseMessage(baileys, stored.raw);
  return {
    key: {
      remoteJid: stored.chat,
      id: stored.messageId,
      fromMe: stored.fromMe,
      ...(stored.participant ? { participant: stored.participant } : {}),
    },
    message: { conversation: '' },
  };
}
