/** Where core reads time from; inject a manual clock in tests so nothing sleeps for real. */
export interface Clock {
  /** The current time. */
  now(): Date;
  /**
   * Resolves after `ms` milliseconds of this clock's time. Given a `signal`, the sleep is a timer its owner
   * cancels: it rejects with the signal's reason once aborted, and the timer is dropped.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The wall clock. A sleep without a signal does not keep the process alive (nobody could end it at
 * shutdown); one with a signal does until it ends or is aborted, as a plain timer does: its owner ends it.
 */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
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
      if (signal) signal.addEventListener('abort', cancel, { once: true });
      else timer.unref();
    }),
};

/** A time limit counted on a clock: its signal aborts once the time is up; `clear()` drops the timer when done. */
export interface ClockTimeout {
  readonly signal: AbortSignal;
  clear(): void;
}

/**
 * A time limit of `ms` on `clock`, for work that takes an AbortSignal. Unlike `AbortSignal.timeout`, which counts
 * wall time, it ends when `clock` says so, so a test's manual clock decides when the limit is up.
 */
export function clockTimeout(clock: Clock, ms: number): ClockTimeout {
  const timeout = new AbortController();
  const done = new AbortController();
  clock.sleep(ms, done.signal).then(
    () => timeout.abort(new DOMException('The operation timed out.', 'TimeoutError')),
    () => undefined,
  );
  return { signal: timeout.signal, clear: () => done.abort() };
}
