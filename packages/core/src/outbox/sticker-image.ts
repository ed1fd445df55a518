import sharp from 'sharp';
import { validationError } from '../validation.js';

/** WhatsApp's stickers are square WebP images of this many pixels a side. */
export const STICKER_SIZE = 512;

// What a sticker may be made from: WebP as it is (when already the size), PNG and JPEG converted.
const STICKER_SOURCES = new Set(['image/webp', 'image/png', 'image/jpeg']);

/**
 * A sticker from an image whose bytes are `mimetype` (as sniffed): a 512×512 WebP as is, else the image fitted
 * into 512×512 (aspect kept, transparent padding) as WebP. Anything but PNG, JPEG or WebP throws `validation`
 * naming `media_url`.
 */
export async function stickerImage(data: Buffer, mimetype: string | undefined): Promise<Buffer> {
  if (!mimetype || !STICKER_SOURCES.has(mimetype))
    throw validationError({
      media_url: [`must be a PNG, JPEG or WebP image for a sticker (its content is ${mimetype ?? 'unknown'})`],
    });
  try {
    if (mimetype === 'image/webp') {
      const { width, height } = await sharp(data).metadata();
      if (width === STICKER_SIZE && height === STICKER_SIZE) return data;
    }
    return await sharp(data)
      .resize(STICKER_SIZE, STICKER_SIZE, { fit: 'contain', background: { r: 0, g: 0, b: 0, alpha: 0 } })
      .webp()
      .toBuffer();
  } catch {
    // Bytes that start like an image but do not decode as one are the URL's fault too.
    throw validationError({ media_url: [`is not an image sharp can read (its content claims ${mimetype})`] });
  }
}
