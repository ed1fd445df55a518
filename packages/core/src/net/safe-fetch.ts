import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, request, type Dispatcher } from 'undici';
import { clockTimeout, systemClock, type Clock } from '../clock.js';
import { KirimError } from '../errors.js';
import { validationError } from '../validation.js';

/** One resolved address of a host name. */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address it has; the default is the system resolver (`dns.lookup`). */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** Options of {@link safeFetch}. */
export interface SafeFetchOptions {
  /** Default `GET`. */
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Time limit of the whole exchange, every redirect and the body included; past it, `unavailable`. */
  timeoutMs: number;
  /** Largest response body; past it, `payload_too_large` (or the first `maxBytes` with `truncate`). */
  maxBytes: number;
  /** Return the first `maxBytes` of a larger body instead of failing; default false. */
  truncate?: boolean;
  /** Let private, loopback and link-local addresses through (operators and tests only); default false. */
  allowPrivate?: boolean;
  /** Host names let through even when private (an operator's internal receivers); default none. */
  allowHosts?: string[];
  /** Redirects followed, each re-checked; default 3. */
  maxRedirects?: number;
  /** The wire name of the URL in validation errors; default `url`. */
  field?: string;
  /** Aborts the exchange (as `unavailable`). */
  signal?: AbortSignal;
  /** Host name resolver; default the system's. Tests inject one to simulate DNS answers. */
  lookup?: HostResolver;
  /** Where the time limit is counted; default the system clock. */
  clock?: Clock;
}

/** A response read in full. */
export interface SafeFetchResponse {
  status: number;
  headers: Headers;
  body: Buffer;
  /** The URL that answered, after redirects. */
  url: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const PRIVATE_ADDRESS = 'KIRIM_NON_PUBLIC_ADDRESS';
const NON_PUBLIC = 'resolves to a private, loopback or link-local address';
const systemResolver: HostResolver = (host) => dnsLookup(host, { all: true });

/** True when `address` (IPv4 or IPv6, IPv4-mapped included) is a public unicast address. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  // `::ffff:127.0.0.1` reaches 127.0.0.1: classify what it maps to.
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

/**
 * Checks that `url` is an absolute http(s) URL whose host is not a private, loopback, link-local,
 * unique-local, multicast or reserved literal address (nor `localhost`); throws a `validation` error
 * naming `field`. Host names are checked again at connect time by {@link safeFetch}.
 */
export function assertPublicHttpUrl(url: string, field: string, allowPrivate = false): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw validationError({ [field]: ['must be an absolute http or https URL'] });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw validationError({ [field]: ['must use http or https'] });
  if (allowPrivate) return parsed;
  const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(host) ? !isPublicAddress(host) : host === 'localhost' || host.endsWith('.localhost')) {
    throw validationError({ [field]: ['must not point to a private, loopback or link-local address'] });
  }
  return parsed;
}

/** The first of `addresses` that is not public unicast; undefined when every one is public. */
export function firstNonPublic(addresses: ResolvedAddress[]): ResolvedAddress | undefined {
  return addresses.find((a) => !isPublicAddress(a.address));
}

/** Options of {@link assertResolvesPublic}. */
export interface ResolvePublicOptions {
  /** Let private, loopback and link-local addresses through (operators and tests); default false. */
  allowPrivate?: boolean;
  /** Host name resolver; default the system's. */
  resolve?: HostResolver;
  /** Longest wait for the resolver; default 5000 ms. */
  timeoutMs?: number;
  /** Where that wait is counted; default the system clock. */
  clock?: Clock;
}

/**
 * Checks `url` as {@link assertPublicHttpUrl} does, then resolves its host name and throws a `validation`
 * error naming `field` when any address it resolves to is not public unicast. A name that does not resolve
 * (or not in time) passes: this check is for an early, clear answer, and the connection is checked
 * again by safeFetch, whose check is the one that holds (the answer may change: DNS rebinding).
 */
export async function assertResolvesPublic(
  url: string,
  field: string,
  options: ResolvePublicOptions = {},
): Promise<URL> {
  const parsed = assertPublicHttpUrl(url, field, options.allowPrivate);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (options.allowPrivate || isIP(host)) return parsed;
  const addresses = await resolveWithin(
    host,
    options.resolve ?? systemResolver,
    options.timeoutMs ?? 5_000,
    options.clock ?? systemClock,
  );
  // The address is not named: a tenant must not learn how internal names resolve.
  if (firstNonPublic(addresses)) throw validationError({ [field]: [NON_PUBLIC] });
  return parsed;
}

// Every address of `hostname`, or none when it does not resolve in time.
async function resolveWithin(
  hostname: string,
  resolve: HostResolver,
  timeoutMs: number,
  clock: Clock,
): Promise<ResolvedAddress[]> {
  const answered = new AbortController();
  const late = clock.sleep(timeoutMs, { signal: answered.signal }).then(() => []);
  try {
    return await Promise.race([resolve(hostname).catch(() => []), late]);
  } finally {
    answered.abort();
  }
}

/**
 * Fetches a URL that a user supplied, safe from server-side request forgery: only http(s); every
 * address connected to (after DNS, on every redirect) must be public unicast unless `allowPrivate`;
 * the body is capped at `maxBytes` and the whole exchange at `timeoutMs`. Uses undici with its own
 * dispatcher (Node's global fetch ignores `http.Agent`, so agent-based guards do not protect it).
 */
export async function safeFetch(url: string, options: SafeFetchOptions): Promise<SafeFetchResponse> {
  const field = options.field ?? 'url';
  const allowPrivate = options.allowPrivate ?? false;
  const maxRedirects = options.maxRedirects ?? 3;
  const clock = options.clock ?? systemClock;
  const allowHosts = new Set((options.allowHosts ?? []).map((h) => h.toLowerCase()));
  const custom = options.lookup !== undefined || allowHosts.size > 0;
  const dispatcher = custom
    ? new Agent({ connect: { lookup: guardedLookup(options.lookup ?? systemResolver, allowPrivate, allowHosts) } })
    : sharedAgent(allowPrivate);
  const check = (target: string) => {
    const host = new URL(target).hostname.toLowerCase();
    return assertPublicHttpUrl(target, field, allowPrivate || allowHosts.has(host));
  };

  let current = URL.canParse(url) ? check(url) : assertPublicHttpUrl(url, field);
  let method = (options.method ?? 'GET').toUpperCase();
  let body = options.body;
  const timeout = clockTimeout(clock, options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout.signal, options.signal]) : timeout.signal;
  try {
    for (let hop = 0; ; hop++) {
      const response = await request(current, {
        method: method as Dispatcher.HttpMethod,
        headers: options.headers,
        body,
        dispatcher,
        signal,
      });
      const location = response.headers.location;
      if (REDIRECTS.has(response.statusCode) && typeof location === 'string') {
        response.body.resume();
        if (hop >= maxRedirects) throw new KirimError('unavailable', `Too many redirects fetching ${field}`);
        current = check(new URL(location, current).toString());
        // 303, and 301/302 after a POST as browsers do, continue as a GET without the body.
        if (
          response.statusCode === 303 ||
          ((response.statusCode === 301 || response.statusCode === 302) && method === 'POST')
        ) {
          method = 'GET';
          body = undefined;
        }
        continue;
      }
      return {
        status: response.statusCode,
        headers: toHeaders(response.headers),
        body: await readCapped(response.body, options),
        url: current.toString(),
      };
    }
  } catch (error) {
    throw translate(error, field, options, timeout.signal.aborted);
  } finally {
    timeout.clear();
    if (custom) void dispatcher.close();
  }
}

const agents = new Map<boolean, Agent>();

// One keep-alive agent per policy: a reused connection goes to an address already checked at connect.
function sharedAgent(allowPrivate: boolean): Agent {
  let agent = agents.get(allowPrivate);
  if (!agent) {
    agent = new Agent({ connect: { lookup: guardedLookup(systemResolver, allowPrivate, new Set()) } });
    agents.set(allowPrivate, agent);
  }
  return agent;
}

// net.connect calls this for host names (never for literal addresses, which assertPublicHttpUrl checks),
// so the address checked is the address connected to: a DNS answer that changes between check and use cannot slip past.
function guardedLookup(resolve: HostResolver, allowPrivate: boolean, allowHosts: Set<string>): LookupFunction {
  return ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    resolve(hostname).then(
      (addresses) => {
        if (addresses.length === 0)
          return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }));
        const refused = allowPrivate || allowHosts.has(hostname.toLowerCase()) ? undefined : firstNonPublic(addresses);
        if (refused) {
          return callback(
            Object.assign(new Error(`${hostname} resolves to non-public address ${refused.address}`), {
              code: PRIVATE_ADDRESS,
            }),
          );
        }
        if (options.all) return callback(null, addresses);
        callback(null, addresses[0].address, addresses[0].family);
      },
      (error) => callback(error),
    );
  }) as unknown as LookupFunction;
}

async function readCapped(
  body: AsyncIterable<Buffer> & { destroy(): void },
  options: SafeFetchOptions,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > options.maxBytes) {
      body.destroy();
      if (options.truncate) {
        chunks.push(chunk.subarray(0, chunk.length - (size - options.maxBytes)));
        return Buffer.concat(chunks);
      }
      throw new KirimError('payload_too_large', `Response is larger than ${options.maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

function translate(error: unknown, field: string, options: SafeFetchOptions, timedOut: boolean): unknown {
  if (error instanceof KirimError) return error;
  if (timedOut)
    return new KirimError('unavailable', `Timed out after ${options.timeoutMs} ms fetching ${field}`, { cause: error });
  if (hasCode(error, PRIVATE_ADDRESS)) {
    return new KirimError('validation', `Invalid ${field}`, { details: { [field]: [NON_PUBLIC] }, cause: error });
  }
  // No such name (NXDOMAIN) is the URL's fault; a resolver failing for now (EAI_AGAIN) is not.
  if (hasCode(error, 'ENOTFOUND'))
    return new KirimError('validation', `Invalid ${field}`, {
      details: { [field]: ['its host name does not exist'] },
      cause: error,
    });
  if (options.signal?.aborted) return new KirimError('unavailable', `Fetching ${field} was aborted`, { cause: error });
  const reason = (error as Error)?.message ?? String(error);
  return new KirimError('unavailable', `Could not fetch ${field}: ${reason}`, { cause: error });
}

function hasCode(error: unknown, code: string): boolean {
  const seen = new Set<unknown>();
  const visit = (e: unknown): boolean => {
    if (!e || typeof e !== 'object' || seen.has(e)) return false;
    seen.add(e);
    const { code: own, cause, errors } = e as { code?: unknown; cause?: unknown; errors?: unknown };
    // Happy-eyeballs connects report an AggregateError of each address's failure.
    return own === code || visit(cause) || (Array.isArray(errors) && errors.some(visit));
  };
  return visit(error);
}
