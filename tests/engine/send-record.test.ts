// On a fast network a message's receipts come back before the dispatcher has recorded its send. They are
// recorded with the send, in its transaction, together with the events of every status the message went
// through, on a real database. A later receipt is stored with its event too, and never waits for a row
// another transaction holds.
import { createKirim, createSimulatedNetwork, type KirimEvent, type Storage } from '@kirim/core';
import { engineInternals } from '@kirim/core/testing';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES } from '../support/harness.js';
import { openTestPostgres, openTestStorage, testCleanups } from '../support/storage.js';

/** An engine on `storage` and a zero-latency simulated network, with one user and one session linked to a phone. */
async function linkedEngine(storage: Storage, cleanups: Array<() => Promise<void>>) {
  const network = createSimulatedNetwork({ latencyMs: 0 });
  const kirim = createKirim({
    storage,
    transport: network.transport,
    outbox: { limits: { min_gap_ms: 0, jitter_ms: 0 } },
  });
  await kirim.start();
  cleanups.push(() => kirim.stop());
  const user = await kirim.accounts.createUserUnchecked({ name: 'Owner', email: 'owner@example.com' });
  const actor = await kirim.accounts.actorFor(user.id);
  const session = await kirim.sessions.create(actor, { session_name: 'device' });
  await eventually(() => network.sessions().some((s) => s.sessionId === session.id && s.state === 'qr'));
  await network.link(session.id, '6281299000001');
  await eventually(() => engineInternals(kirim).sessionManager.connection(session.id) !== undefined);
  return { kirim, network, user, actor, session };
}

describe.each(DATABASES)('recording sends on %s', (database) => {
  const cleanups = testCleanups();

  const openStorage = () => openTestStorage(database, cleanups);

  it('records receipts that outran the send with it, and every status the message went through in order, once each, in the durable log too', async () => {
    const storage = await openStorage();
    const { kirim, network, user, actor, session } = await linkedEngine(storage, cleanups);
    const heard: KirimEvent[] = [];
    kirim.on('*', (event) => heard.push(event));

    const phones = Array.from({ length: 40 }, (_, i) => String(6281300000000 + i));
    for (const phone of phones) network.phone(phone, { autoRead: true });
    const job = await kirim.bulk.createText(actor, {
      session_id: session.id,
      contacts: phones,
      message: 'Halo',
      delay: 0,
    });
    await eventually(async () => (await storage.outbox.countByStatus(job.id)).read === phones.length);

    const rows = (await storage.messages.list(user.id, session.id, { direction: 'out' }, { limit: 100, offset: 0 }))
      .items;
    for (const row of rows)
      expect(row).toMatchObject({ status: 'read', sent_at: expect.any(String), raw: expect.any(String), error: null });
    const statusEvents = () => heard.filter((e): e is KirimEvent<'message.status'> => e.type === 'message.status');
    await eventually(() => statusEvents().length === phones.length * 3);
    for (const row of rows) {
      expect(
        statusEvents()
          .filter((e) => e.data.id === row.id)
          .map((e) => e.data.status),
      ).toEqual(['sent', 'delivered', 'read']);
    }
    const logged = (await storage.events.listAfter(0, { limit: 10_000, userId: user.id })).map((s) => s.event.id);
    expect(statusEvents().every((e) => logged.includes(e.id))).toBe(true);
  });

  it('reports delivered and read when their receipts come together after the send was recorded, in order, once each', async () => {
    const storage = await openStorage();
    const { kirim, network, user, actor, session } = await linkedEngine(storage, cleanups);
    const heard: Array<KirimEvent<'message.status'>> = [];
    kirim.on('message.status', (event) => heard.push(event));
    // The recipient's phone is off line: the send is recorded `sent`; on line again it receives and reads at once.
    network.phone('6281300000001', { autoRead: true });
    network.setOnline('6281300000001', false);
    const job = await kirim.bulk.createText(actor, {
      session_id: session.id,
      contacts: ['6281300000001'],
      message: 'Halo',
      delay: 0,
    });
    await eventually(async () => (await storage.outbox.countByStatus(job.id)).sent === 1);
    network.setOnline('6281300000001', true);
    await eventually(async () => (await storage.outbox.countByStatus(job.id)).read === 1);

    await eventually(() => heard.length === 3);
    expect(heard.map((e) => e.data.status)).toEqual(['sent', 'delivered', 'read']);
    const logged = (await storage.events.listAfter(0, { limit: 100, userId: user.id }))
      .map((s) => s.event)
      .filter((e): e is KirimEvent<'message.status'> => e.type === 'message.status');
    expect(logged.map((e) => e.data.status)).toEqual(['sent', 'delivered', 'read']);
  });
});

describe('receipts on postgres', () => {
  const cleanups = testCleanups();

  it('applies a receipt whose row another transaction holds once it commits, without waiting meanwhile, with its event once', async () => {
    const { storage, url } = await openTestPostgres(cleanups);
    const { kirim, network, user, actor, session } = await linkedEngine(storage, cleanups);
    const heard: Array<KirimEvent<'message.status'>> = [];
    kirim.on('message.status', (event) => heard.push(event));
    const phones = [network.phone('6281300000001'), network.phone('6281300000002')];
    const job = await kirim.bulk.createText(actor, {
      session_id: session.id,
      contacts: phones.map((p) => p.number),
      message: 'Halo',
      delay: 0,
    });
    await eventually(async () => (await storage.outbox.countByStatus(job.id)).delivered === 2);
    const rows = (await storage.messages.list(user.id, session.id, { direction: 'out' }, { limit: 2, offset: 0 }))
      .items;
    const [held, free] = phones.map((p) => rows.find((r) => r.peer_phone === p.number)!);

    // Another connection holds one row, as another process's transaction would.
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    cleanups.push(() => holder.end());
    await holder.query('begin');
    await holder.query('select id from messages where id = $1 for update', [held.id]);
    for (const phone of phones) phone.read(phone.inbox[0].messageId);
    // The other receipt of the batch is stored meanwhile: the writer does not wait for the held row.
    await eventually(async () => (await storage.outbox.get(user.id, free.id))?.status === 'read');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await storage.outbox.get(user.id, held.id))?.status).toBe('delivered');
    await holder.query('commit');

    await eventually(async () => (await storage.outbox.get(user.id, held.id))?.status === 'read');
    await eventually(() => heard.filter((e) => e.data.status === 'read').length === 2);
    const logged = (await storage.events.listAfter(0, { limit: 100, userId: user.id }))
      .map((s) => s.event)
      .filter((e): e is KirimEvent<'message.status'> => e.type === 'message.status');
    for (const row of [held, free]) {
      expect(heard.filter((e) => e.data.id === row.id).map((e) => e.data.status)).toEqual([
        'sent',
        'delivered',
        'read',
      ]);
      expect(logged.filter((e) => e.data.id === row.id).map((e) => e.data.status)).toEqual([
        'sent',
        'delivered',
        'read',
      ]);
    }
  });
});
