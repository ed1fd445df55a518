import sharp from 'sharp';
import { validationError } from '../validation.js';

/** WhatsApp's stickers are square WebP images of this many pixels a side. */
export const STICKER_SIZE = 512;

// What a sticker may be made from: WebP as it is (when already the size), PNG and JPEG converted.
const STICKER_SOURCES = new Set(['image/webp', 'image/png', 'image/jpeg']);

// The most pixels a sticker is made from. Decoding is what costs: a PNG of one megabyte can unpack to 16384×16384
// pixels (sharp's own limit), seconds of work and hundreds of megabytes for one sticker.
const MAX_SOURCE_PIXELS = 4096 * 4096;

/**
 * A sticker from an image whose bytes are `mimetype` (as sniffed): a 512×512 WebP as is, else the image fitted
 * into 512×512 (aspect kept, transparent padding) as WebP. Anything but PNG, JPEG or WebP, or an image of more than
 * 4096×4096 pixels, throws `validation` naming `media_url`.
 */
export async function stickerImage(data: Buffer, mimetype: string | undefined): Promise<Buffer> {
  if (!mimetype || !STICKER_SOURCES.has(mimetype))
    throw validationError({
      media_url: [`must be a PNG, JPEG or WebP image for a sticker (its content is ${mimetype ?? 'unknown'})`],
    });
  // The header alone tells the size, before anything is decoded.
  const { width = 0, height = 0 } = await readable(() => sharp(data).metadata(), mimetype);
  if (width * height > MAX_SOURCE_PIXELS)
    throw validationError({ media_url: [`is ${width}×${height} pixels; a sticker is made from at most 4096×4096`] });
  if (mimetype === 'image/webp' && width === STICKER_SIZE && height === STICKER_SIZE) return data;
  return readable(
    () =>
      sharp(data, { limitInputPixels: MAX_SOURCE_PIXELS })
        .resize(STICKER_SIZE, STICKER_SIZE, { fit: 'contain', background: { r: 0, g: 0, b: 0, alpha: 0 } })
        .webp()
        .toBuffer(),
    mimetype,
  );
}

/** What `work` makes of the image: bytes that start like an image but do not decode as one are the URL's fault too. */
async function readable<T>(work: () => Promise<T>, mimetype: string): Promise<T> {
  try {
    return await work();
  } catch {
    throw validationError({ media_url: [`is not an image sharp can read (its content claims ${mimetype})`] });
  }
}
