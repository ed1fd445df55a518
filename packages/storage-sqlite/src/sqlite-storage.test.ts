import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStorageConformance } from '@kirim/core/testing';
import { createSqliteStorage } from './index.js';

// Real files, not :memory:, so WAL and the file-level pragmas are exercised as in production.
runStorageConformance('sqlite', async () =>
  createSqliteStorage({ filename: join(await mkdtemp(join(tmpdir(), 'kirim-sqlite-')), 'kirim.db') }),
);
