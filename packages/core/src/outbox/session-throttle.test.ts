import { describe, expect, it } from 'vitest';
import { DEFAULT_SEND_LIMITS } from './send-limits.js';
import { SessionThrottle } from './session-throttle.js';

const limits = { ...DEFAULT_SEND_LIMITS, min_gap_ms: 0, jitter_ms: 0, breaker_window: 2, breaker_min_samples: 2, breaker_failure_ratio: 1, breaker_cooldown_ms: 60_000 };
const at = (ms: number) => new Date(Date.UTC(2025, 0, 1) + ms);

describe('SessionThrottle.record', () => {
  it('never opens the breaker on sends that did not reach WhatsApp (the caller\'s faults), however many', () => {
    const throttle = new SessionThrottle(async () => 0);
    for (let i = 0; i < 50; i++) expect(throttle.record('unsent', at(i), limits)).toBeUndefined();
    expect(throttle.openUntil).toBe(0);
  });

  it('spaces the next send after a number check or group refusal that reached WhatsApp (queried), without counting it for the breaker', async () => {
    const spaced = { ...limits, min_gap_ms: 10_000 };
    const throttle = new SessionThrottle(async () => 0);
    for (let i = 0; i < 5; i++) expect(throttle.record('queried', at(i), spaced)).toBeUndefined();
    expect(throttle.openUntil).toBe(0);
    expect(await throttle.budget(at(5_000), spaced, null, 10)).toBe(0);
    expect(await throttle.budget(at(10_004), spaced, null, 10)).toBe(1);
    // Not counted: one WhatsApp-side failure alone, after five refusals, does not fill the two-sample window.
    expect(throttle.record('failed', at(10_005), spaced)).toBeUndefined();
  });

  it('does not space the next send after one that never reached WhatsApp (unsent)', async () => {
    const spaced = { ...limits, min_gap_ms: 10_000 };
    const throttle = new SessionThrottle(async () => 0);
    throttle.record('unsent', at(0), spaced);
    expect(await throttle.budget(at(1), spaced, null, 10)).toBe(1);
  });

  it('opens on WhatsApp-side failures, holds the session for the cool-down, and closes on the first success after it', async () => {
    const throttle = new SessionThrottle(async () => 0);
    expect(throttle.record('failed', at(0), limits)).toBeUndefined();
    expect(throttle.record('failed', at(1), limits)).toBe('opened');
    expect(throttle.openUntil).toBe(at(60_001).getTime());
    expect(await throttle.budget(at(30_000), limits, null, 10)).toBe(0);
    expect(await throttle.budget(at(60_001), limits, null, 10)).toBe(10);
    expect(throttle.record('sent', at(60_002), limits)).toBe('closed');
    expect(throttle.openUntil).toBe(0);
    expect(throttle.record('sent', at(60_003), limits)).toBeUndefined();
  });
});
