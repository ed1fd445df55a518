import type { SocketConfig } from 'baileys';
import type { Logger } from '../../logger.js';

type BaileysLogger = SocketConfig['logger'];

/**
 * Adapts core's {@link Logger} to the logger Baileys expects. Baileys is chatty at `info` (every
 * connect, login and pre-key upload), so its info lines go to `debug`; `trace` is dropped, and the
 * level is reported as `debug` so Baileys never builds its expensive trace dumps.
 */
export function toBaileysLogger(logger: Logger): BaileysLogger {
  const adapted: BaileysLogger = {
    level: 'debug',
    child: (bindings) => toBaileysLogger(logger.child(bindings)),
    trace() {},
    debug: (obj, msg) => logger.debug(asObject(obj), msg),
    info: (obj, msg) => logger.debug(asObject(obj), msg),
    warn: (obj, msg) => logger.warn(asObject(obj), msg),
    error: (obj, msg) => logger.error(asObject(obj), msg),
  };
  return adapted;
}

function asObject(value: unknown): object | string {
  return typeof value === 'object' && value !== null ? value : String(value);
}
