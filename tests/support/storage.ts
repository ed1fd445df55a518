import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Storage } from '@kirim/core';
import { createPostgresStorage } from '@kirim/storage-postgres';
import { createSqliteStorage } from '@kirim/storage-sqlite';
import type { TestDatabase } from './harness.js';
import { freshPostgresUrl } from './postgres.js';

/**
 * A migrated storage on a new database of the given kind (a SQLite file in a temporary directory, or a
 * fresh PostgreSQL schema); `cleanups` gets what closes and removes it.
 */
export async function openTestStorage(database: TestDatabase, cleanups: Array<() => Promise<void>>): Promise<Storage> {
  let storage: Storage;
  if (database === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'kirim-engine-'));
    storage = createSqliteStorage({ filename: join(dir, 'kirim.db') });
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
  } else {
    storage = createPostgresStorage({ connectionString: await freshPostgresUrl() });
  }
  cleanups.push(() => storage.close());
  await storage.migrate();
  return storage;
}
