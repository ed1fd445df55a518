/** Where core reads time from; inject a manual clock in tests so nothing sleeps for real. */
export interface Clock {
  /** The current time. */
  now(): Date;
  /** Resolves after `ms` milliseconds of this clock's time; see {@link SleepOptions}. */
  sleep(ms: number, options?: SleepOptions): Promise<void>;
}

/** How a sleep ends and whether it keeps the process alive. */
export interface SleepOptions {
  /** Cancels the sleep: it rejects with the signal's reason once aborted, and its timer is dropped. */
  signal?: AbortSignal;
  /**
   * Keep the process alive while sleeping, as a plain timer does; default true with a `signal` (its owner ends it),
   * false without one (nobody could end it at shutdown). False for waits nobody should have to end before exiting.
   */
  hold?: boolean;
}

/** The wall clock; a sleep keeps the process alive as {@link SleepOptions.hold} says. */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, { signal, hold = signal !== undefined } = {}) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const cancel = () => {
        clearTimeout(timer);
        reject(signal!.reason);
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', cancel);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener('abort', cancel, { once: true });
      if (!hold) timer.unref();
    }),
};

/** A time limit counted on a clock: its signal aborts once the time is up; `clear()` drops the timer when done. */
export interface ClockTimeout {
  readonly signal: AbortSignal;
  clear(): void;
}

/**
 * A time limit of `ms` on `clock`, for work that takes an AbortSignal. Unlike `AbortSignal.timeout`, which counts
 * wall time, it ends when `clock` says so, so a test's manual clock decides when the limit is up. It keeps the
 * process alive unless `hold` is false (default true).
 */
export function clockTimeout(clock: Clock, ms: number, { hold = true }: { hold?: boolean } = {}): ClockTimeout {
  const timeout = new AbortController();
  const done = new AbortController();
  clock.sleep(ms, { signal: done.signal, hold }).then(
    () => timeout.abort(new DOMException('The operation timed out.', 'TimeoutError')),
    () => undefined,
  );
  return { signal: timeout.signal, clear: () => done.abort() };
}
