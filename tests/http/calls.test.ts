import { connectRemoteNetwork, createSimulatedNetwork, type KirimEvent, type SimulatedNetwork } from '@kirim/core';
import { serveSimulatedNetwork } from '@kirim/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';
import { linkSession, phoneSequence } from '../support/linking.js';

// The simulated network in the server's process, and served on loopback as server processes reach it.
const SETUPS = DATABASES.flatMap((database) => [
  [database, 'in process'] as const,
  [database, 'served on loopback'] as const,
]);

describe.each(SETUPS)('calls and session proxies over HTTP on %s (simulated network %s)', (database, where) => {
  let t: TestServer;
  let network: SimulatedNetwork;
  let served: Awaited<ReturnType<typeof serveSimulatedNetwork>> | undefined;
  const calls: Array<KirimEvent<'call.received'>> = [];
  beforeAll(async () => {
    network = createSimulatedNetwork({ latencyMs: 1 });
    if (where === 'served on loopback') served = await serveSimulatedNetwork(network);
    const transport = served ? connectRemoteNetwork(served.url) : network.transport;
    t = await startTestServer(database, {}, { transport });
    t.server.kirim.on('call.received', (event) => void calls.push(event));
  });
  afterAll(async () => {
    await t?.close();
    await served?.close();
  });

  const nextPhone = phoneSequence('62818', database);
  const settings = (token: string, id: string, body?: unknown) =>
    t.request(body === undefined ? 'GET' : 'PATCH', `/api/whatsapp/sessions/${id}/settings`, { token, body });
  const callsTo = (id: string) => calls.filter((event) => event.data.session_id === id);
  const history = async (token: string, id: string) =>
    (await t.request('GET', `/api/whatsapp/sessions/${id}/messages`, { token })).body.data;

  it('rejects a call when reject_calls is set, answers the caller once with reject_call_message as an outbox text, and publishes call.received rejected', async () => {
    const u = await t.createUser();
    const id = await linkSession(t, network, u.token, nextPhone());
    const saved = await settings(u.token, id, {
      reject_calls: true,
      reject_call_message: 'Calls are not answered here',
    });
    expect(saved.status).toBe(200);
    expect(saved.body.data).toMatchObject({ reject_calls: true, reject_call_message: 'Calls are not answered here' });
    const caller = nextPhone();
    const callId = network.calls.place(caller, id, { video: true });

    const event = await eventually(() => (callsTo(id).length === 1 ? callsTo(id)[0] : undefined));
    expect(event!.data).toEqual({
      session_id: id,
      from: { jid: `${caller}@s.whatsapp.net`, phone: caller, lid: null },
      is_video: true,
      rejected: true,
    });
    expect(network.calls.placed.find((call) => call.callId === callId)?.rejected).toBe(true);
    const answer = await eventually(() =>
      network.sent.find((sent) => sent.sessionId === id && sent.to === `${caller}@s.whatsapp.net`),
    );
    expect(answer).toMatchObject({ kind: 'text', text: 'Calls are not answered here' });
    const rows = await eventually(async () => {
      const messages = await history(u.token, id);
      return messages.length === 1 && messages[0].status !== 'queued' && messages;
    });
    expect(rows).toEqual([
      expect.objectContaining({ direction: 'out', text: 'Calls are not answered here', peer_phone: caller }),
    ]);
    expect(network.sent.filter((sent) => sent.sessionId === id)).toHaveLength(1);
  });

  it('answers a call offer WhatsApp delivers again once: one outbox row, one call.received', async () => {
    const u = await t.createUser();
    const id = await linkSession(t, network, u.token, nextPhone(), {
      settings: { reject_calls: true, reject_call_message: 'Busy' },
    });
    const caller = nextPhone();
    network.calls.place(caller, id);
    await eventually(() => callsTo(id).length === 1);
    await eventually(async () => (await history(u.token, id)).length === 1);
    network.redeliver(id);
    // The redelivered offer is handled (rejected again) before a message placed after it is recorded.
    const later = network.phone(caller).send(id, 'after the call');
    await eventually(async () =>
      (await history(u.token, id)).some((m: { message_id: string }) => m.message_id === later),
    );
    expect(callsTo(id)).toHaveLength(1);
    expect((await history(u.token, id)).filter((m: { direction: string }) => m.direction === 'out')).toHaveLength(1);
  });

  it('announces a ringing call WhatsApp delivers again once, with no reject message to key it', async () => {
    const u = await t.createUser();
    const id = await linkSession(t, network, u.token, nextPhone());
    const caller = nextPhone();
    network.calls.place(caller, id);
    await eventually(() => callsTo(id).length === 1);
    network.redeliver(id);
    // The redelivered offer is handled before a message placed after it is recorded.
    const later = network.phone(caller).send(id, 'did you see my call?');
    await eventually(async () =>
      (await history(u.token, id)).some((m: { message_id: string }) => m.message_id === later),
    );
    expect(callsTo(id)).toHaveLength(1);
  });

  it('leaves a call ringing when reject_calls is off, sends nothing, and publishes call.received not rejected', async () => {
    const u = await t.createUser();
    const id = await linkSession(t, network, u.token, nextPhone());
    const caller = nextPhone();
    const callId = network.calls.place(caller, id);
    const event = await eventually(() => (callsTo(id).length === 1 ? callsTo(id)[0] : undefined));
    expect(event!.data).toMatchObject({ is_video: false, rejected: false, from: { phone: caller } });
    expect(network.calls.placed.find((call) => call.callId === callId)?.rejected).toBe(false);
    expect(network.sent.filter((sent) => sent.sessionId === id)).toEqual([]);
    expect(await history(u.token, id)).toEqual([]);
  });

  it('rejects a call without answering the caller when reject_call_message is not set', async () => {
    const u = await t.createUser();
    const id = await linkSession(t, network, u.token, nextPhone(), { settings: { reject_calls: true } });
    const callId = network.calls.place(nextPhone(), id);
    const event = await eventually(() => (callsTo(id).length === 1 ? callsTo(id)[0] : undefined));
    expect(event!.data.rejected).toBe(true);
    expect(network.calls.placed.find((call) => call.callId === callId)?.rejected).toBe(true);
    expect(network.sent.filter((sent) => sent.sessionId === id)).toEqual([]);
  });

  it('shows proxy_url masked in every answer and stores it sealed; null removes it', async () => {
    const u = await t.createUser();
    const id = await linkSession(t, network, u.token, nextPhone());
    const proxy = 'socks5://kirim:s3cret-pass@127.0.0.1:1080';
    const saved = await settings(u.token, id, { proxy_url: proxy, min_gap_ms: 4000 });
    expect(saved.status).toBe(200);
    expect(saved.body.data).toMatchObject({ proxy_url: 'socks5://kirim:****@127.0.0.1:1080', min_gap_ms: 4000 });
    expect((await settings(u.token, id)).body.data.proxy_url).toBe('socks5://kirim:****@127.0.0.1:1080');
    const stored = (await t.server.kirim.storage.sessions.getById(id))!.settings.proxy_url as string;
    expect(stored).toMatch(/^v1\./);
    expect(stored).not.toContain('s3cret-pass');
    // Changing another setting keeps the proxy; null removes it.
    expect((await settings(u.token, id, { jitter_ms: 10 })).body.data.proxy_url).toBe(
      'socks5://kirim:****@127.0.0.1:1080',
    );
    const removed = await settings(u.token, id, { proxy_url: null });
    expect(removed.body.data).not.toHaveProperty('proxy_url');
    expect((await t.server.kirim.storage.sessions.getById(id))!.settings).not.toHaveProperty('proxy_url');
  });

  it('fails a session whose proxy was sealed under another KIRIM_SECRET_KEY, saying so, still shows the proxy masked, and connects once proxy_url is set again', async () => {
    const u = await t.createUser();
    const id = await linkSession(t, network, u.token, nextPhone());
    expect((await settings(u.token, id, { proxy_url: 'http://kirim:pw@127.0.0.1:3128' })).status).toBe(200);
    const { storage } = t.server.kirim;
    const stored = (await storage.sessions.getById(id))!.settings;
    // The sealed value names the key it was sealed with (`v1.<key id>.…`): as written by a process with another key.
    const [version, , ...sealed] = String(stored.proxy_url).split('.');
    await storage.sessions.update(id, {
      settings: { ...stored, proxy_url: [version, 'otherkey', ...sealed].join('.') },
    });
    const path = `/api/whatsapp/sessions/${id}`;
    expect((await t.request('DELETE', `${path}/disconnect`, { token: u.token })).status).toBe(200);

    expect((await t.request('POST', `${path}/connect`, { token: u.token })).status).toBe(200);
    const failed = await eventually(async () => {
      const status = (await t.request('GET', `${path}/status`, { token: u.token })).body.data;
      return status.status === 'failed' && status;
    });
    expect(failed.reason).toMatch(/^proxy unreadable: .*KIRIM_SECRET_KEY/);
    expect((await settings(u.token, id)).body.data.proxy_url).toBe('http://kirim:****@127.0.0.1:3128');

    expect((await settings(u.token, id, { proxy_url: 'http://kirim:new@127.0.0.1:3128' })).status).toBe(200);
    expect((await t.request('POST', `${path}/connect`, { token: u.token })).status).toBe(200);
    await eventually(
      async () => (await t.request('GET', `${path}/status`, { token: u.token })).body.data.status === 'connected',
    );
  });

  it('reconnects a connected session when its proxy changes', async () => {
    const u = await t.createUser();
    const id = await linkSession(t, network, u.token, nextPhone());
    const session = async () => (await t.request('GET', `/api/whatsapp/sessions/${id}`, { token: u.token })).body.data;
    const before = (await session()).connected_at;
    expect((await settings(u.token, id, { proxy_url: 'http://user:pw@127.0.0.1:3128' })).status).toBe(200);
    // connected_at is rewritten each time a link opens: a new link connected.
    const after = await eventually(async () => {
      const now = await session();
      return now.status === 'connected' && now.connected_at !== before && now;
    });
    expect(Date.parse(after.connected_at)).toBeGreaterThan(Date.parse(before));
    expect(network.sessions().find((s) => s.sessionId === id)?.state).toBe('connected');
  });

  it('answers 422 naming reject_calls, reject_call_message and proxy_url for bad values, and stores nothing', async () => {
    const u = await t.createUser();
    const id = await linkSession(t, network, u.token, nextPhone());
    const res = await settings(u.token, id, {
      reject_calls: 'yes',
      reject_call_message: 'x'.repeat(1001),
      proxy_url: 'ftp://user:pw@proxy.example:21',
    });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.errors).sort()).toEqual(['proxy_url', 'reject_call_message', 'reject_calls']);
    for (const bad of ['not a url', 'http://', 'socks4://127.0.0.1:1080', 'http://proxy.example:8080/some/path']) {
      const one = await settings(u.token, id, { proxy_url: bad });
      expect(one.status).toBe(422);
      expect(Object.keys(one.body.errors)).toEqual(['proxy_url']);
    }
    expect((await t.server.kirim.storage.sessions.getById(id))!.settings).toEqual({});
  });

  it("answers 404 for another user's session settings", async () => {
    const owner = await t.createUser();
    const other = await t.createUser();
    const id = await linkSession(t, network, owner.token, nextPhone());
    expect((await settings(other.token, id, { reject_calls: true })).status).toBe(404);
    expect((await settings(other.token, id)).status).toBe(404);
  });
});
