import { dailyCap, type SendLimits } from '../outbox/send-limits.js';

const DAY_MS = 86_400_000;

/** One session a job's messages can go through: its limits, when it was linked (for warm-up), and its sends so far today. */
export interface SenderLoad {
  limits: SendLimits;
  linkedSince: Date | null;
  sentToday: number;
}

/**
 * When `remaining` messages will have gone, expected: the first is due at `firstDueAt` (default `now`) and
 * each next one `delayMs` later; each goes through whichever sender can take it first, keeping that
 * sender's average gap (`min_gap_ms` + half the jitter) and its daily cap per UTC day, as the dispatcher
 * does. A warm-up step in the middle of a day counts from the day's start (the day's total is right).
 * Null when there is no sender. Other work of the senders is not foreseen.
 */
export function estimateFinish(input: {
  now: Date;
  remaining: number;
  delayMs: number;
  firstDueAt?: Date;
  senders: SenderLoad[];
}): Date | null {
  const { now, remaining, delayMs, senders } = input;
  if (senders.length === 0) return null;
  const today = startOfDay(now.getTime());
  const state: Sender[] = senders.map((s) => ({
    ...s,
    gap: s.limits.min_gap_ms + s.limits.jitter_ms / 2,
    nextAt: now.getTime(),
    day: today,
    used: s.sentToday,
    cap: dailyCapOn(s, today),
  }));
  const firstDue = Math.max(now.getTime(), input.firstDueAt?.getTime() ?? 0);
  let finish = now.getTime();
  // Message by message, exact under the rules above; a day every sender spends its whole cap on is taken at once.
  for (let i = 0; i < remaining; i++) {
    const due = firstDue + i * delayMs;
    let best = state[0];
    let bestAt = Infinity;
    for (const sender of state) {
      const at = earliestSend(sender, Math.max(due, sender.nextAt));
      if (at < bestAt) {
        best = sender;
        bestAt = at;
      }
    }
    if (startOfDay(bestAt) > startOfDay(finish)) {
      const skipped = fullDays(state, startOfDay(bestAt), { next: i, left: remaining - i, firstDue, delayMs });
      if (skipped > 0) {
        i += skipped - 1;
        continue;
      }
    }
    moveTo(best, startOfDay(bestAt));
    best.used++;
    best.nextAt = bestAt + best.gap;
    finish = bestAt;
  }
  return new Date(finish);
}

/**
 * Takes whole days from `day` on during which every sender sends its full cap (it is free at the day's start,
 * the cap fits in the day at its gap, and every message of the day is due by then), leaving at least one
 * message for after. Returns how many messages those days sent (0: none could be taken).
 */
function fullDays(
  state: Sender[],
  day: number,
  job: { next: number; left: number; firstDue: number; delayMs: number },
): number {
  let taken = 0;
  for (; ; day += DAY_MS) {
    const caps = state.map((sender) => dailyCapOn(sender, day));
    const total = caps.reduce((sum, cap) => sum + cap, 0);
    const fits = state.every((sender, k) => caps[k] > 0 && sender.nextAt <= day && (caps[k] - 1) * sender.gap < DAY_MS);
    if (!fits || total >= job.left - taken || job.firstDue + (job.next + taken + total - 1) * job.delayMs > day)
      return taken;
    state.forEach((sender, k) => Object.assign(sender, { day, used: caps[k], nextAt: day + caps[k] * sender.gap }));
    taken += total;
  }
}

/** A sender as the estimate goes: when it may send next, and its UTC day with the sends made and the cap. */
type Sender = SenderLoad & { gap: number; nextAt: number; day: number; used: number; cap: number };

/** The first time from `at` on when `sender` may send under its daily cap (0: none; else at least 1, so this ends). */
function earliestSend(sender: Sender, at: number): number {
  let day = sender.day;
  let used = sender.used;
  let cap = sender.cap;
  for (;;) {
    if (at >= day + DAY_MS) {
      day = startOfDay(at);
      used = 0;
      cap = dailyCapOn(sender, day);
    }
    if (cap === 0 || used < cap) return at;
    at = day + DAY_MS;
  }
}

/** Starts the sender's count afresh when `day` is a new UTC day. */
function moveTo(sender: Sender, day: number): void {
  if (day === sender.day) return;
  sender.day = day;
  sender.used = 0;
  sender.cap = dailyCapOn(sender, day);
}

const capCache = new WeakMap<SenderLoad, { day: number; cap: number }>();

/** The sender's cap on the UTC day starting at `day`: the one in force at its end (warm-up only raises it). */
function dailyCapOn(sender: SenderLoad, day: number): number {
  const cached = capCache.get(sender);
  if (cached?.day === day) return cached.cap;
  const cap = dailyCap(sender.limits, sender.linkedSince, new Date(day + DAY_MS - 1));
  capCache.set(sender, { day, cap });
  return cap;
}

/**
 * The UTC days on which sends from `now` until `finish` fall, today included: 1 when the job finishes today.
 * Daily caps are counted per UTC day, so this is how many days' caps a job spends.
 */
export function sendingDays(now: Date, finish: Date): number {
  return Math.max(1, (startOfDay(finish.getTime()) - startOfDay(now.getTime())) / DAY_MS + 1);
}

function startOfDay(ms: number): number {
  return ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
}
