import { clockTimeout, systemClock, type Clock } from '../../clock.js';
import { KirimError } from '../../errors.js';
import { parseRetryAfter } from '../../net/retry-after.js';

/** Options of {@link SourceHttpClient}. */
export interface SourceHttpClientOptions {
  /** Names the service in errors, e.g. `Nominatim`. */
  service: string;
  /** Sent on every request; public services ask for one that identifies the application and a contact. */
  userAgent: string;
  /** Default: the system clock. */
  clock?: Clock;
  /** Least time between the starts of two requests; default 0. */
  minIntervalMs?: number;
  /** How many successful answers to keep (least recently used go first); default 0, no cache. */
  cacheSize?: number;
  /** How long a cached answer is used; default 1 hour. */
  cacheTtlMs?: number;
  /** How long one request may take, its answer's body included, counted on the clock; default 60 s. */
  timeoutMs?: number;
  /** Longest `Retry-After` waited for; a longer one fails at once. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Attempts of one request while the service answers 429 (or 503 with `Retry-After`); default 3. */
  maxAttempts?: number;
}

/** One request. `cache: true` answers a repeat of it (same method, URL and body) from the cache. */
export interface SourceRequest {
  method?: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  cache?: boolean;
}

interface CacheEntry {
  expires: number;
  body: string;
}

/**
 * HTTP for lead sources: one request at a time with a minimum interval (public services' usage
 * policies), an identifying User-Agent, an LRU cache with a TTL, and `429`/`Retry-After` honoured.
 * Failures become KirimErrors whose messages say which service failed and how.
 */
export class SourceHttpClient {
  private readonly clock: Clock;
  private readonly cache = new Map<string, CacheEntry>();
  private tail: Promise<unknown> = Promise.resolve();
  private lastStart = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: SourceHttpClientOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** The answer's body parsed as JSON; a non-2xx answer or a body that is not JSON throws. */
  async json<T = unknown>(url: string, request: SourceRequest = {}): Promise<T> {
    const body = await this.text(url, request);
    try {
      return JSON.parse(body) as T;
    } catch (error) {
      throw new KirimError('unavailable', `${this.options.service} answered something that is not JSON`, {
        cause: error,
      });
    }
  }

  /** The answer's body as text; a non-2xx answer throws. */
  async text(url: string, request: SourceRequest = {}): Promise<string> {
    const key = `${request.method ?? 'GET'} ${url} ${request.body ?? ''}`;
    if (request.cache) {
      const hit = this.cached(key);
      if (hit !== undefined) return hit;
    }
    // Serial: each request starts after the previous one (and its retries) finished.
    const run = this.tail.then(() => this.attempt(url, request));
    this.tail = run.catch(() => undefined);
    const body = await run;
    if (request.cache) this.remember(key, body);
    return body;
  }

  private async attempt(url: string, request: SourceRequest): Promise<string> {
    const { service } = this.options;
    const maxAttempts = this.options.maxAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      await this.pace(request.signal);
      const { response, body } = await this.send(url, request);
      if (response.ok) return body;
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.clock.now());
      const limited = response.status === 429 || (response.status === 503 && retryAfterMs !== undefined);
      if (!limited) {
        throw new KirimError('unavailable', `${service} answered HTTP ${response.status}${describeBody(body)}`);
      }
      const wait = retryAfterMs ?? 1000 * 2 ** (attempt - 1);
      if (attempt >= maxAttempts || wait > (this.options.maxRetryAfterMs ?? 60_000)) {
        const after = retryAfterMs === undefined ? '' : `; retry after ${Math.ceil(retryAfterMs / 1000)} s`;
        throw new KirimError('rate_limited', `${service} is rate limiting requests (HTTP ${response.status}${after})`);
      }
      await this.clock.sleep(wait, { signal: request.signal, hold: false });
    }
  }

  /** One exchange, its body read (empty when it breaks off), within `timeoutMs` of the client's clock. */
  private async send(url: string, request: SourceRequest): Promise<{ response: Response; body: string }> {
    const timeoutMs = this.options.timeoutMs ?? 60_000;
    const timeout = clockTimeout(this.clock, timeoutMs, { hold: false });
    const signal = request.signal ? AbortSignal.any([request.signal, timeout.signal]) : timeout.signal;
    try {
      const response = await fetch(url, {
        method: request.method ?? 'GET',
        body: request.body,
        headers: { 'user-agent': this.options.userAgent, accept: 'application/json', ...request.headers },
        signal,
        redirect: 'follow',
      });
      return { response, body: await response.text().catch(() => '') };
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      const { service } = this.options;
      if (timeout.signal.aborted)
        throw new KirimError('unavailable', `${service} did not answer within ${timeoutMs} ms`, { cause: error });
      const reason = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new KirimError(
        'unavailable',
        `${service} is unreachable at ${new URL(url).origin}: ${reason?.code ?? reason?.message ?? String(error)}`,
        { cause: error },
      );
    } finally {
      timeout.clear();
    }
  }

  /** Waits until the minimum interval since the previous request's start has passed. */
  private async pace(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    const wait = this.lastStart + (this.options.minIntervalMs ?? 0) - this.clock.now().getTime();
    if (wait > 0) await this.clock.sleep(wait, { signal, hold: false });
    this.lastStart = this.clock.now().getTime();
  }

  private cached(key: string): string | undefined {
    const entry = this.cache.get(key);
    if (!entry) return undefined;
    this.cache.delete(key);
    if (entry.expires <= this.clock.now().getTime()) return undefined;
    this.cache.set(key, entry);
    return entry.body;
  }

  private remember(key: string, body: string): void {
    const size = this.options.cacheSize ?? 0;
    if (size <= 0) return;
    this.cache.delete(key);
    this.cache.set(key, { body, expires: this.clock.now().getTime() + (this.options.cacheTtlMs ?? 3_600_000) });
    while (this.cache.size > size) this.cache.delete(this.cache.keys().next().value!);
  }
}

/** A short, single-line excerpt of an error body: its `error`/`message` field when JSON, else its text. */
function describeBody(body: string): string {
  let text = body.trim();
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const message = parsed?.error ?? parsed?.message ?? parsed?.error_message ?? parsed?.detail;
    if (typeof message === 'string') text = message;
    else if (message && typeof message === 'object' && typeof (message as { message?: unknown }).message === 'string')
      text = (message as { message: string }).message;
  } catch {
    // Not JSON: the text itself, minus markup (Overpass answers errors as HTML).
    text = text.replace(/<[^>]*>/g, ' ');
  }
  text = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return text ? `: ${text}` : '';
}
