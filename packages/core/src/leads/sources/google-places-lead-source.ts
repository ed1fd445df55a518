import { systemClock, type Clock } from '../../clock.js';
import { KirimError } from '../../errors.js';
import type { LeadCandidate, LeadSearchProgress, LeadSearchQuery, LeadSource } from './lead-source.js';
import { pageCursorAfter, readPageCursor } from './page-cursor.js';
import { probeHealth } from './probe-health.js';
import { SourceHttpClient } from './source-http-client.js';

/** Google's Places API host, the default `baseUrl`. */
export const DEFAULT_GOOGLE_PLACES_URL = 'https://maps.googleapis.com';

/** Options of {@link GooglePlacesLeadSource}. */
export interface GooglePlacesLeadSourceOptions {
  apiKey: string;
  /** Default `https://maps.googleapis.com`. */
  baseUrl?: string;
  userAgent: string;
  /** Default: the system clock. */
  clock?: Clock;
  /** How long a fresh `next_page_token` needs before Google accepts it; default 2000 ms. */
  pageTokenDelayMs?: number;
  /** Wait before asking again after `OVER_QUERY_LIMIT`; doubled on each repeat; default 2000 ms. */
  overQueryLimitBackoffMs?: number;
  /** Attempts of one request while Google answers `OVER_QUERY_LIMIT`; default 3. */
  maxAttempts?: number;
}

/** The fields of the Places API's JSON answers (Text Search, Place Details) that are read. */
interface PlacesAnswer<R> {
  status: string;
  error_message?: string;
  next_page_token?: string;
  results?: R[];
  result?: R;
}

interface PlaceResult {
  place_id?: string;
  name?: string;
  formatted_address?: string;
  geometry?: { location?: { lat?: number; lng?: number } };
  rating?: number;
  user_ratings_total?: number;
  types?: string[];
  business_status?: string;
}

interface PlaceDetails {
  formatted_phone_number?: string;
  international_phone_number?: string;
  website?: string;
  url?: string;
}

const DETAIL_FIELDS = 'international_phone_number,formatted_phone_number,website,url';

/**
 * Businesses from the Google Places API (legacy web service): Text Search for the query, paged by
 * `next_page_token` (up to 60 results), and Place Details of each result for its phone and website.
 * Answers are not cached (Google's terms allow keeping only place ids).
 * https://developers.google.com/maps/documentation/places/web-service/search-text
 */
export class GooglePlacesLeadSource implements LeadSource {
  readonly name = 'google_places';
  private readonly baseUrl: string;
  private readonly http: SourceHttpClient;
  private readonly clock: Clock;

  constructor(private readonly options: GooglePlacesLeadSourceOptions) {
    this.baseUrl = (options.baseUrl ?? DEFAULT_GOOGLE_PLACES_URL).replace(/\/+$/, '');
    this.clock = options.clock ?? systemClock;
    this.http = new SourceHttpClient({ service: 'Google Places', userAgent: options.userAgent, clock: options.clock });
  }

  async *search(query: LeadSearchQuery, progress: LeadSearchProgress): AsyncIterable<LeadCandidate> {
    let cursor = readPageCursor(progress.resumeFrom);
    let resuming = cursor.page !== null;
    for (;;) {
      const params: Record<string, string> = cursor.page ? { pagetoken: cursor.page } : { query: query.text };
      let page: PlacesAnswer<PlaceResult>;
      try {
        page = await this.call<PlaceResult>('textsearch', params, progress.signal, cursor.page !== null);
      } catch (error) {
        // Page tokens expire: a task resumed much later starts over (leads with phones merge, not double).
        if (!resuming || progress.signal.aborted) throw error;
        cursor = { page: null, index: 0 };
        resuming = false;
        continue;
      }
      resuming = false;
      const results = page.results ?? [];
      for (let index = cursor.index; index < results.length; index++) {
        const place = results[index]!;
        if (!place.name) continue;
        const details = place.place_id
          ? (
              await this.call<PlaceDetails>(
                'details',
                { place_id: place.place_id, fields: DETAIL_FIELDS },
                progress.signal,
              )
            ).result
          : undefined;
        progress.checkpoint(pageCursorAfter(cursor.page, index));
        yield toCandidate(place, details ?? {});
      }
      if (!page.next_page_token) return;
      cursor = { page: page.next_page_token, index: 0 };
    }
  }

  health() {
    // A Place Details request for an id that cannot exist: it proves the service answers and takes the key.
    return probeHealth(async () => {
      const url = this.url('details', { place_id: 'kirim-health-check', fields: 'place_id' });
      const answer = await this.http.json<PlacesAnswer<unknown>>(url);
      if (answer.status === 'REQUEST_DENIED' || answer.status === 'OVER_QUERY_LIMIT')
        return { ok: false, detail: describe(answer) };
      return { ok: true, detail: `Google Places (${this.baseUrl}) answers` };
    });
  }

  /** One request, retried while `OVER_QUERY_LIMIT` (and, for a page token not yet active, `INVALID_REQUEST`). */
  private async call<R>(
    endpoint: 'textsearch' | 'details',
    params: Record<string, string>,
    signal: AbortSignal,
    pageToken = false,
  ): Promise<PlacesAnswer<R>> {
    const maxAttempts = this.options.maxAttempts ?? 3;
    if (pageToken) await this.clock.sleep(this.options.pageTokenDelayMs ?? 2000, { signal, hold: false });
    for (let attempt = 1; ; attempt++) {
      const answer = await this.http.json<PlacesAnswer<R>>(this.url(endpoint, params), { signal });
      if (answer.status === 'OK' || answer.status === 'ZERO_RESULTS') return answer;
      const retry = answer.status === 'OVER_QUERY_LIMIT' || (pageToken && answer.status === 'INVALID_REQUEST');
      if (!retry || attempt >= maxAttempts) {
        const code =
          answer.status === 'OVER_QUERY_LIMIT'
            ? 'rate_limited'
            : answer.status === 'NOT_FOUND' && endpoint === 'details'
              ? undefined
              : 'unavailable';
        if (!code) return { status: 'NOT_FOUND' };
        throw new KirimError(code, describe(answer));
      }
      const backoff =
        answer.status === 'OVER_QUERY_LIMIT'
          ? (this.options.overQueryLimitBackoffMs ?? 2000) * 2 ** (attempt - 1)
          : (this.options.pageTokenDelayMs ?? 2000);
      await this.clock.sleep(backoff, { signal, hold: false });
    }
  }

  private url(endpoint: string, params: Record<string, string>): string {
    const search = new URLSearchParams({ ...params, key: this.options.apiKey });
    return `${this.baseUrl}/maps/api/place/${endpoint}/json?${search}`;
  }
}

function toCandidate(place: PlaceResult, details: PlaceDetails): LeadCandidate {
  const extra: Record<string, unknown> = {};
  if (place.place_id) extra.place_id = place.place_id;
  if (place.rating !== undefined) extra.rating = place.rating;
  if (place.user_ratings_total !== undefined) extra.user_ratings_total = place.user_ratings_total;
  if (place.types?.length) extra.types = place.types.slice(0, 10);
  if (place.business_status) extra.business_status = place.business_status;
  if (details.url) extra.google_maps_url = details.url;
  return {
    business_name: place.name!,
    address: place.formatted_address ?? null,
    phone: details.international_phone_number ?? details.formatted_phone_number ?? null,
    website: details.website ?? null,
    latitude: place.geometry?.location?.lat ?? null,
    longitude: place.geometry?.location?.lng ?? null,
    source: 'google_places',
    extra,
  };
}

function describe(answer: PlacesAnswer<unknown>): string {
  return `Google Places answered ${answer.status}${answer.error_message ? `: ${answer.error_message}` : ''}`;
}
