import { KirimError } from '../errors.js';
import { safeFetch } from '../net/safe-fetch.js';
import type { OutgoingMedia } from '../transport/transport.js';

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
}

type Loaded = Pick<OutgoingMedia, 'data' | 'mimetype' | 'filename'>;

const EXTENSION_TYPES: Record<string, string> = {
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', mp4: 'video/mp4', '3gp': 'video/3gpp',
  mp3: 'audio/mpeg', ogg: 'audio/ogg', opus: 'audio/ogg', m4a: 'audio/mp4', pdf: 'application/pdf', txt: 'text/plain',
  doc: 'application/msword', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', zip: 'application/zip',
};

/**
 * Fetches `media_url`s for sending through the SSRF guard (no private, loopback or link-local targets,
 * every redirect re-checked, size and time limits), keeping recent files so a bulk job fetches once.
 */
export function createMediaLoader(options: MediaLoaderOptions = {}) {
  const maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
  const cacheBytes = options.cacheBytes ?? 64 * 1024 * 1024;
  const cache = new Map<string, Promise<Loaded>>();
  let cached = 0;

  async function download(url: string): Promise<Loaded> {
    const response = await safeFetch(url, { timeoutMs: options.timeoutMs ?? 30_000, maxBytes, allowPrivate: options.allowPrivate, field: 'media_url' });
    if (response.status < 200 || response.status >= 300) throw new KirimError('unavailable', `media_url answered HTTP ${response.status}`);
    const name = decodeURIComponent(new URL(response.url).pathname.split('/').pop() || 'file');
    const extension = name.includes('.') ? name.split('.').pop()!.toLowerCase() : '';
    const header = (response.headers.get('content-type') ?? '').split(';')[0].trim();
    const mimetype = header && header !== 'application/octet-stream' ? header : (EXTENSION_TYPES[extension] ?? 'application/octet-stream');
    return { data: response.body, mimetype, filename: name };
  }

  return {
    /** The file at `url`, downloaded once while it stays in the cache. */
    load(url: string): Promise<Loaded> {
      let entry = cache.get(url);
      if (!entry) {
        entry = download(url);
        cache.set(url, entry);
        entry.then(
          (file) => {
            cached += file.data.length;
            // Oldest out first until the cache fits again.
            for (const [key, value] of cache) {
              if (cached <= cacheBytes || key === url) break;
              cache.delete(key);
              void value.then((old) => (cached -= old.data.length), () => {});
            }
          },
          () => cache.delete(url),
        );
      }
      return entry;
    },
  };
}

export type MediaLoader = ReturnType<typeof createMediaLoader>;
