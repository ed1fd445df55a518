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
 * sender's average gap (`min_gap_ms` + half the jitter) and its daily cap (with warm-up) per UTC day, as
 * the dispatcher does. Null when there is no sender. Other work of the senders is not foreseen.
 */
export function estimateFinish(input: { now: Date; remaining: number; delayMs: number; firstDueAt?: Date; senders: SenderLoad[] }): Date | null {
  const { now, remaining, delayMs, senders } = input;
  if (senders.length === 0) return null;
  const today = startOfDay(now.getTime());
  const state = senders.map((s) => ({ ...s, gap: s.limits.min_gap_ms + s.limits.jitter_ms / 2, nextAt: now.getTime(), day: today, used: s.sentToday }));
  const firstDue = Math.max(now.getTime(), input.firstDueAt?.getTime() ?? 0);
  let finish = now.getTime();
  for (let i = 0; i < remaining; i++) {
    const due = firstDue + i * delayMs;
    let best: { sender: (typeof state)[number]; slot: Slot } | undefined;
    for (const sender of state) {
      const slot = earliestSlot(sender, Math.max(due, sender.nextAt));
      if (!best || slot.at < best.slot.at) best = { sender, slot };
    }
    const { sender, slot } = best!;
    [sender.day, sender.used, sender.nextAt] = [slot.day, slot.used + 1, slot.at + sender.gap];
    finish = slot.at;
  }
  return new Date(finish);
}

/** A time a sender may send, with its UTC day and the sends it made that day before. */
type Slot = { at: number; day: number; used: number };

/**
 * The first time from `at` on when `sender` may send under its daily cap (its count starts afresh on a
 * new UTC day). The cap is at least 1 (or 0: none), so this ends.
 */
function earliestSlot(sender: SenderLoad & { day: number; used: number }, at: number): Slot {
  let { day, used } = sender;
  for (;;) {
    if (startOfDay(at) !== day) [day, used] = [startOfDay(at), 0];
    const cap = dailyCap(sender.limits, sender.linkedSince, new Date(at));
    if (cap === 0 || used < cap) return { at, day, used };
    at = day + DAY_MS;
  }
}

function startOfDay(ms: number): number {
  return ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
}
