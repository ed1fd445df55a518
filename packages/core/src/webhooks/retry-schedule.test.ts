import { describe, expect, it } from 'vitest';
import { DEFAULT_WEBHOOK_TIMINGS } from './webhook-schemas.js';
import { isRetryable, retryDelayMs } from './retry-schedule.js';

describe('retryDelayMs', () => {
  it('doubles from 5 s, caps at 4 h, and keeps about a day of attempts within the give-up window', () => {
    const mid = () => 0.5;
    const delays = Array.from({ length: 20 }, (_, i) => retryDelayMs(i + 1, DEFAULT_WEBHOOK_TIMINGS, undefined, mid));
    expect(delays.slice(0, 4)).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(Math.max(...delays)).toBe(4 * 3_600_000);
    let total = 0;
    let attempts = 1;
    for (const delay of delays) {
      if (total + delay > DEFAULT_WEBHOOK_TIMINGS.giveUpAfterMs) break;
      total += delay;
      attempts++;
    }
    expect(attempts).toBeGreaterThanOrEqual(15);
    expect(attempts).toBeLessThanOrEqual(20);
  });

  it('jitters within ±20 % and honours Retry-After up to the cap', () => {
    expect(retryDelayMs(1, DEFAULT_WEBHOOK_TIMINGS, undefined, () => 0)).toBe(4_000);
    expect(retryDelayMs(1, DEFAULT_WEBHOOK_TIMINGS, undefined, () => 1)).toBe(6_000);
    expect(retryDelayMs(1, DEFAULT_WEBHOOK_TIMINGS, 60_000, () => 0.5)).toBe(60_000);
    expect(retryDelayMs(1, DEFAULT_WEBHOOK_TIMINGS, 10 * 3_600_000, () => 0.5)).toBe(4 * 3_600_000);
  });
});

describe('isRetryable', () => {
  it('retries network errors, 5xx, 408 and 429, and no other 4xx', () => {
    for (const status of [undefined, 302, 500, 502, 503, 408, 429])
      expect(isRetryable(status), String(status)).toBe(true);
    for (const status of [400, 401, 403, 404, 410, 422]) expect(isRetryable(status), String(status)).toBe(false);
  });
});
