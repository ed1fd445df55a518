// A large bulk job is accepted with its first batch of rows; the rest are expanded by the engine in the
// background. Expansion happens on a real database, after the job was accepted, as after a restart.
import { createKirim } from '@kirim/core';
import { aSession } from '@kirim/core/testing';
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES } from '../support/harness.js';
import { openTestStorage, testCleanups } from '../support/storage.js';

describe.each(DATABASES)('bulk job expansion on %s', (database) => {
  const cleanups = testCleanups();

  const openStorage = () => openTestStorage(database, cleanups);

  it('expands the batches left when the job was accepted, each recipient once, cancelling one who opted out since', async () => {
    const storage = await openStorage();
    const kirim = createKirim({ storage });
    const user = await kirim.accounts.createUserUnchecked({ name: 'Owner', email: 'owner@example.com' });
    const actor = await kirim.accounts.actorFor(user.id);
    const session = await storage.sessions.insert(aSession(user.id));
    const phones = Array.from({ length: 2500 }, (_, i) => String(6281300000000 + i));

    // Not started: nothing expands yet, as if the process stopped right after accepting the job.
    const job = await kirim.bulk.createText(actor, {
      session_id: session.id,
      contacts: phones,
      message: 'Halo',
      delay: 1000,
    });
    expect(job).toMatchObject({ total: 2500, pending: 2500 });
    expect((await storage.outbox.countByStatus(job.id)).queued).toBe(1000);
    await storage.optOuts.add(user.id, phones[1800], 'replied STOP', new Date().toISOString());

    await kirim.start();
    cleanups.push(() => kirim.stop());
    await eventually(async () => (await storage.bulkJobs.unexpanded(job.id)) === 0);
    expect(await storage.outbox.countByStatus(job.id)).toEqual({ queued: 2499, cancelled: 1 });
    const status = await kirim.bulk.status(actor, job.id);
    expect(status).toMatchObject({ total: 2500, pending: 2499, cancelled: 1 });
    const rows = (await storage.messages.list(user.id, session.id, {}, { limit: 3000, offset: 0 })).items;
    expect(new Set(rows.map((r) => r.peer_phone))).toEqual(new Set(phones));
    const optedOut = rows.find((r) => r.peer_phone === phones[1800])!;
    expect(optedOut).toMatchObject({ status: 'cancelled', error: expect.stringMatching(/^opted_out/) });
    // Due one `delay` after another, in the order given, across batches.
    const last = rows.find((r) => r.peer_phone === phones[2499])!;
    const first = rows.find((r) => r.peer_phone === phones[0])!;
    expect(Date.parse(last.not_before!) - Date.parse(first.not_before!)).toBe(2499 * 1000);
  });
});
