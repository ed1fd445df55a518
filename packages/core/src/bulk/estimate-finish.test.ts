import { describe, expect, it } from 'vitest';
import { DEFAULT_SEND_LIMITS, type SendLimits } from '../outbox/send-limits.js';
import { ManualClock } from '../testing/manual-clock.js';
import { estimateFinish, sendingDays, type SenderLoad } from './estimate-finish.js';

// The defaults: 3 s + up to 2 s of jitter (4 s on average), 1,000 a day.
const AVERAGE_GAP_S = 4;
const sender = (limits: Partial<SendLimits> = {}, more: Partial<SenderLoad> = {}): SenderLoad => ({
  limits: { ...DEFAULT_SEND_LIMITS, ...limits },
  linkedSince: null,
  sentToday: 0,
  ...more,
});
const at = (iso: string) => new Date(iso);
const seconds = (s: number) => s * 1000;

describe('estimateFinish', () => {
  const clock = new ManualClock('2026-01-01T00:00:00.000Z');

  it('takes 20 days for 20,000 recipients at the default 1,000 a day', () => {
    const finish = estimateFinish({ now: clock.now(), remaining: 20_000, delayMs: 0, senders: [sender()] })!;
    // The 20th day's 1,000 messages take 999 average gaps from its midnight.
    expect(finish).toEqual(new Date(Date.parse('2026-01-20T00:00:00.000Z') + seconds(999 * AVERAGE_GAP_S)));
    expect(Math.ceil((finish.getTime() - clock.now().getTime()) / 86_400_000)).toBe(20);
  });

  it('ramps a warming-up number 50, 100, 200, 400, 800 a day, then the daily cap', () => {
    const warming = sender({ warmup: true, warmup_start: 50 }, { linkedSince: clock.now() });
    const finishOf = (remaining: number) =>
      estimateFinish({ now: clock.now(), remaining, delayMs: 0, senders: [warming] });
    expect(finishOf(50)).toEqual(new Date(Date.parse('2026-01-01T00:00:00.000Z') + seconds(49 * AVERAGE_GAP_S)));
    expect(finishOf(51)).toEqual(at('2026-01-02T00:00:00.000Z'));
    expect(finishOf(150)).toEqual(new Date(Date.parse('2026-01-02T00:00:00.000Z') + seconds(99 * AVERAGE_GAP_S)));
    expect(finishOf(351)).toEqual(at('2026-01-04T00:00:00.000Z'));
    expect(finishOf(750 + 800)).toEqual(
      new Date(Date.parse('2026-01-05T00:00:00.000Z') + seconds(799 * AVERAGE_GAP_S)),
    );
    expect(finishOf(1550 + 1000)).toEqual(
      new Date(Date.parse('2026-01-06T00:00:00.000Z') + seconds(999 * AVERAGE_GAP_S)),
    );
    expect(finishOf(1550 + 1001)).toEqual(at('2026-01-07T00:00:00.000Z'));
  });

  it("spaces messages by the job's delay when it is longer than the gap, else by the gap", () => {
    expect(estimateFinish({ now: clock.now(), remaining: 10, delayMs: seconds(10), senders: [sender()] })).toEqual(
      at('2026-01-01T00:01:30.000Z'),
    );
    expect(estimateFinish({ now: clock.now(), remaining: 10, delayMs: seconds(1), senders: [sender()] })).toEqual(
      at('2026-01-01T00:00:36.000Z'),
    );
  });

  it("carries a capped day's overdue messages into the next day, sending them as they fall due", () => {
    // One a minute is 1,440 a day against a cap of 1,000: the 2,000th message is due at minute 1,999, and
    // the second day's cap has room for it then.
    expect(estimateFinish({ now: clock.now(), remaining: 2000, delayMs: 60_000, senders: [sender()] })).toEqual(
      new Date(Date.parse('2026-01-01T00:00:00.000Z') + 1999 * 60_000),
    );
    expect(estimateFinish({ now: clock.now(), remaining: 2001, delayMs: 60_000, senders: [sender()] })).toEqual(
      at('2026-01-03T00:00:00.000Z'),
    );
  });

  it("starts from the first pending message's due time", () => {
    const firstDueAt = at('2026-01-01T01:00:00.000Z');
    expect(
      estimateFinish({ now: clock.now(), remaining: 2, delayMs: seconds(10), firstDueAt, senders: [sender()] }),
    ).toEqual(at('2026-01-01T01:00:10.000Z'));
  });

  it("counts the day's sends already used against the cap", () => {
    const busy = sender({}, { sentToday: 990 });
    expect(estimateFinish({ now: clock.now(), remaining: 20, delayMs: 0, senders: [busy] })).toEqual(
      new Date(Date.parse('2026-01-02T00:00:00.000Z') + seconds(9 * AVERAGE_GAP_S)),
    );
  });

  it("shares a pool's load among its members, each with its own limits", () => {
    expect(estimateFinish({ now: clock.now(), remaining: 2000, delayMs: 0, senders: [sender(), sender()] })).toEqual(
      new Date(Date.parse('2026-01-01T00:00:00.000Z') + seconds(999 * AVERAGE_GAP_S)),
    );
    // A member capped at 10 a day leaves the rest of the day's work to the other.
    const capped = sender({ daily_cap: 10 });
    expect(estimateFinish({ now: clock.now(), remaining: 1010, delayMs: 0, senders: [capped, sender()] })).toEqual(
      new Date(Date.parse('2026-01-01T00:00:00.000Z') + seconds(999 * AVERAGE_GAP_S)),
    );
  });

  it("starts a new day's cap at UTC midnight, as the dispatcher does", () => {
    const lateEvening = at('2026-01-01T23:00:00.000Z');
    // 900 messages fit in the hour before midnight; the other 100 go from midnight under the new day's cap.
    expect(estimateFinish({ now: lateEvening, remaining: 1000, delayMs: 0, senders: [sender()] })).toEqual(
      new Date(Date.parse('2026-01-02T00:00:00.000Z') + seconds(99 * AVERAGE_GAP_S)),
    );
  });

  it('sends everything at once with no gap and no cap, and has no answer without a sender', () => {
    expect(
      estimateFinish({
        now: clock.now(),
        remaining: 100_000,
        delayMs: 0,
        senders: [sender({ min_gap_ms: 0, jitter_ms: 0, daily_cap: 0 })],
      }),
    ).toEqual(clock.now());
    expect(estimateFinish({ now: clock.now(), remaining: 10, delayMs: 0, senders: [] })).toBeNull();
  });
});

describe('sendingDays', () => {
  const twentyThousandFrom = (iso: string) =>
    sendingDays(at(iso), estimateFinish({ now: at(iso), remaining: 20_000, delayMs: 0, senders: [sender()] })!);

  it('says 20 days for 20,000 recipients at the default 1,000 a day, whatever the hour the job starts', () => {
    // Elapsed time would say 19 days after about 01:07: the 20th day's messages are done by then.
    expect(twentyThousandFrom('2026-01-01T00:00:00.000Z')).toBe(20);
    expect(twentyThousandFrom('2026-01-01T13:00:00.000Z')).toBe(20);
    expect(twentyThousandFrom('2026-01-01T22:50:00.000Z')).toBe(20);
  });

  it('adds the day a job starts too late for a full day of sends', () => {
    // From 23:30 the first day holds about 450 messages, so the last ones go on a 21st day.
    expect(twentyThousandFrom('2026-01-01T23:30:00.000Z')).toBe(21);
  });

  it('says 1 for a job that finishes the day it starts', () => {
    expect(sendingDays(at('2026-01-01T09:00:00.000Z'), at('2026-01-01T23:59:59.999Z'))).toBe(1);
    expect(sendingDays(at('2026-01-01T09:00:00.000Z'), at('2026-01-01T09:00:00.000Z'))).toBe(1);
  });
});
