import type { Clock } from '../../clock.js';
import { KirimError } from '../../errors.js';
import type { LeadCandidate, LeadSearchProgress, LeadSearchQuery, LeadSource } from './lead-source.js';
import { pageCursorAfter, readPageCursor } from './page-cursor.js';
import { probeHealth } from './probe-health.js';
import { SourceHttpClient } from './source-http-client.js';

/** Options of {@link ScraperLeadSource}. */
export interface ScraperLeadSourceOptions {
  /** The service's base URL (`KIRIM_LEAD_SCRAPER_URL`); requests go to `{baseUrl}/search` and `{baseUrl}/health`. */
  baseUrl: string;
  userAgent: string;
  /** Default: the system clock. */
  clock?: Clock;
  /** How long one page may take; default 120 s (scrapers drive browsers). */
  timeoutMs?: number;
}

/** One result of the scraper protocol. Only `business_name` is required. */
interface ScraperResult {
  business_name?: unknown;
  address?: unknown;
  phone?: unknown;
  website?: unknown;
  latitude?: unknown;
  longitude?: unknown;
  extra?: unknown;
}

/**
 * Businesses from an external scraper service speaking Kirim's small JSON protocol (see the README,
 * "Lead sources"): `POST {base}/search` with `{query, limit, cursor}` answers `{results, next_cursor}`;
 * `GET {base}/health` answers `{ok, detail}`. A non-2xx answer's `error` is the failed task's reason.
 */
export class ScraperLeadSource implements LeadSource {
  readonly name = 'scraper';
  private readonly baseUrl: string;
  private readonly http: SourceHttpClient;

  constructor(options: ScraperLeadSourceOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.http = new SourceHttpClient({
      service: 'The lead scraper',
      userAgent: options.userAgent,
      clock: options.clock,
      timeoutMs: options.timeoutMs ?? 120_000,
    });
  }

  async *search(query: LeadSearchQuery, progress: LeadSearchProgress): AsyncIterable<LeadCandidate> {
    let cursor = readPageCursor(progress.resumeFrom);
    for (;;) {
      // The same limit on every page, resumed or not: a page asked for again must be the same page.
      const body = JSON.stringify({ query: query.text, limit: query.limit, cursor: cursor.page });
      const answer = await this.http.json<{ results?: unknown; next_cursor?: unknown }>(`${this.baseUrl}/search`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
        signal: progress.signal,
      });
      if (!Array.isArray(answer?.results))
        throw new KirimError('unavailable', 'The lead scraper answered without a results array');
      const results = answer.results as ScraperResult[];
      for (let index = cursor.index; index < results.length; index++) {
        const candidate = toCandidate(results[index]);
        if (!candidate) continue;
        progress.checkpoint(pageCursorAfter(cursor.page, index));
        yield candidate;
      }
      const next = answer.next_cursor;
      if (typeof next !== 'string' || next === '' || results.length === 0) return;
      cursor = { page: next, index: 0 };
    }
  }

  health() {
    return probeHealth(async () => {
      const answer = await this.http.json<{ ok?: unknown; detail?: unknown }>(`${this.baseUrl}/health`);
      const detail = typeof answer?.detail === 'string' ? answer.detail : `the lead scraper (${this.baseUrl}) answers`;
      return { ok: answer?.ok !== false, detail };
    });
  }
}

function toCandidate(result: ScraperResult | undefined): LeadCandidate | undefined {
  if (!result || typeof result !== 'object') return undefined;
  const name = text(result.business_name);
  if (!name) return undefined;
  return {
    business_name: name,
    address: text(result.address),
    phone: text(result.phone),
    website: text(result.website),
    latitude: number(result.latitude),
    longitude: number(result.longitude),
    source: 'scraper',
    extra:
      result.extra && typeof result.extra === 'object' && !Array.isArray(result.extra)
        ? (result.extra as Record<string, unknown>)
        : {},
  };
}

function text(value: unknown): string | null {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function number(value: unknown): number | null {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}
