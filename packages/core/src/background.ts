import type { Clock } from './clock.js';
import type { Logger } from './logger.js';

/** A background loop started by {@link startLoop}. */
export interface BackgroundLoop {
  /** Runs the next tick as soon as the current one ends, or now if idle (wakes coalesce: many wakes, one tick). */
  wake(): void;
  /** Stops after the current tick and resolves when it has ended. */
  stop(): Promise<void>;
}

/**
 * Runs `tick` now and until stopped: again at once while it returns true (more work waiting), otherwise after
 * `intervalMs` of the clock or a {@link BackgroundLoop.wake}. A failing tick is logged, never fatal, and retried
 * after the interval.
 */
export function startLoop(
  clock: Clock,
  intervalMs: number,
  name: string,
  logger: Logger,
  tick: () => Promise<boolean | void>,
): BackgroundLoop {
  let stopped = false;
  let woken = false;
  let wakeUp: (() => void) | undefined;
  const loop = (async () => {
    while (!stopped) {
      woken = false;
      let more = false;
      try {
        more = (await tick()) === true;
      } catch (error) {
        logger.error({ err: error, loop: name }, 'background loop tick failed');
      }
      if (stopped || more || woken) continue;
      await Promise.race([clock.sleep(intervalMs), new Promise<void>((resolve) => (wakeUp = resolve))]);
      wakeUp = undefined;
    }
  })();
  return {
    wake() {
      woken = true;
      wakeUp?.();
    },
    async stop() {
      stopped = true;
      wakeUp?.();
      await loop;
    },
  };
}
