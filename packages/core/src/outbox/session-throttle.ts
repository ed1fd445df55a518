import { dailyCap, type SendLimits } from './send-limits.js';

/**
 * One session's sending state in the process that drives it: when it may send next, how much of the
 * day's cap is used, and the circuit breaker over its recent results.
 */
export class SessionThrottle {
  private nextAt = 0;
  private day = '';
  private sentToday = 0;
  private recent: boolean[] = [];
  /** Until when the breaker holds the session out (ms since epoch); 0 when closed. */
  openUntil = 0;

  constructor(
    /** Called once per UTC day to learn how many messages the session already sent that day. */
    private readonly countSentToday: (dayStart: string) => Promise<number>,
  ) {}

  /** How many rows the session may take this round: 0 while waiting out a gap, a cap or an open breaker. */
  async budget(now: Date, limits: SendLimits, linkedSince: Date | null, batch: number): Promise<number> {
    const day = now.toISOString().slice(0, 10);
    if (day !== this.day) {
      this.day = day;
      this.sentToday = await this.countSentToday(`${day}T00:00:00.000Z`);
    }
    if (this.openUntil > now.getTime()) return 0;
    const cap = dailyCap(limits, linkedSince, now);
    const left = cap === 0 ? batch : Math.max(0, Math.min(batch, cap - this.sentToday));
    if (limits.min_gap_ms === 0 && limits.jitter_ms === 0) return left;
    return now.getTime() >= this.nextAt ? Math.min(1, left) : 0;
  }

  /**
   * Takes the session's next turn for a question to WhatsApp (a number check) and returns how long to wait for it:
   * questions and sends share the gap, so a burst of questions is spaced like sends. The turn is reserved at
   * once, so concurrent questions queue one gap apart.
   */
  reserveQuestion(now: Date, limits: SendLimits, random: () => number = Math.random): number {
    const at = Math.max(now.getTime(), this.nextAt);
    this.nextAt = at + limits.min_gap_ms + Math.floor(random() * (limits.jitter_ms + 1));
    return at - now.getTime();
  }

  /**
   * Records one send's result. Whatever reached WhatsApp spaces the next send (anti-ban): a send, and a
   * question that came to nothing (`queried`); only sends move the breaker, so the caller's faults never
   * open it. `unsent` (nothing reached WhatsApp) neither spaces nor counts.
   * Returns `opened` when this result opened the breaker, `closed` when it was the first success after
   * the cool-down (the caller persists and reports both, so pools in every process follow).
   */
  record(
    result: SendSample,
    now: Date,
    limits: SendLimits,
    random: () => number = Math.random,
  ): 'opened' | 'closed' | undefined {
    if (result === 'unsent') return undefined;
    this.nextAt = now.getTime() + limits.min_gap_ms + Math.floor(random() * (limits.jitter_ms + 1));
    if (result === 'queried') return undefined;
    const ok = result === 'sent';
    if (ok) this.sentToday++;
    this.recent.push(ok);
    if (this.recent.length > limits.breaker_window) this.recent.shift();
    const failures = this.recent.filter((r) => !r).length;
    const tripped =
      this.recent.length >= limits.breaker_min_samples && failures / this.recent.length >= limits.breaker_failure_ratio;
    if (!tripped) {
      // Half-open after the cool-down: the first success closes it.
      if (!ok || this.openUntil === 0 || this.openUntil > now.getTime()) return undefined;
      this.openUntil = 0;
      return 'closed';
    }
    // The window starts afresh, so one more bad run opens it again.
    this.openUntil = now.getTime() + limits.breaker_cooldown_ms;
    this.recent = [];
    return 'opened';
  }
}

/**
 * What one send tells the throttle: it was `sent`, or `failed` at WhatsApp; WhatsApp was only `queried`
 * (a number check, a group's metadata) and the row failed by the caller's input; or it was `unsent`,
 * nothing having reached WhatsApp (the media could not be fetched, the session disconnected).
 */
export type SendSample = 'sent' | 'failed' | 'queried' | 'unsent';
