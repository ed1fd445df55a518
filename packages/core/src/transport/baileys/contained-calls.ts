import type { Logger } from '../../logger.js';

/** Calls a transport listener; listeners must not throw, and if one does, the session goes on. */
export function callListener(log: Logger, name: string, call: () => void): void {
  try {
    call();
  } catch (error) {
    log.error({ err: error, listener: name }, 'transport listener threw');
  }
}

/** Runs a Baileys event handler, logging (never rethrowing) what it throws or rejects with. */
export function runHandler(log: Logger, name: string, run: () => unknown): void {
  try {
    const result = run();
    if (result instanceof Promise)
      result.catch((error) => log.error({ err: error, handler: name }, 'Baileys event handler failed'));
  } catch (error) {
    log.error({ err: error, handler: name }, 'Baileys event handler failed');
  }
}

/** Wraps a Baileys event handler so that only the current socket's events are handled, and failures contained. */
export type LiveHandler = <A extends unknown[]>(name: string, handler: (...args: A) => unknown) => (...args: A) => void;
