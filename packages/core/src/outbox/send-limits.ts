import { z } from 'zod';
import type { Pool } from '../pools/pool-schemas.js';
import type { Session } from '../sessions/session-schemas.js';

/**
 * The anti-ban controls the dispatcher enforces for one session. Defaults are safe for a real number:
 * about 15 messages a minute, at most 1,000 a day, and a breaker that stops a session whose recent
 * sends mostly fail. Each can be set per session and per pool (the session's own settings win).
 */
export interface SendLimits {
  /** Least time between two sends of the session, ms. */
  min_gap_ms: number;
  /** A random 0..jitter_ms added to each gap, so the rhythm is not machine-regular. */
  jitter_ms: number;
  /** Sends per UTC day; 0 means no cap. */
  daily_cap: number;
  /** Ramp a new number up: the cap starts at `warmup_start` on its first day and doubles daily until `daily_cap`. */
  warmup: boolean;
  warmup_start: number;
  /** Circuit breaker: over the last `breaker_window` sends, at least `breaker_min_samples`, a failure share of `breaker_failure_ratio` or more opens it for `breaker_cooldown_ms`. */
  breaker_window: number;
  breaker_min_samples: number;
  breaker_failure_ratio: number;
  breaker_cooldown_ms: number;
  /** Ask WhatsApp whether a number exists before the first message to it. */
  check_recipients: boolean;
  /** Show `composing` before each bulk message, for a time growing with its text (1 to 5 s, within the gap). */
  simulate_typing: boolean;
}

export const DEFAULT_SEND_LIMITS: SendLimits = {
  min_gap_ms: 3000,
  jitter_ms: 2000,
  daily_cap: 1000,
  warmup: false,
  warmup_start: 50,
  breaker_window: 20,
  breaker_min_samples: 10,
  breaker_failure_ratio: 0.5,
  breaker_cooldown_ms: 5 * 60_000,
  check_recipients: false,
  simulate_typing: false,
};

/** Settings as the API takes them: every limit optional. */
export const sendLimitsSchema = z
  .object({
    min_gap_ms: z.number().int().min(0).max(3_600_000),
    jitter_ms: z.number().int().min(0).max(3_600_000),
    daily_cap: z.number().int().min(0).max(1_000_000),
    warmup: z.boolean(),
    warmup_start: z.number().int().min(1).max(100_000),
    breaker_window: z.number().int().min(1).max(1000),
    breaker_min_samples: z.number().int().min(1).max(1000),
    breaker_failure_ratio: z.number().min(0).max(1),
    breaker_cooldown_ms: z.number().int().min(0).max(86_400_000),
    check_recipients: z.boolean(),
    simulate_typing: z.boolean(),
  })
  .partial()
  .strict();

/** The limits that apply: the engine's defaults, then the pool's, then the session's own. */
export function effectiveLimits(
  defaults: SendLimits,
  ...overrides: Array<Partial<SendLimits> | undefined>
): SendLimits {
  return Object.assign({}, defaults, ...overrides.filter(Boolean));
}

/** The limits that apply to a session: the engine's `defaults`, then those of its pools among `pools`, then its own. */
export function sessionLimits(defaults: SendLimits, session: Session, pools: Pool[]): SendLimits {
  const poolSettings = pools.filter((p) => p.session_ids.includes(session.id)).map((p) => p.settings);
  return effectiveLimits(defaults, ...poolSettings, session.settings as Partial<SendLimits>);
}

/** The day's cap under warm-up: `warmup_start` on the UTC day the device was linked, doubling each UTC day after, never past `daily_cap` (0: no cap). */
export function dailyCap(limits: SendLimits, linkedSince: Date | null, now: Date): number {
  if (!limits.warmup || !linkedSince) return limits.daily_cap;
  // Counted in UTC days, the days the cap is counted in: counted from the hour of linking, the cap rose mid-day.
  const days = Math.max(0, utcDay(now) - utcDay(linkedSince));
  const ramp = limits.warmup_start * 2 ** Math.min(days, 30);
  return limits.daily_cap === 0 ? ramp : Math.min(ramp, limits.daily_cap);
}

function utcDay(time: Date): number {
  return Math.floor(time.getTime() / 86_400_000);
}
