// The real path for calls and per-session proxies: the reference server's HTTP API drives unmodified Baileys
// against @kirim/wa-sim. A wa-sim phone calls the linked account; a session's proxy_url sends its WhatsApp socket
// and its media uploads through a local HTTP proxy (proxy-chain) or SOCKS5 proxy (simple-socks), each with a password.
import type { Server as NetServer } from 'node:net';
import type { KirimEvent } from '@kirim/core';
import { placeCall, type PhoneMessage, type SimPhone, type WaSim } from '@kirim/wa-sim';
import { Server as HttpProxyServer } from 'proxy-chain';
import socks from 'simple-socks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { serveFiles } from '../support/file-server.js';
import { freePort } from '../support/free-port.js';
import { DATABASES, type TestServer } from '../support/harness.js';
import { png } from '../support/media-samples.js';
import { QUICK_SENDS } from '../support/quick-sends.js';
import { startServerOverWaSim } from '../support/wa-sim-server.js';

const PASSWORD = 'right-pass';

describe.each(DATABASES)('calls and session proxies over the HTTP API, Baileys and wa-sim on %s', (database) => {
  let sim: WaSim;
  let t: TestServer;
  let user: { token: string };
  let httpProxy: HttpProxyServer;
  let socksProxy: NetServer;
  let httpProxyPort: number;
  let socksProxyPort: number;
  /** `host:port` of each connection a proxy was asked to open, by proxy. */
  const through = { http: [] as string[], socks: [] as string[] };
  const calls: Array<KirimEvent<'call.received'>> = [];
  const noProxyBefore = process.env.NO_PROXY;
  const suffix = database === 'sqlite' ? '7' : '8';
  let nextNumber = 0;
  const phone = (options?: { pushName?: string }) =>
    sim.phone(`62815${suffix}000${String(++nextNumber).padStart(3, '0')}`, options);

  beforeAll(async () => {
    // Loopback is never exempt from a session's proxy, whatever the environment says.
    process.env.NO_PROXY = '127.0.0.1,localhost';
    ({ sim, t } = await startServerOverWaSim(database, {
      ...QUICK_SENDS,
      KIRIM_ALLOW_PRIVATE_URLS: 'true',
      KIRIM_SECRET_KEY: 'calls-proxy-test-secret-key-0123456789',
    }));
    user = await t.createUser();
    t.server.kirim.on('call.received', (event) => void calls.push(event));
    httpProxyPort = await freePort();
    httpProxy = new HttpProxyServer({
      port: httpProxyPort,
      host: '127.0.0.1',
      prepareRequestFunction: ({ username, password, hostname, port }) => {
        if (username !== 'kirim' || password !== PASSWORD) return { requestAuthentication: true };
        through.http.push(`${hostname}:${port}`);
        return {};
      },
    });
    await httpProxy.listen();
    socksProxyPort = await freePort();
    socksProxy = socks.createServer({
      authenticate: (username, password, _socket, callback) =>
        username === 'kirim' && password === PASSWORD ? callback() : callback(new Error('wrong credentials')),
      connectionFilter: (destination, _origin, callback) => {
        through.socks.push(`${destination.address}:${destination.port}`);
        callback();
      },
    });
    await new Promise<void>((resolve) => socksProxy.listen(socksProxyPort, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    if (noProxyBefore === undefined) delete process.env.NO_PROXY;
    else process.env.NO_PROXY = noProxyBefore;
    await t?.close();
    await sim?.close();
    await httpProxy?.close(true);
    await new Promise((resolve) => (socksProxy ? socksProxy.close(resolve) : resolve(undefined)));
  });

  const status = async (id: string) =>
    (await t.request('GET', `/api/whatsapp/sessions/${id}/status`, { token: user.token })).body.data;
  const patchSettings = (id: string, body: unknown) =>
    t.request('PATCH', `/api/whatsapp/sessions/${id}/settings`, { token: user.token, body });

  /** Creates a session, sets its settings (a proxy reconnects it), and links it with `account`'s phone. */
  async function linked(account: SimPhone, settings: Record<string, unknown> = {}): Promise<string> {
    const id: string = (
      await t.request('POST', '/api/whatsapp/sessions', { token: user.token, body: { session_name: 'calls' } })
    ).body.data.id;
    if (Object.keys(settings).length) expect((await patchSettings(id, settings)).status).toBe(200);
    await account.scanQr(await eventually(async () => (await status(id)).qr, 15_000));
    await eventually(async () => (await status(id)).status === 'connected', 20_000);
    return id;
  }

  const isAnswer = (m: PhoneMessage) => m.decoded.kind === 'text' && m.decoded.text === 'No calls, please write';

  it('rejects a call through Baileys when reject_calls is set and answers the caller with reject_call_message; a call is left ringing with it off; call.received either way', async () => {
    const me = phone();
    const caller = phone({ pushName: 'Caller' });
    const id = await linked(me, { reject_calls: true, reject_call_message: 'No calls, please write' });

    const rejectedId = placeCall(caller, me, { video: true });
    await eventually(() => caller.calls.get(rejectedId)?.rejectedBy, 15_000);
    expect(caller.calls.get(rejectedId)?.rejectedBy).toMatch(new RegExp(`^${me.number}:\\d+@s\\.whatsapp\\.net$`));
    const answer = await caller.waitForMessage((m) => isAnswer(m), 15_000);
    expect(answer.from).toMatch(new RegExp(`^${me.number}`));
    const first = await eventually(() => calls.find((e) => e.data.session_id === id), 15_000);
    expect(first!.data).toEqual({
      session_id: id,
      from: expect.objectContaining({ phone: caller.number }),
      is_video: true,
      rejected: true,
    });

    expect((await patchSettings(id, { reject_calls: false })).status).toBe(200);
    const ringingId = placeCall(caller, me);
    const second = await eventually(() => calls.filter((e) => e.data.session_id === id)[1], 15_000);
    expect(second.data).toMatchObject({ is_video: false, rejected: false, from: { phone: caller.number } });
    expect(caller.calls.get(ringingId)?.rejectedBy).toBeNull();
    // The answer went once, for the rejected call only.
    expect(caller.received.filter(isAnswer)).toHaveLength(1);
  });

  for (const kind of ['http', 'socks'] as const) {
    const proxyUrl = (password: string) =>
      kind === 'http'
        ? `http://kirim:${password}@127.0.0.1:${httpProxyPort}`
        : `socks5://kirim:${password}@127.0.0.1:${socksProxyPort}`;
    const masked = () =>
      kind === 'http'
        ? `http://kirim:****@127.0.0.1:${httpProxyPort}`
        : `socks5://kirim:****@127.0.0.1:${socksProxyPort}`;

    it(`sends the session's WhatsApp socket, its media upload and a received media's download through the ${kind} proxy, shows the URL masked and stores it sealed`, async () => {
      const me = phone();
      const friend = phone();
      const wsTarget = `127.0.0.1:${new URL(sim.url).port}`;
      const mediaTarget = `127.0.0.1:${new URL(sim.media.url).port}`;
      const id = await linked(me, { proxy_url: proxyUrl(PASSWORD) });
      expect(through[kind]).toContain(wsTarget);

      const shown = await t.request('GET', `/api/whatsapp/sessions/${id}/settings`, { token: user.token });
      expect(shown.body.data.proxy_url).toBe(masked());
      const row = await t.server.kirim.storage.sessions.getById(id);
      expect(String(row!.settings.proxy_url)).toMatch(/^v1\./);
      expect(JSON.stringify(row!.settings)).not.toContain(PASSWORD);

      const data = await png(64, 48);
      const origin = await serveFiles({ '/photo.png': ['image/png', data] });
      try {
        const before = through[kind].filter((target) => target === mediaTarget).length;
        const sent = await t.request('POST', '/api/whatsapp/messages/media', {
          token: user.token,
          body: { session_id: id, to: friend.number, media_url: `${origin.base}/photo.png`, type: 'image' },
        });
        expect(sent.status, JSON.stringify(sent.body)).toBe(200);
        await friend.waitForMessage((m) => m.id === sent.body.data.message_id, 15_000);
        expect(through[kind].filter((target) => target === mediaTarget).length).toBeGreaterThan(before);
      } finally {
        origin.close();
      }

      // Media the friend sends is fetched from the media host through the proxy too.
      const photo = await png(32, 24);
      const receivedId = await friend.sendMedia(me.number, { type: 'image', data: photo, mimetype: 'image/png' });
      const beforeDownload = through[kind].filter((target) => target === mediaTarget).length;
      const served = await eventually(async () => {
        const res = await fetch(`${t.url}/api/whatsapp/messages/${receivedId}/media`, {
          headers: { authorization: `Bearer ${user.token}` },
        });
        return res.status === 200 ? Buffer.from(await res.arrayBuffer()) : undefined;
      }, 15_000);
      expect(served!.equals(photo)).toBe(true);
      expect(through[kind].filter((target) => target === mediaTarget).length).toBeGreaterThan(beforeDownload);
    });

    it(`says the ${kind} proxy refused, in the session's status and reason, for a wrong password`, async () => {
      const id: string = (
        await t.request('POST', '/api/whatsapp/sessions', { token: user.token, body: { session_name: 'refused' } })
      ).body.data.id;
      expect((await patchSettings(id, { proxy_url: proxyUrl('wrong-pass') })).status).toBe(200);
      const refused = await eventually(async () => {
        const s = await status(id);
        return s.reason?.startsWith('proxy refused') && s;
      }, 20_000);
      expect(refused.status).toMatch(/^(disconnected|failed)$/);
      expect(refused.reason).toBe(
        kind === 'http'
          ? 'proxy refused: 407 Proxy Authentication Required'
          : // simple-socks answers refused credentials with a malformed reply: the handshake fails as a whole.
            'proxy refused: the SOCKS handshake failed (check the credentials)',
      );
    });
  }
});
