// The real path: the reference server drives unmodified Baileys against @kirim/wa-sim on loopback.
// No stand-in object replaces Baileys here; credentials live in the server's real database.
import type { KirimEventMap } from '@kirim/core';
import type { WaSim } from '@kirim/wa-sim';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES, type TestServer } from '../support/harness.js';
import { startServerOverWaSim } from '../support/wa-sim-server.js';

describe.each(DATABASES)('reference server over Baileys and wa-sim on %s', (database) => {
  let sim: WaSim;
  let t: TestServer;
  beforeAll(async () => {
    ({ sim, t } = await startServerOverWaSim(database));
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
    const id = (await t.request('POST', '/api/whatsapp/sessions', { body: { session_name: 'to-logout' } })).body.data
      .id;
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

// Give-up times far apart: a linked session retries for 10 s, one being linked for 1 s. A loaded machine can
// stall a poll for a second or two; it cannot make either window pass unseen, nor the one overtake the other.
describe.each(DATABASES)('reference server over Baileys with WhatsApp unreachable on %s', (database) => {
  let sim: WaSim;
  let t: TestServer;
  beforeAll(async () => {
    ({ sim, t } = await startServerOverWaSim(database, {
      KIRIM_RECONNECT_MIN_MS: '200',
      KIRIM_RECONNECT_MAX_MS: '400',
      KIRIM_RECONNECT_GIVE_UP_MS: '10000',
      KIRIM_LINK_GIVE_UP_MS: '1000',
    }));
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });
  afterEach(async () => {
    await sim.refuseConnections(false);
  });

  const status = async (id: string) => (await t.request('GET', `/api/whatsapp/sessions/${id}/status`)).body.data;
  /** Every session.status announced from now on, in order. */
  const statusEvents = () => {
    const seen: Array<KirimEventMap['session.status']> = [];
    t.server.kirim.on('session.status', (e) => seen.push(e.data));
    return seen;
  };
  const linkedSession = async (number: string, name: string) => {
    const phone = sim.phone(number);
    const id: string = (await t.request('POST', '/api/whatsapp/sessions', { body: { session_name: name } })).body.data
      .id;
    await phone.scanQr(await eventually(async () => (await status(id)).qr, 10_000));
    await eventually(async () => (await status(id)).status === 'connected', 15_000);
    return { id, phone };
  };

  it('shows why a linked session is down and when it tries again, becomes failed after the give-up time instead of retrying for ever, and resumes on connect', async () => {
    const { id, phone } = await linkedSession('628120000' + (database === 'sqlite' ? '301' : '401'), 'unreachable');
    const announced = statusEvents();
    const events = () => announced.filter((e) => e.session_id === id);

    await sim.refuseConnections(true);
    const retrying = await eventually(async () => {
      const s = await status(id);
      return s.status === 'disconnected' && s.reason === 'connection_refused' && s;
    }, 10_000);
    expect(Date.parse(retrying.next_retry_at)).not.toBeNaN();
    expect(retrying.reconnect_attempts).toBeGreaterThan(0);
    // The status is stored before it is announced: wait for the announcement.
    expect(await eventually(() => events().find((e) => e.status === 'failed'), 30_000)).toMatchObject({
      reason: 'connection_refused',
      next_retry_at: null,
    });
    const failed = await status(id);
    expect(failed).toMatchObject({ status: 'failed', reason: 'connection_refused', next_retry_at: null });
    // Every retry was announced with its reason and time, numbered by the transport one after the other.
    const retries = events().filter((e) => e.status === 'disconnected');
    expect(retries.map((e) => e.reconnect_attempts)).toEqual(retries.map((_, i) => i + 1));
    expect(retries.every((e) => e.reason && !Number.isNaN(Date.parse(e.next_retry_at!)))).toBe(true);
    expect(retries.at(-1)).toMatchObject({ reason: 'connection_refused' });
    expect(failed.reconnect_attempts).toBe(retries.length);
    expect((await t.request('GET', `/api/whatsapp/sessions/${id}`)).body.data.is_active).toBe(false);

    await sim.refuseConnections(false);
    expect((await t.request('POST', `/api/whatsapp/sessions/${id}/connect`)).status).toBe(200);
    const resumed = await eventually(async () => {
      const s = await status(id);
      return s.status === 'connected' && s;
    }, 15_000);
    expect(resumed).toMatchObject({ phone: phone.number, reason: null, next_retry_at: null, reconnect_attempts: 0 });
    expect(events().map((e) => e.status)).not.toContain('qr');
  }, 60_000);

  it('gives a session being linked up sooner: it is failed, with the reason, while a linked session cut off with it still retries; and shows a QR code on connect once WhatsApp answers', async () => {
    const linked = await linkedSession('628120000' + (database === 'sqlite' ? '302' : '402'), 'still-retrying');
    const announced = statusEvents();
    await sim.refuseConnections(true);
    const id: string = (await t.request('POST', '/api/whatsapp/sessions', { body: { session_name: 'never-linked' } }))
      .body.data.id;
    const failed = await eventually(async () => {
      const s = await status(id);
      return s.status === 'failed' && s;
    }, 15_000);
    expect(failed).toMatchObject({ reason: 'connection_refused', next_retry_at: null });
    // Announced in the order they happened: when the one being linked had failed, the linked one was retrying.
    await eventually(() => announced.some((e) => e.session_id === id && e.status === 'failed'));
    const both = announced.filter((e) => e.session_id === id || e.session_id === linked.id);
    const linkedSoFar = both
      .slice(
        0,
        both.findIndex((e) => e.session_id === id && e.status === 'failed'),
      )
      .filter((e) => e.session_id === linked.id);
    expect(linkedSoFar.map((e) => e.status)).not.toContain('failed');
    expect(linkedSoFar.at(-1)).toMatchObject({ status: expect.stringMatching(/^(disconnected|connecting)$/) });

    await sim.refuseConnections(false);
    await t.request('POST', `/api/whatsapp/sessions/${id}/connect`);
    expect(await eventually(async () => (await status(id)).qr, 10_000)).toMatch(
      /^https:\/\/wa\.me\/settings\/linked_devices#/,
    );
  }, 60_000);
});
