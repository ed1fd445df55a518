import { fileTypeFromBuffer } from 'file-type';
import type { Clock } from '../clock.js';
import { isKirimError, KirimError } from '../errors.js';
import { assertResolvesPublic, safeFetch, type HostResolver } from '../net/safe-fetch.js';
import type { LinkPreview, OutgoingMedia } from '../transport/transport.js';
import { validationError } from '../validation.js';
import { createLinkPreviews } from './link-preview.js';
import { stickerImage } from './sticker-image.js';
import { VOICE_NOTE_MIMETYPE, voiceNoteFacts } from './voice-note.js';

/** Options of the media loader. */
export interface MediaLoaderOptions {
  /** Largest media file; default 16 MB (WhatsApp's own limit for most media). */
  maxBytes?: number;
  /** Time limit per download; default 30 000 ms. */
  timeoutMs?: number;
  /** Let private and loopback URLs through (operators and tests only); default false. */
  allowPrivate?: boolean;
  /** Bytes kept for reuse (a bulk job sends one file to many); default 64 MB. */
  cacheBytes?: number;
  /** Host name resolver; default the system's. Tests inject one to simulate DNS answers. */
  lookup?: HostResolver;
  /** Where download limits and the resolver's wait are counted; default the system clock. */
  clock?: Clock;
}

/** The media loader's limits: 16 MB a file, 30 000 ms a download, 64 MB kept for reuse. */
export const DEFAULT_MEDIA_LIMITS: Readonly<
  Required<Pick<MediaLoaderOptions, 'maxBytes' | 'timeoutMs' | 'cacheBytes'>>
> = { maxBytes: 16 * 1024 * 1024, timeoutMs: 30_000, cacheBytes: 64 * 1024 * 1024 };

/**
 * A downloaded file ready to send; `sniffed` is the type its bytes show, when they show one. A sticker is a
 * WebP already; a voice note carries its length and waveform.
 */
export type LoadedMedia = Pick<OutgoingMedia, 'data' | 'mimetype' | 'filename' | 'seconds' | 'waveform'> & {
  sniffed: string | undefined;
};

/** Fetches what outgoing messages carry from the web (media, link previews), refusing what they could never send. */
export interface MediaLoader {
  /**
   * Refuses, before anything is stored, a `media_url` that could never be fetched: not http(s), a private literal
   * address, or a name resolving to a private address (unless `allowPrivate`): a `validation` error naming `media_url`.
   */
  check(url: string): Promise<void>;
  /**
   * The file at `url` to send as `type`, downloaded once while it stays in the cache; a sticker is made a 512×512 WebP
   * and a voice note given its length and waveform, once too. The caller's faults (a refused URL, a 4xx, a file too
   * large or not of its kind) throw `validation` naming `media_url`; a host failing for now `unavailable`.
   */
  load(url: string, type: string): Promise<LoadedMedia>;
  /** The preview of the first http(s) link in `text`, kept a while per link (see createLinkPreviews); else undefined. */
  preview(text: string): Promise<LinkPreview | undefined>;
}

// What the bytes of each kind of media must be; a document may be anything.
const KINDS: Record<string, { noun: string; accepts: (mime: string) => boolean }> = {
  image: { noun: 'an image', accepts: (mime) => mime.startsWith('image/') },
  sticker: { noun: 'an image', accepts: (mime) => mime.startsWith('image/') },
  video: { noun: 'a video', accepts: (mime) => mime.startsWith('video/') },
  audio: { noun: 'audio', accepts: (mime) => mime.startsWith('audio/') || mime === 'application/ogg' },
};

// What stickers and voice notes are made into before sending; the result is kept as the download is.
const PREPARE: Record<string, (file: LoadedMedia) => Promise<LoadedMedia>> = {
  sticker: async (file) => ({
    ...file,
    data: await stickerImage(file.data, file.sniffed),
    mimetype: 'image/webp',
    sniffed: 'image/webp',
  }),
  voice: async (file) => ({ ...file, mimetype: VOICE_NOTE_MIMETYPE, ...(await voiceNoteFacts(file.data)) }),
};

// A media host's 4xx is the URL's fault, except these, which say "later".
const TRANSIENT = new Set([408, 425, 429]);

const EXTENSION_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  mp4: 'video/mp4',
  '3gp': 'video/3gpp',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  m4a: 'audio/mp4',
  pdf: 'application/pdf',
  txt: 'text/plain',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  zip: 'application/zip',
};

/**
 * Fetches `media_url`s for sending through the SSRF guard (no private, loopback or link-local targets,
 * every redirect re-checked, size and time limits), keeping recent files so a bulk job fetches once.
 */
export function createMediaLoader(options: MediaLoaderOptions = {}): MediaLoader {
  const maxBytes = options.maxBytes ?? DEFAULT_MEDIA_LIMITS.maxBytes;
  const cacheBytes = options.cacheBytes ?? DEFAULT_MEDIA_LIMITS.cacheBytes;
  const cache = new Map<string, Promise<LoadedMedia>>();
  let cached = 0;

  async function download(url: string): Promise<LoadedMedia> {
    let response;
    try {
      response = await safeFetch(url, {
        timeoutMs: options.timeoutMs ?? DEFAULT_MEDIA_LIMITS.timeoutMs,
        maxBytes,
        allowPrivate: options.allowPrivate,
        field: 'media_url',
        lookup: options.lookup,
        clock: options.clock,
      });
    } catch (error) {
      if (isKirimError(error, 'payload_too_large'))
        throw validationError({ media_url: [`is larger than the ${maxBytes}-byte limit`] });
      throw error;
    }
    if (response.status >= 400 && response.status < 500 && !TRANSIENT.has(response.status)) {
      throw validationError({ media_url: [`the media host answered HTTP ${response.status}`] });
    }
    if (response.status < 200 || response.status >= 300)
      throw new KirimError('unavailable', `media_url answered HTTP ${response.status}`);
    const name = decodeURIComponent(new URL(response.url).pathname.split('/').pop() || 'file');
    const extension = name.includes('.') ? name.split('.').pop()!.toLowerCase() : '';
    const header = (response.headers.get('content-type') ?? '').split(';')[0].trim();
    const declared =
      header && header !== 'application/octet-stream'
        ? header
        : (EXTENSION_TYPES[extension] ?? 'application/octet-stream');
    const sniffed = (await fileTypeFromBuffer(response.body))?.mime;
    return { data: response.body, mimetype: sniffed ?? declared, filename: name, sniffed };
  }

  /** Refuses a file whose bytes are not the kind of media it is sent as. */
  function assertKind(file: LoadedMedia, type: string): LoadedMedia {
    const kind = KINDS[type];
    if (kind && !(file.sniffed && kind.accepts(file.sniffed))) {
      throw validationError({ media_url: [`is not ${kind.noun} (its content is ${file.sniffed ?? file.mimetype})`] });
    }
    return file;
  }

  /** What `make` makes for `key`, made once while it stays in the cache. */
  function once(key: string, make: () => Promise<LoadedMedia>): Promise<LoadedMedia> {
    let entry = cache.get(key);
    if (!entry) {
      entry = make();
      cache.set(key, entry);
      entry.then(
        (file) => {
          cached += file.data.length;
          // Oldest out first until the cache fits again.
          for (const [older, value] of cache) {
            if (cached <= cacheBytes || older === key) break;
            cache.delete(older);
            void value.then(
              (old) => (cached -= old.data.length),
              () => {},
            );
          }
        },
        () => cache.delete(key),
      );
    }
    return entry;
  }

  /** The file at `url` as `type` sends it: downloaded once, and a sticker or voice note prepared once. */
  function prepared(url: string, type: string): Promise<LoadedMedia> {
    const downloaded = () => once(url, () => download(url)).then((file) => assertKind(file, type));
    const prepare = PREPARE[type];
    return prepare ? once(`${type} ${url}`, async () => prepare(await downloaded())) : downloaded();
  }

  return {
    async check(url) {
      await assertResolvesPublic(url, 'media_url', {
        allowPrivate: options.allowPrivate,
        resolve: options.lookup,
        clock: options.clock,
      });
    },

    load: prepared,

    preview: createLinkPreviews({ allowPrivate: options.allowPrivate, lookup: options.lookup, clock: options.clock }),
  };
}
