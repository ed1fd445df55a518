import type { Clock } from './clock.js';
import type { Logger } from './logger.js';

/** A background loop that also runs early when woken; see {@link startWakeableLoop}. */
export interface WakeableLoop {
  /** Runs the next tick as soon as the current one ends (wakes coalesce: many wakes, one tick). */
  wake(): void;
  /** Stops after the current tick and resolves when it has ended. */
  stop(): Promise<void>;
}

/**
 * Runs `tick` until stopped: again at once while it returns true (more work waiting), otherwise after
 * `intervalMs` of the clock or a {@link WakeableLoop.wake}. A failing tick is logged and retried after the interval.
 */
export function startWakeableLoop(
  clock: Clock,
  intervalMs: number,
  name: string,
  logger: Logger,
  tick: () => Promise<boolean | void>,
): WakeableLoop {
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
