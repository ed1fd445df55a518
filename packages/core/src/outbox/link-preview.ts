import ogs from 'open-graph-scraper';
import sharp from 'sharp';
import { systemClock, type Clock } from '../clock.js';
import { safeFetch, type HostResolver } from '../net/safe-fetch.js';
import type { LinkPreview } from '../transport/transport.js';

/** How a link preview is fetched: through the SSRF guard, as `media_url`s are. */
export interface LinkPreviewOptions {
  /** Let private and loopback URLs through (operators and tests only); default false. */
  allowPrivate?: boolean;
  /** Host name resolver; default the system's. */
  lookup?: HostResolver;
  /** Where the time limits are counted; default the system clock. */
  clock?: Clock;
}

/**
 * A preview's limits: the page's first 512 KB, a 2 MB image of at most 4096×4096 pixels (a small PNG can unpack to
 * far more: seconds of work and hundreds of megabytes), 5 000 ms a fetch, a 192-pixel JPEG thumbnail; the previews
 * of the 256 most recent links kept 10 minutes.
 */
export const LINK_PREVIEW_LIMITS = {
  pageBytes: 512 * 1024,
  imageBytes: 2 * 1024 * 1024,
  imagePixels: 4096 * 4096,
  timeoutMs: 5_000,
  thumbnailPixels: 192,
  keptLinks: 256,
  keptMs: 10 * 60_000,
} as const;

// An http(s) URL up to the first space or bracket; punctuation ending a sentence is not part of it.
const LINK = /https?:\/\/[^\s<>"'()[\]{}]+/i;
const TRAILING_PUNCTUATION = /[.,;:!?]+$/;

/** The first http(s) URL in `text`, as it appears there. */
export function firstLink(text: string): string | undefined {
  return text.match(LINK)?.[0].replace(TRAILING_PUNCTUATION, '');
}

/**
 * Previews of links as {@link fetchLinkPreview} makes them, each link's kept a while (see {@link LINK_PREVIEW_LIMITS}):
 * a bulk job links one page in many texts, and a slow page must not hold up each of them.
 */
export function createLinkPreviews(
  options: LinkPreviewOptions = {},
): (text: string) => Promise<LinkPreview | undefined> {
  const clock = options.clock ?? systemClock;
  const recent = new Map<string, { at: number; preview: Promise<LinkPreview | undefined> }>();
  return (text) => {
    const url = firstLink(text);
    if (!url) return Promise.resolve(undefined);
    const now = clock.now().getTime();
    const kept = recent.get(url);
    if (kept && now - kept.at < LINK_PREVIEW_LIMITS.keptMs) return kept.preview;
    recent.delete(url);
    const preview = previewOf(url, options);
    recent.set(url, { at: now, preview });
    // Oldest out first.
    for (const link of recent.keys()) {
      if (recent.size <= LINK_PREVIEW_LIMITS.keptLinks) break;
      recent.delete(link);
    }
    return preview;
  };
}

/**
 * The preview of the first http(s) link in `text`: the page's title, description and image (as a small JPEG),
 * read with open-graph-scraper from HTML fetched through the SSRF guard (open-graph-scraper never fetches).
 * Undefined when there is no link or no preview can be made: a preview never stops a message.
 */
export async function fetchLinkPreview(
  text: string,
  options: LinkPreviewOptions = {},
): Promise<LinkPreview | undefined> {
  const url = firstLink(text);
  return url ? previewOf(url, options) : undefined;
}

async function previewOf(url: string, options: LinkPreviewOptions): Promise<LinkPreview | undefined> {
  try {
    const page = await fetchOk(url, LINK_PREVIEW_LIMITS.pageBytes, options);
    if (!page || !/html/i.test(page.headers.get('content-type') ?? '')) return undefined;
    const { result } = await ogs({ html: page.body.toString('utf8') });
    const title = result.ogTitle?.trim();
    if (!title) return undefined;
    const description = result.ogDescription?.trim();
    const image = result.ogImage?.[0]?.url;
    const thumbnail = image ? await thumbnailOf(new URL(image, page.url).href, options) : undefined;
    return { url, title, ...(description ? { description } : {}), ...(thumbnail ? { thumbnail } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * A 2xx answer through the SSRF guard within the preview's time limit; undefined for another status. A page is
 * cut to its first `maxBytes` (its head is what matters); an image larger than that fails.
 */
async function fetchOk(url: string, maxBytes: number, options: LinkPreviewOptions, { whole = false } = {}) {
  const response = await safeFetch(url, {
    timeoutMs: LINK_PREVIEW_LIMITS.timeoutMs,
    maxBytes,
    truncate: !whole,
    allowPrivate: options.allowPrivate,
    lookup: options.lookup,
    clock: options.clock,
  });
  return response.status >= 200 && response.status < 300 ? response : undefined;
}

/** The image at `url` shrunk to a small JPEG; undefined when it cannot be fetched or read whole. */
async function thumbnailOf(url: string, options: LinkPreviewOptions): Promise<Buffer | undefined> {
  try {
    const image = await fetchOk(url, LINK_PREVIEW_LIMITS.imageBytes, options, { whole: true });
    if (!image) return undefined;
    const size = LINK_PREVIEW_LIMITS.thumbnailPixels;
    return await sharp(image.body, { limitInputPixels: LINK_PREVIEW_LIMITS.imagePixels })
      .resize(size, size, { fit: 'inside' })
      .jpeg({ quality: 70 })
      .toBuffer();
  } catch {
    return undefined;
  }
}
