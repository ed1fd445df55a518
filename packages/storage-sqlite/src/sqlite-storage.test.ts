import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll } from 'vitest';
import { runStorageConformance } from '@kirim/core/testing';
import { createSqliteStorage } from './index.js';

// Real files, not :memory:, so WAL and the file-level pragmas are exercised as in production: one fresh database
// file a test, all in one folder removed at the end (a folder a test left ~1,500 behind in /tmp per run).
const folder = mkdtempSync(join(tmpdir(), 'kirim-sqlite-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

runStorageConformance('sqlite', () => createSqliteStorage({ filename: join(folder, `${randomUUID()}.db`) }));
