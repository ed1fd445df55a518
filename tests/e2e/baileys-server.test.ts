// The real path: the reference server drives unmodified Baileys against @kirim/wa-sim on loopback.
// No stand-in object replaces Baileys here; credentials live in the server's real database.
import { startWaSim, type WaSim } from '@kirim/wa-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';

describe.each(DATABASES)('reference server over Baileys and wa-sim on %s', (database) => {
  let sim: WaSim;
  let t: TestServer;
  beforeAll(async () => {
    sim = await startWaSim();
    t = await startTestServer(database, { KIRIM_TRANSPORT: 'baileys', KIRIM_WA_WS_URL: sim.url, KIRIM_HEARTBEAT_MS: '500' });
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  const status = async (id: string) => (await t.request('GET', `/api/whatsapp/sessions/${id}/status`)).body.data;

  it('links by QR, receives a message once, syncs groups, and resumes after a restart without a new QR', async () => {
    const phone = sim.phone('628120000' + (database === 'sqlite' ? '101' : '201'), { pushName: 'Toko' });
    const id = (await t.request('POST', '/api/whatsapp/sessions', { body: { session_name: 'baileys' } })).body.data.id;
    const qr = await eventually(async () => (await status(id)).qr, 10_000);
    expect(qr).toMatch(/^https:\/\/wa\.me\/settings\/linked_devices#/);
    await phone.scanQr(qr);
    const linked = await eventually(async () => {
      const s = await status(id);
      return s.status === 'connected' && s;
    }, 15_000);
    expect(linked.phone).toBe(phone.number);

    const customer = sim.phone('628199990' + (database === 'sqlite' ? '101' : '201'));
    await customer.sendText(phone.number, 'Halo dari pelanggan');
    const inbox = await eventually(async () => {
      const res = await t.request('GET', `/api/whatsapp/sessions/${id}/messages?direction=in`);
      return res.body.meta.total === 1 && res.body.data;
    }, 10_000);
    expect(inbox[0]).toMatchObject({ text: 'Halo dari pelanggan', peer_phone: customer.number });

    sim.createGroup('Pelanggan', customer, [phone], 'pn');
    const sync = await t.request('POST', '/api/whatsapp/groups/sync', { body: { session_device_id: id } });
    expect(sync.body.data).toMatchObject({ added: 1, removed: 0 });

    const states: string[] = [];
    await t.restart();
    t.server.kirim.on('session.status', (e) => states.push(e.data.status));
    await eventually(async () => (await status(id)).status === 'connected', 15_000);
    expect(states).not.toContain('qr');
    expect((await t.request('GET', `/api/whatsapp/sessions/${id}/messages?direction=in`)).body.meta.total).toBe(1);
  });

  it('wipes credentials when the phone logs the device out (401)', async () => {
    const phone = sim.phone('628120000' + (database === 'sqlite' ? '102' : '202'));
    const id = (await t.request('POST', '/api/whatsapp/sessions', { body: { session_name: 'to-logout' } })).body.data.id;
    await phone.scanQr(await eventually(async () => (await status(id)).qr, 10_000));
    await eventually(async () => (await status(id)).status === 'connected', 15_000);
    expect(await t.server.storage.sessionAuth.has(id)).toBe(true);
    phone.logoutDevices();
    await eventually(async () => (await status(id)).status === 'logged_out', 10_000);
    await eventually(async () => !(await t.server.storage.sessionAuth.has(id)));
  });

  it('reports a replaced session (440) and does not fight for it', async () => {
    const phone = sim.phone('628120000' + (database === 'sqlite' ? '103' : '203'));
    const id = (await t.request('POST', '/api/whatsapp/sessions', { body: { session_name: 'replaced' } })).body.data.id;
    await phone.scanQr(await eventually(async () => (await status(id)).qr, 10_000));
    await eventually(async () => (await status(id)).status === 'connected', 15_000);
    phone.replaceSession();
    const replaced = await eventually(async () => {
      const s = await status(id);
      return s.status === 'disconnected' && s;
    }, 10_000);
    expect(replaced.reason).toMatch(/^replaced/);
    expect((await t.request('GET', `/api/whatsapp/sessions/${id}`)).body.data.is_active).toBe(false);
  });
});
