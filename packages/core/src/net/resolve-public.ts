import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { validationError } from '../validation.js';
import { assertPublicHttpUrl, isPublicAddress, type HostResolver } from './safe-fetch.js';

/** The system resolver (`dns.lookup`, every address): what a connection would use. */
export const systemResolver: HostResolver = (hostname) => lookup(hostname, { all: true });

/** Options of {@link assertResolvesPublic}. */
export interface ResolvePublicOptions {
  /** Let private, loopback and link-local addresses through (operators and tests); default false. */
  allowPrivate?: boolean;
  /** Host name resolver; default {@link systemResolver}. */
  resolve?: HostResolver;
  /** Longest wait for the resolver; default 5000 ms. */
  timeoutMs?: number;
}

/**
 * Checks `url` as {@link assertPublicHttpUrl} does, then resolves its host name and throws a `validation`
 * error naming `field` when any address it resolves to is not public unicast. A name that does not resolve
 * (or not in time) passes: this check is for an early, clear answer, and the connection is checked
 * again by safeFetch, whose check is the one that holds (the answer may change: DNS rebinding).
 */
export async function assertResolvesPublic(url: string, field: string, options: ResolvePublicOptions = {}): Promise<URL> {
  const parsed = assertPublicHttpUrl(url, field, options.allowPrivate);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (options.allowPrivate || isIP(host)) return parsed;
  const refused = await firstPrivateAddress(host, options.resolve ?? systemResolver, options.timeoutMs ?? 5_000);
  if (refused) throw validationError({ [field]: [`must not point to a private, loopback or link-local address (${host} resolves to ${refused})`] });
  return parsed;
}

/** The first address of `hostname` that is not public unicast; undefined when there is none or the name does not resolve in time. */
export async function firstPrivateAddress(hostname: string, resolve: HostResolver = systemResolver, timeoutMs = 5_000): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<[]>((settle) => {
    timer = setTimeout(() => settle([]), timeoutMs);
  });
  try {
    const addresses = await Promise.race([resolve(hostname).catch(() => []), late]);
    return addresses.find((a) => !isPublicAddress(a.address))?.address;
  } finally {
    clearTimeout(timer);
  }
}
