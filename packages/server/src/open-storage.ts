import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger, Storage } from '@kirim/core';
import { createPostgresStorage } from '@kirim/storage-postgres';
import { createSqliteStorage } from '@kirim/storage-sqlite';
import type { ServerConfig } from './config.js';

/** PostgreSQL when `DATABASE_URL` is set, otherwise SQLite in `DATA_DIR/kirim.db`; migrated. */
export async function openStorage(config: ServerConfig, logger?: Logger): Promise<Storage> {
  let storage: Storage;
  if (config.databaseUrl) {
    storage = createPostgresStorage({ connectionString: config.databaseUrl, logger });
  } else {
    mkdirSync(config.dataDir, { recursive: true });
    storage = createSqliteStorage({ filename: join(config.dataDir, 'kirim.db') });
  }
  await storage.migrate();
  return storage;
}
