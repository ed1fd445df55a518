import type { WebhookTimings } from './webhook-schemas.js';

/**
 * Delay before the attempt after `attempts` failed ones: `retryBaseMs` doubled per failure, capped at
 * `retryMaxMs`, times a jitter of ±20 % so that a receiver coming back is not hit by every retry at once.
 * A `Retry-After` the receiver sent (ms) is honoured up to the cap.
 */
export function retryDelayMs(
  attempts: number,
  timings: Pick<WebhookTimings, 'retryBaseMs' | 'retryMaxMs'>,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(timings.retryMaxMs, timings.retryBaseMs * 2 ** Math.max(0, attempts - 1));
  const jittered = Math.round(exponential * (0.8 + 0.4 * random()));
  return Math.min(timings.retryMaxMs, Math.max(jittered, retryAfterMs ?? 0));
}

/** Whether a failed attempt is retried: network errors, 3xx, 5xx, 408 and 429 are; other 4xx answers are final. */
export function isRetryable(status: number | undefined): boolean {
  return status === undefined || status < 400 || status >= 500 || status === 408 || status === 429;
}
