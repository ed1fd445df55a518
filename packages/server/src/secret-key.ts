import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@kirim/core';
import type { ServerConfig } from './config.js';

/**
 * The key sealing webhook secrets: `KIRIM_SECRET_KEY` when set; otherwise `DATA_DIR/secret.key`
 * (32 random bytes, created on first start, mode 0600), kept apart from the database so that a copy
 * of the database alone does not reveal the secrets.
 */
export function resolveSecretKey(config: ServerConfig, logger: Logger): Uint8Array | string {
  if (config.secretKey) return config.secretKey;
  const file = join(config.dataDir, 'secret.key');
  if (config.databaseUrl) {
    logger.warn(
      { file },
      'KIRIM_SECRET_KEY is unset: webhook secrets are sealed with DATA_DIR/secret.key; every process sharing the database needs the same KIRIM_SECRET_KEY',
    );
  }
  mkdirSync(config.dataDir, { recursive: true });
  try {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file} does not hold 32 bytes in base64`);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32);
  try {
    // `wx`: two processes starting at once on one DATA_DIR cannot both write a key.
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    logger.info({ file }, 'created the secret key that seals webhook secrets; back it up with the database');
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return resolveSecretKey(config, logger);
    throw error;
  }
}
