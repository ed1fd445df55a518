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
