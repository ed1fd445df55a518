import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Storage } from '@kirim/core';
import { createPostgresStorage } from '@kirim/storage-postgres';
import { createSqliteStorage } from '@kirim/storage-sqlite';
import { afterEach } from 'vitest';
import type { TestDatabase } from './harness.js';
import { freshPostgresUrl } from './postgres.js';

type Cleanups = Array<() => Promise<void>>;

/** What a test leaves to undo, run after each test of the calling `describe` block, last first. */
export function testCleanups(): Cleanups {
  const cleanups: Cleanups = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return cleanups;
}

/** A migrated storage on a fresh PostgreSQL schema, with its connection string (for a connection of a test's own). */
export async function openTestPostgres(cleanups: Cleanups): Promise<{ storage: Storage; url: string }> {
  const url = await freshPostgresUrl();
  const storage = createPostgresStorage({ connectionString: url });
  cleanups.push(() => storage.close());
  await storage.migrate();
  return { storage, url };
}

/**
 * A migrated storage on a new database of the given kind (a SQLite file in a temporary directory, or a
 * fresh PostgreSQL schema); `cleanups` gets what closes and removes it.
 */
export async function openTestStorage(database: TestDatabase, cleanups: Cleanups): Promise<Storage> {
  if (database === 'postgres') return (await openTestPostgres(cleanups)).storage;
  const dir = await mkdtemp(join(tmpdir(), 'kirim-engine-'));
  const storage = createSqliteStorage({ filename: join(dir, 'kirim.db') });
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  cleanups.push(() => storage.close());
  await storage.migrate();
  return storage;
}
