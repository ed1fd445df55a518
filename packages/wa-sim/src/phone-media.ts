import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { getMediaKeys, proto, type MediaType } from 'baileys';
import type { MediaHost } from './media-host.js';

/** What a phone sends as media: the kind, the bytes and what WhatsApp shows with them. */
export interface PhoneMedia {
  /** `voice` is a voice note (audio marked `ptt`). */
  type: 'image' | 'video' | 'audio' | 'voice' | 'document' | 'sticker';
  data: Buffer;
  mimetype: string;
  caption?: string;
  /** A document's file name. */
  filename?: string;
  /** An audio's or video's length. */
  seconds?: number;
}

// The key derivation (HKDF info) and the upload path each kind uses, as WhatsApp clients do.
const KEY_TYPE: Record<PhoneMedia['type'], MediaType> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  voice: 'audio',
  document: 'document',
  sticker: 'sticker',
};
const UPLOAD_TYPE: Record<PhoneMedia['type'], string> = { ...KEY_TYPE, sticker: 'image' };

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest();

/**
 * Encrypts media as a WhatsApp client does (AES-256-CBC with keys expanded from a fresh media key, a 10-byte
 * HMAC appended), uploads it to the media host, and returns the message that carries its keys and direct path.
 */
export async function uploadPhoneMedia(host: MediaHost, media: PhoneMedia): Promise<proto.IMessage> {
  const mediaKey = randomBytes(32);
  const { iv, cipherKey, macKey } = await getMediaKeys(mediaKey, KEY_TYPE[media.type]);
  const cipher = createCipheriv('aes-256-cbc', cipherKey, iv);
  const encrypted = Buffer.concat([cipher.update(media.data), cipher.final()]);
  const mac = createHmac('sha256', macKey!).update(iv).update(encrypted).digest().subarray(0, 10);
  const file = Buffer.concat([encrypted, mac]);
  const hosted = host.put(UPLOAD_TYPE[media.type], file);
  const fields = {
    url: hosted.url,
    directPath: hosted.directPath,
    mediaKey,
    mimetype: media.mimetype,
    fileSha256: sha256(media.data),
    fileEncSha256: sha256(file),
    fileLength: media.data.length,
    mediaKeyTimestamp: Math.floor(Date.now() / 1000),
  };
  const { caption, seconds } = media;
  switch (media.type) {
    case 'image':
      return { imageMessage: { ...fields, caption } };
    case 'video':
      return { videoMessage: { ...fields, caption, seconds } };
    case 'audio':
    case 'voice':
      return { audioMessage: { ...fields, seconds, ptt: media.type === 'voice' } };
    case 'document':
      return { documentMessage: { ...fields, caption, fileName: media.filename, title: media.filename } };
    case 'sticker':
      return { stickerMessage: { ...fields, isAnimated: false } };
  }
}
