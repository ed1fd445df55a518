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

/** Classifies a close code (`lastDisconnect.error.output.statusCode`, as BAILEYS.md lists them). */
export function decideOnClose(statusCode: number | undefined): CloseDecision {
  if (statusCode === 515) return { action: 'restart' };
  if (statusCode !== undefined && statusCode in LOGGED_OUT_REASONS) return { action: 'logged_out', reason: LOGGED_OUT_REASONS[statusCode]! };
  if (statusCode === 440) return { action: 'replaced', reason: 'connection_replaced' };
  const reason = statusCode === undefined ? 'closed' : (RETRY_REASONS[statusCode] ?? `closed_${statusCode}`);
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
export function backoffDelay(attempt: number, { minMs, maxMs }: BackoffBounds, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
