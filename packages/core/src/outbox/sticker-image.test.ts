import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { gif, jpeg, png, webp } from '../../../../tests/support/media-samples.js';
import { stickerImage } from './sticker-image.js';

/** The colour at (x, y) of an image, with its alpha. */
async function pixel(image: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(image).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [...data.subarray(at, at + 4)];
}

describe('stickerImage', () => {
  it('makes a wide PNG a 512×512 WebP: the image fitted across, transparent above and below', async () => {
    const sticker = await stickerImage(await png(200, 100), 'image/png');
    expect(await sharp(sticker).metadata()).toMatchObject({ format: 'webp', width: 512, height: 512 });
    expect((await pixel(sticker, 256, 10))[3]).toBe(0);
    // The aspect is kept: 512×256 in the middle, red on the left and blue on the right.
    expect(await pixel(sticker, 100, 256)).toEqual([
      expect.closeTo(255, -1),
      expect.closeTo(0, -1),
      expect.closeTo(0, -1),
      255,
    ]);
    expect(await pixel(sticker, 400, 256)).toEqual([
      expect.closeTo(0, -1),
      expect.closeTo(0, -1),
      expect.closeTo(255, -1),
      255,
    ]);
  });

  it('makes a JPEG and a WebP of another size 512×512 WebPs', async () => {
    for (const [image, type] of [
      [await jpeg(64, 300), 'image/jpeg'],
      [await webp(800, 800), 'image/webp'],
    ] as const) {
      expect(await sharp(await stickerImage(image, type)).metadata(), type).toMatchObject({
        format: 'webp',
        width: 512,
        height: 512,
      });
    }
  });

  it('keeps a 512×512 WebP as it is', async () => {
    const ready = await webp(512, 512);
    expect(await stickerImage(ready, 'image/webp')).toBe(ready);
  });

  it('refuses an image of more than 4096×4096 pixels, naming media_url, before decoding it', async () => {
    // 20 million pixels in a few kilobytes: seconds and hundreds of megabytes to decode.
    await expect(stickerImage(await png(5000, 4000), 'image/png')).rejects.toMatchObject({
      code: 'validation',
      details: { media_url: ['is 5000×4000 pixels; a sticker is made from at most 4096×4096'] },
    });
  });

  it('refuses a GIF, text, and bytes that only claim to be a PNG, naming media_url', async () => {
    for (const [data, type] of [
      [await gif(10, 10), 'image/gif'],
      [Buffer.from('hello'), undefined],
      [Buffer.from('\x89PNG\r\n\x1a\nbroken', 'latin1'), 'image/png'],
    ] as const) {
      await expect(stickerImage(data, type), String(type)).rejects.toMatchObject({
        code: 'validation',
        details: { media_url: [expect.any(String)] },
      });
    }
  });
});
