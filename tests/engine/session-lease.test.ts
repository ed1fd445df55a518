// Two engines on one PostgreSQL database, as two server processes would run: one drives a session
// through its lease; when it stops or goes silent, the other takes the session over.
import { createKirim, createSimulatedNetwork, type Kirim, type SimulatedNetwork, type Storage } from '@kirim/core';
import { aSession, engineInternals } from '@kirim/core/testing';
import { createPostgresStorage } from '@kirim/storage-postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { freshPostgresUrl } from '../support/postgres.js';

describe('session leases between two engines on one PostgreSQL database', () => {
  let network: SimulatedNetwork;
  let url: string;
  const opened: Array<{ kirim: Kirim; storage: Storage; closed: boolean }> = [];

  // A short lease makes hand-overs quick to test; a test that a lease holds gives it one a loaded machine cannot outlast.
  async function engine(instanceId: string, leaseMs = 1500) {
    const storage = createPostgresStorage({ connectionString: url });
    await storage.migrate();
    const kirim = createKirim({
      storage,
      transport: network.transport,
      sessions: { instanceId, leaseMs, heartbeatMs: 200 },
    });
    const entry = { kirim, storage, closed: false };
    opened.push(entry);
    await kirim.start();
    return entry;
  }

  beforeEach(async () => {
    network = createSimulatedNetwork({ latencyMs: 1 });
    url = await freshPostgresUrl();
  });
  afterEach(async () => {
    for (const e of opened.splice(0)) {
      if (e.closed) continue;
      await e.kirim.stop();
      await e.storage.close();
    }
  });

  async function linkedSession(a: Kirim) {
    const user = await a.accounts.createUserUnchecked({ name: 'Owner', email: `o${Date.now()}@example.com` });
    const actor = await a.accounts.actorFor(user.id);
    const session = await a.sessions.create(actor, { session_name: 'shared' });
    const qr = await eventually(async () => (await a.sessions.status(actor, session.id)).qr, 10_000);
    await network.phone('6281277770001').scanQr(qr!);
    await eventually(async () => (await a.sessions.status(actor, session.id)).status === 'connected', 10_000);
    return { actor, id: session.id };
  }

  it('leaves a session to the engine holding its lease', async () => {
    const a = await engine('process-a', 15_000);
    const { id } = await linkedSession(a.kirim);
    // B starts once A holds the lease: started before, B's supervisor may take the session up between its insert and
    // A's own claim (either engine may then drive it; that race is not what this test is about).
    const b = await engine('process-b', 15_000);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(engineInternals(a.kirim).sessionManager.drives(id)).toBe(true);
    expect(engineInternals(b.kirim).sessionManager.drives(id)).toBe(false);
    expect((await a.storage.sessions.getById(id))?.lease_owner).toBe('process-a');
  });

  it('hands the session over at once when its engine stops cleanly, resuming from stored credentials', async () => {
    const a = await engine('process-a');
    const b = await engine('process-b');
    const { actor, id } = await linkedSession(a.kirim);
    await a.kirim.stop();
    await eventually(() => engineInternals(b.kirim).sessionManager.connection(id) !== undefined, 10_000);
    // The link is live here a moment before its status is stored.
    await eventually(async () => (await b.kirim.sessions.status(actor, id)).status === 'connected', 10_000);
    expect((await b.storage.sessions.getById(id))?.lease_owner).toBe('process-b');
  });

  it('makes one link when a request and the supervisor open the same session at once', async () => {
    const a = await engine('process-a');
    const user = await a.kirim.accounts.createUserUnchecked({ name: 'Owner', email: `o${Date.now()}@example.com` });
    const session = await a.storage.sessions.insert(aSession(user.id, { desired: 'connected' }));
    expect(
      await Promise.all([
        engineInternals(a.kirim).sessionManager.open(session),
        engineInternals(a.kirim).sessionManager.open(session),
      ]),
    ).toEqual([true, true]);
    await eventually(async () => (await a.storage.sessions.getById(session.id))?.status === 'qr', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Two links would replace each other, and the replaced one would stop the session.
    expect(await a.storage.sessions.getById(session.id)).toMatchObject({
      status: 'qr',
      desired: 'connected',
      lease_owner: 'process-a',
    });
  });

  it("leaves the new owner's status alone when the old owner's link reports it was replaced", async () => {
    // The test lapses A's lease itself; B's must not lapse under a loaded machine, or A rightly takes the session back.
    const a = await engine('process-a', 15_000);
    const b = await engine('process-b', 15_000);
    const { actor, id } = await linkedSession(a.kirim);
    // A's lease lapses (its heartbeat came too late) and B opens the session before A notices: A's link
    // is replaced, as WhatsApp replaces a device's older connection (440).
    await a.storage.sessions.update(id, { lease_owner: null, lease_expires_at: null });
    expect(await engineInternals(b.kirim).sessionManager.open((await b.storage.sessions.getById(id))!)).toBe(true);
    await eventually(() => !engineInternals(a.kirim).sessionManager.drives(id), 10_000);
    await eventually(async () => (await b.kirim.sessions.status(actor, id)).status === 'connected', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await b.storage.sessions.getById(id)).toMatchObject({
      status: 'connected',
      desired: 'connected',
      lease_owner: 'process-b',
    });
  });

  it('takes the session over within the lease time when its engine goes silent', async () => {
    const a = await engine('process-a');
    const b = await engine('process-b');
    const { actor, id } = await linkedSession(a.kirim);
    // A loses its database (a crash, a partition): its heartbeats stop, its lease runs out.
    await a.storage.close();
    a.closed = true;
    const started = Date.now();
    await eventually(() => engineInternals(b.kirim).sessionManager.connection(id) !== undefined, 10_000);
    // The lease is 1.5 s and the heartbeat 0.2 s: the hand-over comes well within a few seconds.
    expect(Date.now() - started).toBeLessThan(5000);
    await eventually(async () => (await b.kirim.sessions.status(actor, id)).status === 'connected');
    // Stopping an engine whose database is gone still stops its loops and links.
    await a.kirim.stop();
    expect(engineInternals(a.kirim).sessionManager.drives(id)).toBe(false);
  });
});
