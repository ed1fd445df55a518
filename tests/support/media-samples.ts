/**
 * Media files for tests, made by code (no binary fixtures): images through sharp, and audio written byte by byte.
 *
 * The Ogg/Opus voice notes hold CELT-only Opus packets (RFC 6716 configuration 31: fullband, 20 ms) whose
 * payloads are repeated bytes: any byte string is a decodable CELT frame; 0x55s decode to a steady loud noise
 * and 0xFFs to silence (found by decoding with ogg-opus-decoder). No Opus encoder is installed, and none is
 * needed for that.
 */
import sharp from 'sharp';

/** An opaque red-and-blue PNG of `width`×`height` (the halves tell whether the aspect was kept). */
export function png(width: number, height: number): Promise<Buffer> {
  return halves(width, height).png().toBuffer();
}

/** A JPEG of `width`×`height`. */
export function jpeg(width: number, height: number): Promise<Buffer> {
  return halves(width, height).jpeg().toBuffer();
}

/** A WebP of `width`×`height`. */
export function webp(width: number, height: number): Promise<Buffer> {
  return halves(width, height).webp().toBuffer();
}

/** A GIF of `width`×`height`. */
export function gif(width: number, height: number): Promise<Buffer> {
  return halves(width, height).gif().toBuffer();
}

function halves(width: number, height: number) {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) pixels.set(x < width / 2 ? [255, 0, 0] : [0, 0, 255], (y * width + x) * 3);
  return sharp(pixels, { raw: { width, height, channels: 3 } });
}

/** One second of 8 kHz 16-bit mono silence as a WAV file. */
export function wav(): Buffer {
  const samples = 8000;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples * 2, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(16_000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples * 2, 40);
  return Buffer.concat([header, Buffer.alloc(samples * 2)]);
}

/** An MP3: an ID3v2 tag then MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz) of silence. */
export function mp3(): Buffer {
  const id3 = Buffer.from([0x49, 0x44, 0x33, 0x04, 0, 0, 0, 0, 0, 0]);
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0x64]);
  return Buffer.concat([id3, ...Array.from({ length: 20 }, () => frame)]);
}

/** Options of {@link oggOpus}. */
export interface OggOpusOptions {
  /** 20 ms frames of noise, then of silence; default 50 and 50 (one second each). */
  loudFrames?: number;
  quietFrames?: number;
  /** The header's pre-skip in 48 kHz samples; default 312 (libopus's). */
  preSkip?: number;
}

/** An Ogg/Opus voice note: noise, then silence; its length is (frames × 960 − pre-skip) / 48 000 seconds. */
export function oggOpus({ loudFrames = 50, quietFrames = 50, preSkip = 312 }: OggOpusOptions = {}): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0);
  head[8] = 1; // version
  head[9] = 1; // channels
  head.writeUInt16LE(preSkip, 10);
  head.writeUInt32LE(48_000, 12); // the input's rate, for information only
  const vendor = Buffer.from('kirim-tests');
  const tags = Buffer.alloc(8 + 4 + vendor.length + 4);
  tags.write('OpusTags', 0);
  tags.writeUInt32LE(vendor.length, 8);
  vendor.copy(tags, 12);
  const pages = [oggPage(head, 0n, 0, BEGINNING), oggPage(tags, 0n, 1, 0)];
  const frames = loudFrames + quietFrames;
  let granule = BigInt(preSkip);
  for (let i = 0; i < frames; i++) {
    const payload = Buffer.alloc(60, i < loudFrames ? LOUD : SILENT);
    granule += 960n;
    const packet = Buffer.concat([Buffer.from([CELT_FULLBAND_20MS]), payload]);
    pages.push(oggPage(packet, granule, 2 + i, i === frames - 1 ? END : 0));
  }
  return Buffer.concat(pages);
}

const CELT_FULLBAND_20MS = 31 << 3; // TOC: configuration 31, mono, one frame
const LOUD = 0x55;
const SILENT = 0xff;
const BEGINNING = 2;
const END = 4;

function oggPage(packet: Buffer, granule: bigint, sequence: number, flags: number): Buffer {
  const lacing: number[] = [];
  let left = packet.length;
  for (; left >= 255; left -= 255) lacing.push(255);
  lacing.push(left);
  const header = Buffer.alloc(27 + lacing.length);
  header.write('OggS', 0);
  header[5] = flags;
  header.writeBigInt64LE(granule, 6);
  header.writeUInt32LE(0x4b1e1, 14); // stream serial
  header.writeUInt32LE(sequence, 18);
  header[26] = lacing.length;
  header.set(lacing, 27);
  const page = Buffer.concat([header, packet]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

// Ogg's CRC-32: polynomial 0x04c11db7, not reflected, zero start.
const CRC_TABLE = Array.from({ length: 256 }, (_, i) => {
  let r = i << 24;
  for (let bit = 0; bit < 8; bit++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
  return r >>> 0;
});
function oggCrc(bytes: Buffer): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  return crc;
}
