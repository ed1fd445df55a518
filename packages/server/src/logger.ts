import type { Logger } from '@kirim/core';
import pino from 'pino';

/** The server's structured logger. Tokens never reach it: the usual places they could hide are redacted. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'token',
        '*.token',
        'authorization',
        '*.authorization',
        'headers.authorization',
        'req.headers.authorization',
        'secret',
        '*.secret',
      ],
      censor: '[redacted]',
    },
  }) as unknown as Logger;
}
