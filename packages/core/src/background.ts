import type { Clock } from './clock.js';
import type { Logger } from './logger.js';

/** A loop running `tick` every `intervalMs` of the clock until stopped; a failing tick is logged, never fatal. */
export interface BackgroundLoop {
  /** Runs a tick now (between scheduled ones), resolving when it is done. */
  poke(): Promise<void>;
  /** Stops after the current tick. */
  stop(): Promise<void>;
}

/** Starts a background loop. */
export function every(
  clock: Clock,
  intervalMs: number,
  name: string,
  logger: Logger,
  tick: () => Promise<void>,
): BackgroundLoop {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const runTick = () => {
    running = running
      .then(tick)
      .catch((error) => logger.error({ err: error, loop: name }, 'background loop tick failed'));
    return running;
  };
  const loop = (async () => {
    while (!stopped) {
      await runTick();
      if (stopped) break;
      await clock.sleep(intervalMs);
    }
  })();
  return {
    poke: () => (stopped ? Promise.resolve() : runTick()),
    async stop() {
      stopped = true;
      await running;
      void loop;
    },
  };
}
