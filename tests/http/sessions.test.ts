import { createSimulatedNetwork, type Logger, type SimulatedNetwork } from '@kirim/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';

describe.each(DATABASES)('WhatsApp sessions over HTTP on %s (simulated network)', (database) => {
  let t: TestServer;
  let network: SimulatedNetwork;
  beforeAll(async () => {
    network = createSimulatedNetwork({ latencyMs: 2 });
    t = await startTestServer(database, { KIRIM_HEARTBEAT_MS: '200' }, { transport: network.transport });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function linkedSession(token: string, phone: string) {
    const created = await t.request('POST', '/api/whatsapp/sessions', { token, body: { session_name: 'My Shop' } });
    expect(created.status).toBe(201);
    const id: string = created.body.data.id;
    const qr = await eventually(async () => {
      const status = await t.request('GET', `/api/whatsapp/sessions/${id}/status`, { token });
      return status.body.data.status === 'qr' && status.body.data;
    });
    await network.phone(phone).scanQr(qr.qr);
    await eventually(
      async () =>
        (await t.request('GET', `/api/whatsapp/sessions/${id}/status`, { token })).body.data.status === 'connected',
    );
    return id;
  }

  it('creates a session with a URL-safe id, shows a QR with a PNG, and links when the phone scans it', async () => {
    const u = await t.createUser();
    const created = await t.request('POST', '/api/whatsapp/sessions', {
      token: u.token,
      body: { session_name: 'Toko Kopi #1' },
    });
    expect(created.status).toBe(201);
    const id = created.body.data.id;
    expect(id).toMatch(new RegExp(`^toko-kopi-1-${u.id}_\\d+$`));
    const qr = await eventually(async () => {
      const res = await t.request('GET', `/api/whatsapp/sessions/${encodeURIComponent(id)}/status`, { token: u.token });
      return res.body.data.status === 'qr' && res.body.data;
    });
    expect(qr.qr_image).toMatch(/^data:image\/png;base64,/);
    await network.phone('6281200000001', { name: 'Toko Kopi' }).scanQr(qr.qr);
    const connected = await eventually(async () => {
      const res = await t.request('GET', `/api/whatsapp/sessions/${id}/status`, { token: u.token });
      return res.body.data.status === 'connected' && res.body.data;
    });
    expect(connected).toMatchObject({ phone: '6281200000001', qr: null, qr_image: null });
    const record = await t.request('GET', `/api/whatsapp/sessions/${id}`, { token: u.token });
    expect(record.body.data).toMatchObject({
      id,
      name: 'Toko Kopi #1',
      is_active: true,
      phone: '6281200000001',
      connected_at: expect.any(String),
      linked_at: record.body.data.connected_at,
    });
    expect(
      (await t.request('GET', '/api/whatsapp/sessions', { token: u.token })).body.data.map((s: { id: string }) => s.id),
    ).toEqual([id]);
  });

  it('links by pairing code', async () => {
    const u = await t.createUser();
    const id = (await t.request('POST', '/api/whatsapp/sessions', { token: u.token, body: { session_name: 'paired' } }))
      .body.data.id;
    await eventually(
      async () =>
        (await t.request('GET', `/api/whatsapp/sessions/${id}/status`, { token: u.token })).body.data.status === 'qr',
    );
    const res = await t.request('POST', `/api/whatsapp/sessions/${id}/pairing-code`, {
      token: u.token,
      body: { phone: '0812-0000-0002' },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.pairing_code).toMatch(/^[A-Z0-9]{8}$/);
    await network.phone('6281200000002').enterPairingCode(res.body.data.pairing_code);
    await eventually(
      async () =>
        (await t.request('GET', `/api/whatsapp/sessions/${id}/status`, { token: u.token })).body.data.phone ===
        '6281200000002',
    );
  });

  it('disconnects keeping credentials, and connects again without a QR', async () => {
    const u = await t.createUser();
    const id = await linkedSession(u.token, '6281200000003');
    const down = await t.request('DELETE', `/api/whatsapp/sessions/${id}/disconnect`, { token: u.token });
    expect(down.body.data).toMatchObject({ status: 'disconnected', is_active: false });
    const statuses: string[] = [];
    t.server.kirim.on('session.status', (e) => {
      if (e.data.session_id === id) statuses.push(e.data.status);
    });
    expect((await t.request('POST', `/api/whatsapp/sessions/${id}/connect`, { token: u.token })).status).toBe(200);
    await eventually(
      async () =>
        (await t.request('GET', `/api/whatsapp/sessions/${id}/status`, { token: u.token })).body.data.status ===
        'connected',
    );
    expect(statuses).not.toContain('qr');
  });

  it('reports a logout from the phone, and a connect then asks for a new QR', async () => {
    const u = await t.createUser();
    const id = await linkedSession(u.token, '6281200000004');
    await network.logOut(id);
    const out = await eventually(async () => {
      const res = await t.request('GET', `/api/whatsapp/sessions/${id}/status`, { token: u.token });
      return res.body.data.status === 'logged_out' && res.body.data;
    });
    expect(out.reason).toBeTruthy();
    expect((await t.request('GET', `/api/whatsapp/sessions/${id}`, { token: u.token })).body.data.is_active).toBe(
      false,
    );
    await t.request('POST', `/api/whatsapp/sessions/${id}/connect`, { token: u.token });
    await eventually(
      async () =>
        (await t.request('GET', `/api/whatsapp/sessions/${id}/status`, { token: u.token })).body.data.status === 'qr',
    );
  });

  it('shows why a dropped session is down, its attempts and when it tries again, in its status and session.status, and clears them once connected again', async () => {
    const u = await t.createUser();
    const id = await linkedSession(u.token, '6281200000009');
    const events: Array<{ status: string; reason?: string; reconnect_attempts: number; next_retry_at: string | null }> =
      [];
    t.server.kirim.on('session.status', (e) => {
      if (e.data.session_id === id) events.push(e.data);
    });
    network.dropLink(id);
    const down = await eventually(async () => {
      const res = await t.request('GET', `/api/whatsapp/sessions/${id}/status`, { token: u.token });
      return res.body.data.status === 'disconnected' && res.body.data;
    });
    expect(down).toMatchObject({ reason: 'connection lost', reconnect_attempts: 1, next_retry_at: expect.any(String) });
    expect(Date.parse(down.next_retry_at)).toBeGreaterThan(Date.parse(down.updated_at));
    // The link's own `connected` may be announced after the status said so: find the drop's.
    const announced = await eventually(() => events.find((e) => e.status === 'disconnected'));
    expect(announced).toEqual({
      session_id: id,
      status: 'disconnected',
      phone: '6281200000009',
      reason: 'connection lost',
      reconnect_attempts: 1,
      next_retry_at: down.next_retry_at,
    });

    const up = await eventually(async () => {
      const res = await t.request('GET', `/api/whatsapp/sessions/${id}/status`, { token: u.token });
      return res.body.data.status === 'connected' && res.body.data;
    });
    expect(up).toMatchObject({ reason: null, reconnect_attempts: 0, next_retry_at: null });
    const back = await eventually(() => events.slice(events.indexOf(announced!)).find((e) => e.status === 'connected'));
    expect(back).toMatchObject({ reconnect_attempts: 0, next_retry_at: null });
  });

  it('stores incoming messages once, with sender and LID, and lists them newest first', async () => {
    const u = await t.createUser();
    const id = await linkedSession(u.token, '6281200000005');
    const customer = network.phone('6281299990001', { name: 'Pelanggan' });
    const received: string[] = [];
    t.server.kirim.on('message.received', (e) => {
      if (e.data.session_id === id) received.push(e.data.message_id);
    });
    customer.send('6281200000005', 'Halo, masih buka?');
    customer.send('6281200000005', 'Saya mau pesan');
    const history = await eventually(async () => {
      const res = await t.request('GET', `/api/whatsapp/sessions/${id}/messages?direction=in`, { token: u.token });
      return res.body.meta.total === 2 && res.body;
    });
    expect(history.data.map((m: { text: string }) => m.text)).toEqual(['Saya mau pesan', 'Halo, masih buka?']);
    expect(history.data[0]).toMatchObject({
      direction: 'in',
      status: 'received',
      peer_phone: '6281299990001',
      peer_lid: expect.stringMatching(/@lid$/),
      push_name: 'Pelanggan',
    });
    expect(history.data[0]).not.toHaveProperty('raw');
    expect(received).toHaveLength(2);
    const filtered = await t.request('GET', `/api/whatsapp/sessions/${id}/messages?from=0812-9999-0001`, {
      token: u.token,
    });
    expect(filtered.body.meta.total).toBe(2);
  });

  it('lists live groups and syncs saved groups with added, updated and removed counts', async () => {
    const u = await t.createUser();
    const id = await linkedSession(u.token, '6281200000006');
    const first = network.createGroup({
      subject: 'Pelanggan Setia',
      owner: '6281200000006',
      participants: ['6281299990002', '6281299990003'],
    });
    network.createGroup({ subject: 'Reseller', owner: '6281299990004', participants: ['6281200000006'] });
    const live = await t.request('GET', `/api/whatsapp/sessions/${id}/groups`, { token: u.token });
    expect(live.body.data.map((g: { subject: string }) => g.subject).sort()).toEqual(['Pelanggan Setia', 'Reseller']);
    const sync = await t.request('POST', '/api/whatsapp/groups/sync', {
      token: u.token,
      body: { session_device_id: id },
    });
    expect(sync.body.data).toMatchObject({ added: 2, updated: 0, removed: 0, total: 2 });
    const again = await t.request('POST', '/api/whatsapp/groups/sync', {
      token: u.token,
      body: { session_device_id: id },
    });
    expect(again.body.data).toMatchObject({ added: 0, updated: 2, removed: 0 });
    const saved = await t.request('GET', `/api/whatsapp/groups/device?session_device_id=${id}`, { token: u.token });
    expect(saved.body.data).toHaveLength(2);
    const viaBody = await t.request('GET', '/api/whatsapp/groups/device', {
      token: u.token,
      body: { session_device_id: id },
    });
    expect(viaBody.body.data).toEqual(saved.body.data);
    const groupRecord = saved.body.data.find((g: { jid: string }) => g.jid === first.jid);
    expect(groupRecord).toMatchObject({ subject: 'Pelanggan Setia', participants_count: 3 });
    expect((await t.request('DELETE', `/api/whatsapp/groups/${groupRecord.id}`, { token: u.token })).status).toBe(200);
    const third = await t.request('POST', '/api/whatsapp/groups/sync', {
      token: u.token,
      body: { session_device_id: id },
    });
    expect(third.body.data).toMatchObject({ added: 1, updated: 1, removed: 0 });
  });

  it('accepts session_id beside session_device_id on groups/sync and groups/device, in the body or the query', async () => {
    const u = await t.createUser();
    const id = await linkedSession(u.token, '6281200000015');
    network.createGroup({ subject: 'Alias', owner: '6281200000015', participants: ['6281299990015'] });
    const sync = await t.request('POST', '/api/whatsapp/groups/sync', { token: u.token, body: { session_id: id } });
    expect(sync.status).toBe(200);
    expect(sync.body.data).toMatchObject({ added: 1, total: 1 });
    expect(
      (await t.request('POST', `/api/whatsapp/groups/sync?session_id=${id}`, { token: u.token })).body.data,
    ).toMatchObject({ updated: 1 });
    const saved = await t.request('GET', `/api/whatsapp/groups/device?session_id=${id}`, { token: u.token });
    expect(saved.body.data.map((g: { subject: string }) => g.subject)).toEqual(['Alias']);
    const viaBody = await t.request('GET', '/api/whatsapp/groups/device', {
      token: u.token,
      body: { session_id: id, session_device_id: id },
    });
    expect(viaBody.body.data).toEqual(saved.body.data);
  });

  it('answers 422 naming both fields when session_id and session_device_id name different sessions, and session_device_id when neither is given', async () => {
    const u = await t.createUser();
    for (const [method, path] of [
      ['POST', '/api/whatsapp/groups/sync'],
      ['GET', '/api/whatsapp/groups/device'],
    ]) {
      const both = await t.request(method, path, {
        token: u.token,
        body: { session_id: 'one', session_device_id: 'two' },
      });
      expect(both.status, path).toBe(422);
      expect(Object.keys(both.body.errors).sort(), path).toEqual(['session_device_id', 'session_id']);
      const neither = await t.request(method, path, { token: u.token, body: {} });
      expect(neither.status, path).toBe(422);
      expect(Object.keys(neither.body.errors), path).toEqual(['session_device_id']);
    }
  });

  it('records contacts the session has seen', async () => {
    const u = await t.createUser();
    const phone = network.phone('6281200000007');
    phone.addContact('6281299990009', 'Bu Rina');
    await linkedSession(u.token, '6281200000007');
    const sessions = (await t.request('GET', '/api/whatsapp/sessions', { token: u.token })).body.data;
    const contacts = await eventually(async () => {
      const res = await t.request('GET', `/api/whatsapp/sessions/${sessions[0].id}/contacts`, { token: u.token });
      return res.body.data.length > 0 && res.body.data;
    });
    expect(contacts).toEqual([expect.objectContaining({ phone: '6281299990009', name: 'Bu Rina' })]);
  });

  it('deletes a session and its credentials; delete device also removes its history', async () => {
    const u = await t.createUser();
    const id = await linkedSession(u.token, '6281200000008');
    network.phone('6281299990010').send('6281200000008', 'hi');
    await eventually(
      async () =>
        (await t.request('GET', `/api/whatsapp/sessions/${id}/messages`, { token: u.token })).body.meta.total === 1,
    );
    expect((await t.request('DELETE', `/api/whatsapp/sessions/${id}/device`, { token: u.token })).status).toBe(200);
    expect((await t.request('GET', `/api/whatsapp/sessions/${id}`, { token: u.token })).status).toBe(404);
    expect(await t.server.storage.sessionAuth.has(id)).toBe(false);
    expect(network.sessions().find((s) => s.sessionId === id)?.state).toBe('logged_out');

    const other = await linkedSession(u.token, '6281200000011');
    expect((await t.request('DELETE', `/api/whatsapp/sessions/${other}`, { token: u.token })).status).toBe(200);
    expect((await t.request('GET', `/api/whatsapp/sessions/${other}/status`, { token: u.token })).status).toBe(404);
  });

  it("answers 404 for another user's session on every route", async () => {
    const owner = await t.createUser();
    const other = await t.createUser();
    const id = await linkedSession(owner.token, '6281200000012');
    const calls: Array<[string, string, unknown?]> = [
      ['GET', `/api/whatsapp/sessions/${id}`],
      ['GET', `/api/whatsapp/sessions/${id}/status`],
      ['POST', `/api/whatsapp/sessions/${id}/connect`],
      ['POST', `/api/whatsapp/sessions/${id}/pairing-code`, { phone: '081200000099' }],
      ['DELETE', `/api/whatsapp/sessions/${id}/disconnect`],
      ['DELETE', `/api/whatsapp/sessions/${id}`],
      ['DELETE', `/api/whatsapp/sessions/${id}/device`],
      ['GET', `/api/whatsapp/sessions/${id}/messages`],
      ['GET', `/api/whatsapp/sessions/${id}/contacts`],
      ['GET', `/api/whatsapp/sessions/${id}/groups`],
      ['POST', '/api/whatsapp/groups/sync', { session_device_id: id }],
      ['GET', `/api/whatsapp/groups/device?session_device_id=${id}`],
    ];
    for (const [method, path, body] of calls)
      expect((await t.request(method, path, { token: other.token, body })).status, `${method} ${path}`).toBe(404);
    expect(
      (await t.request('GET', `/api/whatsapp/sessions/${id}/status`, { token: owner.token })).body.data.status,
    ).toBe('connected');
  });

  it('reports each session in the engine status, a user seeing only their own', async () => {
    const u = await t.createUser();
    const other = await t.createUser();
    const id = await linkedSession(u.token, '6281200000013');
    await linkedSession(other.token, '6281200000014');
    const status = (await t.request('GET', '/api/test-node-connection', { token: u.token })).body.data;
    expect(status.sessions).toMatchObject({ total: 1, connected: 1 });
    expect(status.sessions.details).toEqual([
      expect.objectContaining({
        sessionId: id,
        status: 'connected',
        phoneNumber: '6281200000013',
        socketConnected: true,
        socketUser: '6281200000013',
        reconnectionAttempts: 0,
        circuitBreaker: null,
      }),
    ]);
    expect(status).toMatchObject({
      bulk_jobs: expect.any(Number),
      scheduled_messages: expect.any(Number),
      message_store_size: expect.any(Number),
      circuitBreakersActive: [],
    });
    const admin = (await t.request('GET', '/api/test-node-connection')).body.data;
    expect(admin.sessions.total).toBeGreaterThanOrEqual(2);
  });

  it('names bad fields in a 422', async () => {
    const u = await t.createUser();
    const res = await t.request('POST', '/api/whatsapp/sessions', { token: u.token, body: { session_name: '' } });
    expect(res.status).toBe(422);
    expect(res.body.errors).toHaveProperty('session_name');
    expect((await t.request('GET', '/api/whatsapp/sessions', { token: u.token })).body.data).toEqual([]);
    const noDevice = await t.request('POST', '/api/whatsapp/groups/sync', { token: u.token, body: {} });
    expect(noDevice.body.errors).toHaveProperty('session_device_id');
  });
});

describe.each(DATABASES)('the try-out network across a server restart on %s', (database) => {
  let t: TestServer;
  const logged: string[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (obj, msg) => void logged.push(logLine(obj, msg)),
    error: (obj, msg) => void logged.push(logLine(obj, msg)),
    child: () => logger,
  };
  beforeAll(async () => {
    t = await startTestServer(
      database,
      { KIRIM_TRANSPORT: 'simulated', KIRIM_SIMULATED_LINK_MS: '10', KIRIM_HEARTBEAT_MS: '200' },
      { logger },
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  it('gives message ids no earlier start gave: a send after a restart is stored beside the first, with no UNIQUE error in the log', async () => {
    const u = await t.createUser();
    const status = async (id: string) =>
      (await t.request('GET', `/api/whatsapp/sessions/${id}/status`, { token: u.token })).body.data.status;
    const linked = async (name: string) => {
      const id: string = (
        await t.request('POST', '/api/whatsapp/sessions', { token: u.token, body: { session_name: name } })
      ).body.data.id;
      await eventually(async () => (await status(id)) === 'connected');
      return id;
    };
    const send = (id: string, message: string) =>
      t.request('POST', '/api/whatsapp/messages/text', {
        token: u.token,
        body: { session_id: id, to: '6281377770001', message },
      });
    const shop = await linked('shop');
    const before = await send(shop, 'before the restart');
    expect(before.status).toBe(200);

    await t.restart();
    await eventually(async () => (await status(shop)) === 'connected');
    // A session linked after the restart draws its QR code first, as the shop's did before it: the
    // same draws once gave the shop's next message the id of its first.
    await linked('second shop');
    const after = await send(shop, 'after the restart');
    expect(after.status).toBe(200);

    expect(after.body.data.message_id).not.toBe(before.body.data.message_id);
    const history = await t.request('GET', `/api/whatsapp/sessions/${shop}/messages?direction=out`, { token: u.token });
    expect(history.body.data.map((m: { text: string }) => m.text)).toEqual(['after the restart', 'before the restart']);
    expect(logged.filter((line) => /unique|duplicate/i.test(line))).toEqual([]);
  });
});

/** A log call as one line of text: its message and, for an error, the error's own message. */
function logLine(obj: object | string, msg?: string): string {
  if (typeof obj === 'string') return obj;
  const err = (obj as { err?: unknown }).err;
  return [
    msg,
    err instanceof Error
      ? `${err.message} ${err.cause instanceof Error ? err.cause.message : ''}`
      : JSON.stringify(obj),
  ].join(' ');
}
