import { createPostgresStorage } from '@kirim/storage-postgres';
import { createSqliteStorage } from '@kirim/storage-sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import type { KirimEvent } from '../events.js';
import { createKirim, type Kirim } from '../kirim.js';
import type { Storage } from '../storage/storage.js';
import { ManualClock } from '../testing/manual-clock.js';
import { freshPostgresUrl } from '../../../../tests/support/postgres.js';

const opened: Array<{ kirim: Kirim; storage: Storage }> = [];
afterEach(async () => {
  for (const { kirim, storage } of opened.splice(0)) {
    await kirim.stop();
    await storage.close();
  }
});

async function engine(filename: string, options: Partial<Parameters<typeof createKirim>[0]> = {}) {
  const storage = filename.startsWith('postgres')
    ? createPostgresStorage({ connectionString: filename })
    : createSqliteStorage({ filename });
  await storage.migrate();
  const kirim = createKirim({ storage, secretKey: 'k'.repeat(32), eventLog: { pollMs: 20 }, ...options });
  opened.push({ kirim, storage });
  return kirim;
}

async function until(
  check: () => boolean | Promise<boolean>,
  step: () => Promise<void> = () => new Promise((r) => setTimeout(r, 10)),
  timeoutMs = 5_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await step();
  }
}

const progress = (jobId: string) => ({ job_id: jobId, total: 1, sent: 0, failed: 0, pending: 1 });

describe('EventLog', () => {
  // PostgreSQL is the multi-process mode; two engines in one test process stand for two server processes.
  it("relays events another process published to this process's listeners, once each, and not its own again", async () => {
    const url = await freshPostgresUrl();
    const [a, b] = [await engine(url), await engine(url)];
    await a.start();
    await b.start();
    const heardByA: KirimEvent[] = [];
    const heardByB: KirimEvent[] = [];
    a.on('*', (e) => heardByA.push(e));
    b.on('*', (e) => heardByB.push(e));
    for (let i = 0; i < 5; i++) await a.events.publish('bulk.progress', 'u1', progress(`a-${i}`));
    for (let i = 0; i < 3; i++) await b.events.publish('bulk.progress', 'u1', progress(`b-${i}`));
    await until(() => heardByA.length >= 8 && heardByB.length >= 8);
    await new Promise((r) => setTimeout(r, 100));
    for (const heard of [heardByA, heardByB]) {
      expect(heard).toHaveLength(8);
      expect(new Set(heard.map((e) => e.id)).size).toBe(8);
    }
    expect(
      heardByB
        .filter((e) => (e.data as { job_id: string }).job_id.startsWith('a-'))
        .map((e) => (e.data as { job_id: string }).job_id),
    ).toEqual(['a-0', 'a-1', 'a-2', 'a-3', 'a-4']);
  });

  it('waits for an append that commits after a later one (PostgreSQL numbers before commit), relaying both in sequence order', async () => {
    const url = await freshPostgresUrl();
    const [a, b] = [await engine(url), await engine(url)];
    await b.start();
    const heard: string[] = [];
    b.on('*', (e) => heard.push((e.data as { job_id: string }).job_id));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = a.storage.transaction(async (tx) => {
      await tx.events.append(
        [
          {
            id: 'evt_slow',
            type: 'bulk.progress',
            timestamp: new Date().toISOString(),
            user_id: 'u1',
            data: progress('slow'),
          },
        ],
        'other-proc',
      );
      await gate;
    });
    await new Promise((r) => setTimeout(r, 50));
    await a.events.publish('bulk.progress', 'u1', progress('fast'));
    await new Promise((r) => setTimeout(r, 150));
    expect(heard).toEqual([]);
    release();
    await slow;
    await until(() => heard.length === 2);
    expect(heard).toEqual(['slow', 'fast']);
  });

  it('records each event durably before listeners hear it, with a unique id and the clock time', async () => {
    const clock = new ManualClock('2026-03-01T10:00:00.000Z');
    const kirim = await engine(':memory:', { clock });
    let storedWhenHeard = 0;
    kirim.on('bulk.progress', () => {
      void kirim.storage.events.lastSeq().then((seq) => (storedWhenHeard = seq));
    });
    const event = await kirim.events.publish('bulk.progress', 'u1', progress('j'));
    expect(event).toMatchObject({
      id: expect.stringMatching(/^evt_/),
      timestamp: '2026-03-01T10:00:00.000Z',
      user_id: 'u1',
    });
    const [stored] = await kirim.storage.events.listAfter(0, { limit: 10 });
    expect(stored.event).toEqual(event);
    await until(() => storedWhenHeard === 1);
  });

  it('gives events UUIDv7 ids of the clock time, so ids sort as events happened', async () => {
    const clock = new ManualClock('2026-03-01T10:00:00.000Z');
    const kirim = await engine(':memory:', { clock });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await kirim.events.publish('bulk.progress', 'u1', progress('j'))).id);
      await clock.advance(1);
    }
    for (const id of ids)
      expect(id).toMatch(/^evt_[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const millis = ids.map((id) => parseInt(id.slice(4, 17).replace('-', ''), 16));
    expect(millis).toEqual([0, 1, 2].map((i) => Date.parse('2026-03-01T10:00:00.000Z') + i));
    expect([...ids].sort()).toEqual(ids);
  });

  it('prunes events older than the retention window', async () => {
    const clock = new ManualClock('2026-03-01T10:00:00.000Z');
    // The relay polls once a minute here: moving the clock two hours in 20 ms polls took 360,000 wake-ups.
    const kirim = await engine(':memory:', {
      clock,
      eventLog: { pollMs: 60_000, retentionMs: 3_600_000, pruneEveryMs: 60_000 },
    });
    await kirim.events.publish('bulk.progress', 'u1', progress('old'));
    await kirim.start();
    await clock.advance(2 * 3_600_000);
    await kirim.events.publish('bulk.progress', 'u1', progress('new'));
    await until(
      async () => (await kirim.storage.events.listAfter(0, { limit: 10 })).length === 1,
      async () => {
        await clock.advance(61_000);
        await new Promise((r) => setTimeout(r, 10));
      },
    );
    const [kept] = await kirim.storage.events.listAfter(0, { limit: 10 });
    expect((kept.event.data as { job_id: string }).job_id).toBe('new');
  });
});
