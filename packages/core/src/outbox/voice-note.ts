import { OggOpusDecoder, type OggOpusDecodedAudio } from 'ogg-opus-decoder';
import { validationError } from '../validation.js';

/** What phones show of a voice note before it plays. */
export interface VoiceNoteFacts {
  /** Its length in whole seconds (at least 1). */
  seconds: number;
  /** 64 loudness samples, 0 to 100, the loudest 100. */
  waveform: Uint8Array;
}

/** The MIME type WhatsApp gives voice notes. */
export const VOICE_NOTE_MIMETYPE = 'audio/ogg; codecs=opus';

// Opus always plays at 48 kHz, whatever rate its header names: granule positions count 48 kHz samples.
const OPUS_RATE = 48_000;
const WAVEFORM_SAMPLES = 64;
// About 15 s of speech a chunk.
const DECODE_CHUNK_BYTES = 64 * 1024;
const NOT_OPUS = 'must be a voice note in Ogg/Opus (an Ogg stream of Opus audio)';

/** One Ogg page's granule position and where its packet data starts. */
interface OggPage {
  granule: bigint;
  /** Offset of the page's first packet byte. */
  dataStart: number;
  /** Offset of the next page. */
  end: number;
}

/** The Ogg pages of `data`, in order; stops at the first byte that does not start a page. */
function oggPages(data: Buffer): OggPage[] {
  const pages: OggPage[] = [];
  let at = 0;
  while (at + 27 <= data.length && data.toString('latin1', at, at + 4) === 'OggS') {
    const segments = data[at + 26]!;
    const dataStart = at + 27 + segments;
    if (dataStart > data.length) break;
    let size = 0;
    for (let i = 0; i < segments; i++) size += data[at + 27 + i]!;
    if (dataStart + size > data.length) break;
    pages.push({ granule: data.readBigInt64LE(at + 6), dataStart, end: dataStart + size });
    at = dataStart + size;
  }
  return pages;
}

/**
 * The length and waveform of a voice note, which must be Ogg/Opus (an Ogg stream whose first packet is
 * `OpusHead`); anything else throws `validation` naming `media_url`. The length is the last page's granule
 * position less the header's pre-skip; the waveform is the decoded audio's loudness in 64 slices.
 */
export async function voiceNoteFacts(data: Buffer): Promise<VoiceNoteFacts> {
  const pages = oggPages(data);
  const first = pages[0];
  if (
    !first ||
    data.toString('latin1', first.dataStart, first.dataStart + 8) !== 'OpusHead' ||
    first.end - first.dataStart < 19
  )
    throw validationError({ media_url: [NOT_OPUS] });
  const preSkip = data.readUInt16LE(first.dataStart + 10);
  const samples = Number(pages.at(-1)!.granule) - preSkip;
  if (!(samples > 0)) throw validationError({ media_url: [`${NOT_OPUS}; this one has no audio`] });
  return {
    seconds: Math.max(1, Math.round(samples / OPUS_RATE)),
    waveform: waveformOf(await sliceLoudness(data, samples)),
  };
}

/**
 * The decoded audio's mean loudness (absolute amplitude, channels mixed) in 64 slices of its `samples`. It is
 * decoded a chunk at a time, letting other work run between chunks: a 16 MB note is an hour of audio, whose
 * samples would take gigabytes at once and decode for tens of seconds.
 */
async function sliceLoudness(data: Buffer, samples: number): Promise<number[]> {
  const sums = new Float64Array(WAVEFORM_SAMPLES);
  const counts = new Float64Array(WAVEFORM_SAMPLES);
  let at = 0;
  const add = ({ channelData, samplesDecoded }: OggOpusDecodedAudio) => {
    for (let i = 0; i < samplesDecoded; i++, at++) {
      let loudness = 0;
      for (const channel of channelData) loudness += Math.abs(channel[i]!) / channelData.length;
      const slice = Math.min(WAVEFORM_SAMPLES - 1, Math.floor((at * WAVEFORM_SAMPLES) / samples));
      sums[slice]! += loudness;
      counts[slice]!++;
    }
  };
  const decoder = new OggOpusDecoder();
  try {
    await decoder.ready;
    for (let offset = 0; offset < data.length; offset += DECODE_CHUNK_BYTES) {
      // ogg-opus-decoder 1.7's decode returns a promise, whatever its types say.
      const decoded: OggOpusDecodedAudio | Promise<OggOpusDecodedAudio> = decoder.decode(
        new Uint8Array(data.subarray(offset, offset + DECODE_CHUNK_BYTES)),
      );
      add(await decoded);
      await new Promise((resolve) => setImmediate(resolve));
    }
    add(await decoder.flush());
  } finally {
    decoder.free();
  }
  if (at === 0) throw validationError({ media_url: [`${NOT_OPUS}; its audio does not decode`] });
  return Array.from(sums, (sum, slice) => (counts[slice] ? sum / counts[slice]! : 0));
}

/** 64 slices' mean loudness scaled so the loudest is 100 (all zeros for silence), as Baileys and phones draw it. */
export function waveformOf(means: number[]): Uint8Array {
  const loudest = Math.max(...means);
  // A Buffer (a Uint8Array) survives the transports' serialisations as bytes, not as an object of indexes.
  return Buffer.from(means.map((mean) => (loudest > 0 ? Math.round((100 * mean) / loudest) : 0)));
}
