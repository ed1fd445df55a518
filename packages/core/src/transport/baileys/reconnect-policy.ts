/** What to do after a Baileys socket closed, by its close code. */
export type CloseDecision =
  /** 515 (restart required, normal right after pairing): a new socket at once. */
  | { action: 'restart' }
  /** 401 / 403 / 411: the credentials are void; wipe them, the device must be linked again. */
  | { action: 'logged_out'; reason: string }
  /** 440: another client took the session over; report it, do not fight for it. */
  | { action: 'replaced'; reason: string }
  /** Anything else (428, 408, 500, 503, unknown): a new socket after a back-off. */
  | { action: 'retry'; reason: string };

const LOGGED_OUT_REASONS: Record<number, string> = {
  401: 'logged_out',
  403: 'forbidden',
  411: 'multidevice_mismatch',
};

const RETRY_REASONS: Record<number, string> = {
  408: 'timed_out',
  428: 'connection_closed',
  500: 'bad_session',
  503: 'unavailable',
};

// Baileys reports every network error as 408; the socket error's code says which it was.
const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection_refused',
  ECONNRESET: 'connection_reset',
  ENOTFOUND: 'host_not_found',
  EAI_AGAIN: 'host_not_found',
  ENETUNREACH: 'network_unreachable',
  EHOSTUNREACH: 'network_unreachable',
  ETIMEDOUT: 'timed_out',
  // A session's proxy would not carry the socket (ProxyRefusal's codes).
  EPROXY407: 'proxy refused: 407 Proxy Authentication Required',
  EPROXYSTATUS: 'proxy refused: it would not open a tunnel to WhatsApp',
  ESOCKSAUTH: 'proxy refused: SOCKS authentication failed',
  ESOCKSREFUSED: 'proxy refused: it would not connect to WhatsApp',
  ESOCKSHANDSHAKE: 'proxy refused: the SOCKS handshake failed (check the credentials)',
  EPROXYDOWN: 'proxy refused: connection refused',
};

/**
 * Classifies a close code (`lastDisconnect.error.output.statusCode`, as BAILEYS.md lists them); a network
 * error's code (`lastDisconnect.error.data.code`, e.g. `ECONNREFUSED`) names the reason of a 408.
 */
export function decideOnClose(statusCode: number | undefined, networkErrorCode?: string): CloseDecision {
  if (statusCode === 515) return { action: 'restart' };
  if (statusCode !== undefined && statusCode in LOGGED_OUT_REASONS)
    return { action: 'logged_out', reason: LOGGED_OUT_REASONS[statusCode]! };
  if (statusCode === 440) return { action: 'replaced', reason: 'connection_replaced' };
  const network = statusCode === 408 && networkErrorCode ? NETWORK_REASONS[networkErrorCode] : undefined;
  const reason =
    network ?? (statusCode === undefined ? 'closed' : (RETRY_REASONS[statusCode] ?? `closed_${statusCode}`));
  return { action: 'retry', reason };
}

/** Bounds of the reconnect back-off. */
export interface BackoffBounds {
  /** First delay, in ms. */
  minMs: number;
  /** Cap, in ms. */
  maxMs: number;
}

/**
 * The delay before reconnect attempt `attempt` (0-based): exponential from `minMs`, capped at
 * `maxMs`, with "equal jitter" (half fixed, half random) so that many sessions dropped together by
 * one network blip do not all reconnect in the same instant.
 */
export function backoffDelay(
  attempt: number,
  { minMs, maxMs }: BackoffBounds,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** When a run of failed attempts is given up: ms from its first failure; 0 never gives up. */
export interface GiveUpAfter {
  /** A session that has been linked (it has credentials): it comes back by itself when the network does. */
  linkedMs: number;
  /** A session being linked: someone is waiting for its QR code, and should hear soon that none is coming. */
  unlinkedMs: number;
}

/**
 * The reconnect attempts since the link was last open: each failure gets the back-off before the next
 * attempt, until the next attempt would start past the give-up time, counted from the run's first failure.
 */
export class ReconnectSchedule {
  private scheduled = 0;
  private failingSince: number | null = null;

  constructor(
    private readonly bounds: BackoffBounds,
    private readonly random: () => number = Math.random,
  ) {}

  /** Attempts scheduled since the link was last open. */
  get attempts(): number {
    return this.scheduled;
  }

  /** After a failure at `now` (ms): the delay before the next attempt, or null to give up (`giveUpAfterMs` 0: never). */
  next(now: number, giveUpAfterMs: number): number | null {
    this.failingSince ??= now;
    const delay = backoffDelay(this.scheduled, this.bounds, this.random);
    if (giveUpAfterMs > 0 && now + delay - this.failingSince > giveUpAfterMs) return null;
    this.scheduled += 1;
    return delay;
  }

  /** The link opened: the next failure starts a new run. */
  reset(): void {
    this.scheduled = 0;
    this.failingSince = null;
  }
}
