import { describe, expect, it } from 'vitest';
import { DEFAULT_SEND_LIMITS, dailyCap, effectiveLimits, sendLimitsSchema } from './send-limits.js';

const warming = { ...DEFAULT_SEND_LIMITS, warmup: true, warmup_start: 50, daily_cap: 1000 };
const linked = new Date('2026-03-10T09:00:00.000Z');
// A moment `days` UTC days after the linking day, at the given time of day.
const dayAfter = (days: number, time = '12:00:00.000') =>
  new Date(`2026-03-${String(10 + days).padStart(2, '0')}T${time}Z`);

describe('dailyCap', () => {
  it('is daily_cap when warm-up is off, however new the device', () => {
    expect(dailyCap({ ...warming, warmup: false }, linked, linked)).toBe(1000);
  });

  it('is daily_cap when the device has never been linked (no link date to count from)', () => {
    expect(dailyCap(warming, null, linked)).toBe(1000);
  });

  it('starts at warmup_start on the day the device was linked and doubles each day after, up to daily_cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((day) => dailyCap(warming, linked, dayAfter(day)))).toEqual([
      50, 100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it('ramps without end when daily_cap is 0 (no cap)', () => {
    const uncapped = { ...warming, daily_cap: 0 };
    expect([0, 1, 10, 20].map((day) => dailyCap(uncapped, linked, dayAfter(day)))).toEqual([
      50,
      100,
      50 * 2 ** 10,
      50 * 2 ** 20,
    ]);
  });

  it("counts a link date in the future (another host's clock ahead of ours) as the first day", () => {
    expect(dailyCap(warming, dayAfter(2), linked)).toBe(50);
  });

  it('keeps one cap for a whole UTC day, rising at UTC midnight, not at the hour of day the device was linked', () => {
    const lateLink = new Date('2026-03-10T23:00:00.000Z');
    expect(dailyCap(warming, lateLink, new Date('2026-03-10T23:59:59.999Z'))).toBe(50);
    expect(dailyCap(warming, lateLink, new Date('2026-03-11T00:00:00.000Z'))).toBe(100);
    expect(dailyCap(warming, lateLink, new Date('2026-03-11T22:59:59.999Z'))).toBe(100);
    expect(dailyCap(warming, lateLink, new Date('2026-03-11T23:00:00.000Z'))).toBe(100);
    expect(dailyCap(warming, lateLink, new Date('2026-03-12T00:00:00.000Z'))).toBe(200);
  });
});

describe('effectiveLimits', () => {
  it("applies the engine's defaults, then the pool's, then the session's own, skipping what is not given", () => {
    const limits = effectiveLimits(DEFAULT_SEND_LIMITS, { min_gap_ms: 9000, daily_cap: 300 }, undefined, {
      daily_cap: 200,
    });
    expect(limits).toEqual({ ...DEFAULT_SEND_LIMITS, min_gap_ms: 9000, daily_cap: 200 });
  });
});

describe('sendLimitsSchema', () => {
  it('takes any subset of the limits and refuses unknown ones', () => {
    expect(sendLimitsSchema.parse({ daily_cap: 0 })).toEqual({ daily_cap: 0 });
    expect(sendLimitsSchema.safeParse({ daily_limit: 10 }).success).toBe(false);
  });
});
