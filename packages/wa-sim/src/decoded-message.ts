import { createDecipheriv, createHash, createHmac } from 'node:crypto';
import {
  assertMediaContent,
  getContentType,
  getMediaKeys,
  normalizeMessageContent,
  proto,
  type MediaType,
} from 'baileys';
import type { MediaHost } from './media-host.js';

/** The key a reaction, edit or revoke names its message by. */
export interface NamedKey {
  id: string | null;
  remoteJid: string | null;
  fromMe: boolean;
  participant: string | null;
}

/** What a received message is, read from its decrypted content: one kind, with that kind's fields. */
export type DecodedMessage =
  | { kind: 'text'; text: string }
  | { kind: 'location'; latitude: number; longitude: number; name: string | null; address: string | null }
  | { kind: 'contacts'; displayName: string | null; vcards: string[] }
  | { kind: 'poll'; question: string; options: string[]; selectableCount: number }
  | { kind: 'reaction'; key: NamedKey; emoji: string }
  | { kind: 'edit'; key: NamedKey; text: string | null }
  | { kind: 'revoke'; key: NamedKey }
  | { kind: 'media'; type: 'image' | 'video' | 'audio' | 'voice' | 'document' | 'sticker'; mimetype: string | null }
  | { kind: 'other' };

const { Type } = proto.Message.ProtocolMessage;

function keyOf(key: proto.IMessageKey | null | undefined): NamedKey {
  return {
    id: key?.id ?? null,
    remoteJid: key?.remoteJid ?? null,
    fromMe: !!key?.fromMe,
    participant: key?.participant ?? null,
  };
}

/** The text of a text message (conversation or extended text), else null. */
export function textOf(message: proto.IMessage | null | undefined): string | null {
  return message?.conversation ?? message?.extendedTextMessage?.text ?? null;
}

/** Decodes a message's content into its kind and fields; a view-once wrapper is looked through. */
export function decodeMessage(message: proto.IMessage | null): DecodedMessage {
  const m = message?.viewOnceMessage?.message ?? message?.viewOnceMessageV2?.message ?? message;
  if (!m) return { kind: 'other' };
  const text = textOf(m);
  if (text !== null) return { kind: 'text', text };
  if (m.locationMessage) {
    const { degreesLatitude, degreesLongitude, name, address } = m.locationMessage;
    return {
      kind: 'location',
      latitude: degreesLatitude ?? 0,
      longitude: degreesLongitude ?? 0,
      name: name ?? null,
      address: address ?? null,
    };
  }
  if (m.contactMessage)
    return {
      kind: 'contacts',
      displayName: m.contactMessage.displayName ?? null,
      vcards: [m.contactMessage.vcard ?? ''],
    };
  if (m.contactsArrayMessage)
    return {
      kind: 'contacts',
      displayName: m.contactsArrayMessage.displayName ?? null,
      vcards: (m.contactsArrayMessage.contacts ?? []).map((contact) => contact.vcard ?? ''),
    };
  const poll = m.pollCreationMessage ?? m.pollCreationMessageV2 ?? m.pollCreationMessageV3;
  if (poll)
    return {
      kind: 'poll',
      question: poll.name ?? '',
      options: (poll.options ?? []).map((option) => option.optionName ?? ''),
      selectableCount: poll.selectableOptionsCount ?? 0,
    };
  if (m.reactionMessage)
    return { kind: 'reaction', key: keyOf(m.reactionMessage.key), emoji: m.reactionMessage.text ?? '' };
  const protocol = m.protocolMessage;
  if (protocol?.type === Type.MESSAGE_EDIT)
    return { kind: 'edit', key: keyOf(protocol.key), text: textOf(protocol.editedMessage) };
  if (protocol?.type === Type.REVOKE) return { kind: 'revoke', key: keyOf(protocol.key) };
  if (m.imageMessage) return { kind: 'media', type: 'image', mimetype: m.imageMessage.mimetype ?? null };
  if (m.videoMessage) return { kind: 'media', type: 'video', mimetype: m.videoMessage.mimetype ?? null };
  if (m.audioMessage)
    return { kind: 'media', type: m.audioMessage.ptt ? 'voice' : 'audio', mimetype: m.audioMessage.mimetype ?? null };
  if (m.documentMessage) return { kind: 'media', type: 'document', mimetype: m.documentMessage.mimetype ?? null };
  if (m.stickerMessage) return { kind: 'media', type: 'sticker', mimetype: m.stickerMessage.mimetype ?? null };
  return { kind: 'other' };
}

/** A media message's content and the key derivation its kind uses (a voice note's is audio's). */
export function mediaContentOf(message: proto.IMessage | null | undefined): {
  content: ReturnType<typeof assertMediaContent>;
  keyType: MediaType;
} {
  const normalized = normalizeMessageContent(message);
  const content = assertMediaContent(normalized);
  const keyType = getContentType(normalized)?.replace('Message', '') as MediaType;
  return { content, keyType };
}

/**
 * The bytes of a media message, as the phone reads them: downloaded from the media host by its direct path,
 * its MAC and hashes checked, and decrypted with its media key. Rejects when the host has no such file.
 */
export async function downloadMedia(host: MediaHost, message: proto.IMessage | null | undefined): Promise<Buffer> {
  const { content, keyType } = mediaContentOf(message);
  const response = await fetch(`${host.url}${content.directPath ?? new URL(content.url ?? '/').pathname}`);
  if (!response.ok) throw new Error(`the media host answered ${response.status}`);
  const file = Buffer.from(await response.arrayBuffer());
  const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest();
  if (content.fileEncSha256 && !sha256(file).equals(Buffer.from(content.fileEncSha256)))
    throw new Error('the file does not match its fileEncSha256');
  const { iv, cipherKey, macKey } = await getMediaKeys(content.mediaKey, keyType);
  const encrypted = file.subarray(0, -10);
  const mac = createHmac('sha256', macKey!).update(iv).update(encrypted).digest().subarray(0, 10);
  if (!mac.equals(file.subarray(-10))) throw new Error('the media MAC does not match');
  const decipher = createDecipheriv('aes-256-cbc', cipherKey, iv);
  const data = Buffer.concat([decipher.update(encrypted), decipher.final()]);
  if (content.fileSha256 && !sha256(data).equals(Buffer.from(content.fileSha256)))
    throw new Error('the bytes do not match their fileSha256');
  return data;
}
