import { randomUUID } from 'node:crypto';
import { createSqliteStorage } from '@kirim/storage-sqlite';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startScraperStandin, type Standin } from '../../../../tests/support/lead-source-standins.js';
import type { KirimEvent } from '../events.js';
import { createKirim, type Kirim } from '../kirim.js';
import { aUser } from '../testing/conformance/conformance-context.js';
import { ManualClock } from '../testing/manual-clock.js';
import { ScraperLeadSource } from './sources/scraper-lead-source.js';

const RESULTS = Array.from({ length: 5 }, (_, i) => ({ business_name: `Bengkel ${i}`, phone: `08132000300${i}` }));

describe('LeadTaskService runner', () => {
  let kirim: Kirim | undefined;
  let standin: Standin | undefined;
  afterEach(async () => {
    await kirim?.stop();
    await kirim?.storage.close();
    await standin?.close();
  });

  it('resumes a task left running by a dead process once its lease lapses, after its last stored result', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00.000Z');
    standin = await startScraperStandin({ results: RESULTS, pageSize: 10 });
    const storage = createSqliteStorage({ filename: ':memory:' });
    await storage.migrate();
    const user = aUser();
    await storage.users.insert(user);

    // What a process that died after storing two results leaves behind.
    const taskId = randomUUID();
    const at = clock.now().toISOString();
    await storage.leadTasks.insert({
      id: taskId,
      user_id: user.id,
      query: 'bengkel',
      total: 10,
      source: 'scraper',
      status: 'running',
      found: 2,
      saved: 2,
      merged: 0,
      skipped: 0,
      error: null,
      cursor: JSON.stringify({ page: null, index: 2 }),
      lease_owner: 'dead-process',
      lease_expires_at: '2026-01-01T00:01:00.000Z',
      attempts: 1,
      created_at: at,
      started_at: at,
      finished_at: null,
      updated_at: at,
    });
    for (const [i, result] of RESULTS.slice(0, 2).entries()) {
      const lead = {
        id: randomUUID(),
        user_id: user.id,
        source: 'scraper',
        business_name: result.business_name,
        address: null,
        website: null,
        phone: `6281320003${String(i).padStart(2, '0')}`,
        email: null,
        latitude: null,
        longitude: null,
        status: 'pending' as const,
        notes: null,
        extra_fields: {},
        created_at: at,
        updated_at: at,
      };
      await storage.leads.insert(lead);
      await storage.leadTasks.addResult(taskId, lead.id, { position: i + 1, merged: false, created_at: at });
    }

    kirim = createKirim({
      storage,
      clock,
      leadSource: new ScraperLeadSource({ baseUrl: standin.url, userAgent: 'test', clock }),
      leadTasks: { leaseMs: 60_000, pollMs: 5000 },
    });
    const events: KirimEvent[] = [];
    kirim.on('lead_task.completed', (event) => void events.push(event));
    await kirim.start();

    await clock.advance(55_000);
    expect(standin.requests).toHaveLength(0);
    expect(await storage.leadTasks.get(user.id, taskId)).toMatchObject({
      status: 'running',
      lease_owner: 'dead-process',
    });

    await clock.advance(10_000);
    await vi.waitFor(async () => expect((await storage.leadTasks.get(user.id, taskId))?.status).toBe('completed'));
    const task = await kirim.leadTasks.get(
      { userId: user.id, role: 'user', plan: 'free', planExpiresAt: null },
      taskId,
    );
    expect(task.progress).toEqual({ found: 5, saved: 5, merged: 0, skipped: 0, results: 5, percent: 100 });
    expect(task.results.map((l) => l.business_name)).toEqual(RESULTS.map((r) => r.business_name));
    expect((await storage.leads.list(user.id, {}, { limit: 100, offset: 0 })).total).toBe(5);
    expect(standin.requests).toHaveLength(1);
    expect(events).toEqual([
      expect.objectContaining({
        user_id: user.id,
        data: { task_id: taskId, status: 'completed', results: 5, error: null },
      }),
    ]);
  });
});
