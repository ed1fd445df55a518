import { describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/manual-clock.js';
import { DEFAULT_SEND_LIMITS } from './send-limits.js';
import { SessionThrottle } from './session-throttle.js';

const limits = {
  ...DEFAULT_SEND_LIMITS,
  min_gap_ms: 0,
  jitter_ms: 0,
  breaker_window: 2,
  breaker_min_samples: 2,
  breaker_failure_ratio: 1,
  breaker_cooldown_ms: 60_000,
};
const at = (ms: number) => new Date(Date.UTC(2025, 0, 1) + ms);

describe('SessionThrottle.record', () => {
  it("never opens the breaker on sends that did not reach WhatsApp (the caller's faults), however many", () => {
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

describe('SessionThrottle.budget', () => {
  const paced = { ...limits, min_gap_ms: 3000, jitter_ms: 2000 };
  const nothingSentYet = async () => 0;

  /** After a send at 0 whose jitter draws `random`, no row until `readyAt`, and one then. */
  async function expectNextRowAt(random: number, readyAt: number): Promise<void> {
    const throttle = new SessionThrottle(nothingSentYet);
    throttle.record('sent', at(0), paced, () => random);
    expect(await throttle.budget(at(readyAt - 1), paced, null, 10)).toBe(0);
    expect(await throttle.budget(at(readyAt), paced, null, 10)).toBe(1);
  }

  it('waits min_gap_ms plus the jitter the injected randomness draws after a send, then hands out one row', async () => {
    // 3000 + floor(0.5 × 2001) = 4000.
    await expectNextRowAt(0.5, 4000);
  });

  it('draws the jitter from 0 to jitter_ms, both included', async () => {
    await expectNextRowAt(0, 3000);
    await expectNextRowAt(0.999_999_9, 5000);
  });

  it("hands out the whole batch, within the day's cap, when there is no gap to keep", async () => {
    const throttle = new SessionThrottle(nothingSentYet);
    expect(await throttle.budget(at(0), { ...limits, daily_cap: 1000 }, null, 500)).toBe(500);
    expect(await throttle.budget(at(0), { ...limits, daily_cap: 30 }, null, 500)).toBe(30);
    expect(await throttle.budget(at(0), { ...limits, daily_cap: 0 }, null, 500)).toBe(500);
  });

  it("stops at the daily cap, asking storage for the day's count once per UTC day, and starts afresh at UTC midnight", async () => {
    const clock = new ManualClock('2026-01-01T23:00:00.000Z');
    const asked: string[] = [];
    const sentBefore: Record<string, number> = { '2026-01-01T00:00:00.000Z': 997, '2026-01-02T00:00:00.000Z': 0 };
    const throttle = new SessionThrottle(async (dayStart) => {
      asked.push(dayStart);
      return sentBefore[dayStart]!;
    });
    const capped = { ...limits, daily_cap: 1000 };
    expect(await throttle.budget(clock.now(), capped, null, 10)).toBe(3);
    for (let i = 0; i < 3; i++) throttle.record('sent', clock.now(), capped);
    expect(await throttle.budget(clock.now(), capped, null, 10)).toBe(0);
    await clock.advance(3_600_000 - 1);
    expect(await throttle.budget(clock.now(), capped, null, 10)).toBe(0);
    expect(asked).toEqual(['2026-01-01T00:00:00.000Z']);
    await clock.advance(1);
    expect(await throttle.budget(clock.now(), capped, null, 10)).toBe(10);
    expect(asked).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z']);
  });

  it('counts only sends toward the cap, not failures, questions or what never reached WhatsApp', async () => {
    const throttle = new SessionThrottle(nothingSentYet);
    const capped = { ...limits, daily_cap: 2, breaker_window: 100, breaker_min_samples: 100 };
    expect(await throttle.budget(at(0), capped, null, 10)).toBe(2);
    for (const sample of ['failed', 'queried', 'unsent', 'sent'] as const) throttle.record(sample, at(0), capped);
    expect(await throttle.budget(at(1), capped, null, 10)).toBe(1);
  });

  it("holds a warming-up session to the ramp's cap for the day: warmup_start doubled once per day since the device was linked", async () => {
    const clock = new ManualClock('2026-01-03T10:00:00.000Z');
    const throttle = new SessionThrottle(async () => 18);
    const warming = { ...limits, warmup: true, warmup_start: 5, daily_cap: 1000 };
    // Linked two UTC days ago: 5 × 2² = 20, of which 18 are sent.
    expect(await throttle.budget(clock.now(), warming, new Date('2026-01-01T20:00:00.000Z'), 10)).toBe(2);
  });

  it('hands out nothing while the breaker is open, however much gap and cap room there is', async () => {
    const throttle = new SessionThrottle(nothingSentYet);
    throttle.openUntil = at(60_000).getTime();
    expect(await throttle.budget(at(59_999), { ...limits, daily_cap: 0 }, null, 10)).toBe(0);
    expect(await throttle.budget(at(60_000), { ...limits, daily_cap: 0 }, null, 10)).toBe(10);
  });
});

describe('SessionThrottle.record, the breaker', () => {
  const breaker = {
    ...limits,
    breaker_window: 4,
    breaker_min_samples: 3,
    breaker_failure_ratio: 0.5,
    breaker_cooldown_ms: 60_000,
  };

  it('stays closed until breaker_min_samples sends are in the window, however many of them failed', () => {
    const throttle = new SessionThrottle(async () => 0);
    expect(throttle.record('failed', at(0), breaker)).toBeUndefined();
    expect(throttle.record('failed', at(1), breaker)).toBeUndefined();
    expect(throttle.record('failed', at(2), breaker)).toBe('opened');
  });

  it('opens when the failure share of the window reaches breaker_failure_ratio, not below it', () => {
    const below = new SessionThrottle(async () => 0);
    for (const [i, sample] of (['sent', 'failed', 'sent'] as const).entries())
      expect(below.record(sample, at(i), breaker)).toBeUndefined();
    const reaching = new SessionThrottle(async () => 0);
    for (const [i, sample] of (['sent', 'failed', 'sent'] as const).entries()) reaching.record(sample, at(i), breaker);
    // 2 failures of 4.
    expect(reaching.record('failed', at(3), breaker)).toBe('opened');
  });

  it('judges only the last breaker_window sends: old failures slide out of the window', () => {
    const throttle = new SessionThrottle(async () => 0);
    for (const [i, sample] of (['failed', 'sent', 'sent', 'sent', 'sent', 'sent'] as const).entries())
      throttle.record(sample, at(i), breaker);
    // The window is now four successes; a failure makes it 1 of 4, under the ratio.
    expect(throttle.record('failed', at(6), breaker)).toBeUndefined();
    expect(throttle.openUntil).toBe(0);
  });

  it('does not close on a success during the cool-down (a send already under way when it opened)', () => {
    const throttle = new SessionThrottle(async () => 0);
    for (let i = 0; i < 3; i++) throttle.record('failed', at(i), breaker);
    expect(throttle.record('sent', at(30_000), breaker)).toBeUndefined();
    expect(throttle.openUntil).toBe(at(60_002).getTime());
  });

  it('half-opens after the cool-down: a fresh window of failures opens it again, for another cool-down', async () => {
    const throttle = new SessionThrottle(async () => 0);
    for (let i = 0; i < 3; i++) throttle.record('failed', at(i), breaker);
    expect(await throttle.budget(at(60_002), breaker, null, 10)).toBe(10);
    expect(throttle.record('failed', at(60_003), breaker)).toBeUndefined();
    expect(throttle.record('failed', at(60_004), breaker)).toBeUndefined();
    expect(throttle.record('failed', at(60_005), breaker)).toBe('opened');
    expect(throttle.openUntil).toBe(at(120_005).getTime());
    expect(await throttle.budget(at(120_004), breaker, null, 10)).toBe(0);
  });
});

describe('SessionThrottle.reserveQuestion', () => {
  const spaced = { ...limits, min_gap_ms: 10_000 };

  it('gives questions reserved at once turns one gap apart, the first at once', () => {
    const throttle = new SessionThrottle(async () => 0);
    expect([0, 1, 2].map(() => throttle.reserveQuestion(at(0), spaced))).toEqual([0, 10_000, 20_000]);
  });

  it('waits out the gap after a send, and holds the next send until the gap after the question', async () => {
    const throttle = new SessionThrottle(async () => 0);
    throttle.record('sent', at(0), spaced);
    expect(throttle.reserveQuestion(at(4_000), spaced)).toBe(6_000);
    expect(await throttle.budget(at(19_999), spaced, null, 10)).toBe(0);
    expect(await throttle.budget(at(20_000), spaced, null, 10)).toBe(1);
  });
});
