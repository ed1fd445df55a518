import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSimulatedNetwork, type SimulatedNetwork } from '@kirim/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';
import { QUICK_SENDS } from '../support/quick-sends.js';
import { linkSession, phoneSequence } from '../support/linking.js';
import { openSse } from '../support/sse-client.js';

// Issue 12: sending faults. The caller's faults are answered 422 at once and never open a session's breaker;
// an open breaker is visible; an Idempotency-Key is compared whole.

const SENT = /^(sent|delivered|read)$/;
// A send WhatsApp refuses is retried an hour later: no retry happens behind a test's back.
const FAST = { ...QUICK_SENDS, KIRIM_SEND_RETRY_DELAY_MS: '3600000' };
// A 1×1 PNG: its bytes show it is an image.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
// A breaker that opens on the first failure a session's sends count.
const TOUCHY_BREAKER = { breaker_window: 1, breaker_min_samples: 1, breaker_failure_ratio: 1 };

describe.each(DATABASES)('sending faults over HTTP on %s (simulated network)', (database) => {
  let network: SimulatedNetwork;
  /** Loopback media allowed, as an operator may: the media host below is on 127.0.0.1. */
  let t: TestServer;
  /** The default: private media URLs refused. */
  let guarded: TestServer;
  let media: Server;
  let mediaBase: string;

  beforeAll(async () => {
    network = createSimulatedNetwork({ latencyMs: 1 });
    [t, guarded] = await Promise.all([
      startTestServer(database, { ...FAST, KIRIM_ALLOW_PRIVATE_URLS: 'true' }, { transport: network.transport }),
      startTestServer(database, FAST, { transport: network.transport }),
    ]);
    media = createServer((req, res) => {
      if (req.url === '/promo.png') res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
      else if (req.url === '/page.html')
        res
          .writeHead(200, { 'content-type': 'image/png' })
          .end('<!doctype html><html><body>Not found, sorry</body></html>');
      else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    });
    await new Promise<void>((resolve) => media.listen(0, '127.0.0.1', resolve));
    mediaBase = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await Promise.all([t?.close(), guarded?.close()]);
    media?.close();
  });

  const nextPhone = phoneSequence('62813', database);

  async function linked(server: TestServer, token: string, settings?: Record<string, unknown>) {
    const phone = nextPhone();
    return { id: await linkSession(server, network, token, phone, { settings }), phone };
  }

  const outgoing = async (server: TestServer, token: string, id: string) =>
    (await server.request('GET', `/api/whatsapp/sessions/${id}/messages?direction=out&per_page=100`, { token })).body
      .data as Array<{ text: string | null; status: string; error: string | null }>;
  const status = async (server: TestServer, token: string, id: string) =>
    (await server.request('GET', `/api/whatsapp/sessions/${id}/status`, { token })).body.data;
  const sentBy = (sessionId: string) => network.sent.filter((s) => s.sessionId === sessionId);

  describe('a refused media_url', () => {
    it('answers 422 naming media_url, at once, for a media_url on a private address; nothing is stored and the breaker is untouched', async () => {
      const u = await guarded.createUser();
      const { id } = await linked(guarded, u.token, TOUCHY_BREAKER);
      for (const url of [`${mediaBase}/promo.png`, 'http://10.1.2.3/promo.png', 'http://localhost/promo.png']) {
        const res = await guarded.request('POST', '/api/whatsapp/messages/media', {
          token: u.token,
          body: { session_id: id, to: nextPhone(), media_url: url, type: 'image' },
        });
        expect(res.status, url).toBe(422);
        expect(res.body).toMatchObject({
          success: false,
          code: 'validation',
          errors: { media_url: [expect.stringMatching(/private/)] },
        });
      }
      expect(await outgoing(guarded, u.token, id)).toEqual([]);
      expect(await status(guarded, u.token, id)).toMatchObject({
        status: 'connected',
        circuit_open_until: null,
        circuit_reason: null,
      });
      const text = await guarded.request('POST', '/api/whatsapp/messages/text', {
        token: u.token,
        body: { session_id: id, to: nextPhone(), message: 'still here' },
      });
      expect(text.status).toBe(200);
      expect(text.body.data.status).toMatch(SENT);
    });

    it('answers 422 naming media_url for a private media_url of a group send, and stores nothing', async () => {
      const u = await guarded.createUser();
      const { id, phone } = await linked(guarded, u.token);
      const group = network.createGroup({ subject: 'Reseller', owner: phone, participants: [nextPhone()] });
      const res = await guarded.request('POST', '/api/whatsapp/messages/group/media', {
        token: u.token,
        body: { session_id: id, group_id: group.jid, media_url: `${mediaBase}/promo.png`, type: 'image' },
      });
      expect(res.status).toBe(422);
      expect(res.body.errors).toHaveProperty('media_url');
      expect(await outgoing(guarded, u.token, id)).toEqual([]);
    });

    it('refuses a private media_url when a bulk media job is created, and stores no job', async () => {
      const u = await guarded.createUser();
      const { id } = await linked(guarded, u.token);
      const res = await guarded.request('POST', '/api/whatsapp/messages/bulk/media', {
        token: u.token,
        body: {
          session_id: id,
          contacts: [nextPhone(), nextPhone()],
          media_url: `${mediaBase}/promo.png`,
          type: 'image',
        },
      });
      expect(res.status).toBe(422);
      expect(Object.keys(res.body.errors)).toEqual(['media_url']);
      expect((await guarded.request('GET', '/api/whatsapp/messages/bulk', { token: u.token })).body.data).toEqual([]);
      expect(await outgoing(guarded, u.token, id)).toEqual([]);
    });

    it('refuses a private media_url when a media message is scheduled, and stores nothing', async () => {
      const u = await guarded.createUser();
      const { id } = await linked(guarded, u.token);
      const scheduled_at = new Date(Date.now() + 3_600_000).toISOString();
      const res = await guarded.request('POST', '/api/whatsapp/messages/schedule/media', {
        token: u.token,
        body: {
          session_id: id,
          to: nextPhone(),
          media_url: 'http://169.254.169.254/latest/meta-data',
          type: 'image',
          scheduled_at,
        },
      });
      expect(res.status).toBe(422);
      expect(Object.keys(res.body.errors)).toEqual(['media_url']);
      expect((await guarded.request('GET', '/api/whatsapp/messages/schedule', { token: u.token })).body.data).toEqual(
        [],
      );
    });
  });

  describe('media the host will not give', () => {
    it('answers 422 naming media_url for a media host answering 404, fails the row once, and the breaker does not count it', async () => {
      const u = await t.createUser();
      const { id } = await linked(t, u.token, TOUCHY_BREAKER);
      const res = await t.request('POST', '/api/whatsapp/messages/media', {
        token: u.token,
        body: { session_id: id, to: nextPhone(), media_url: `${mediaBase}/gone.png`, type: 'image' },
      });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({
        code: 'validation',
        errors: { media_url: [expect.stringContaining('HTTP 404')] },
        data: { status: 'failed' },
      });
      const [row] = await outgoing(t, u.token, id);
      expect(row).toMatchObject({
        status: 'failed',
        error: 'invalid_input:media_url: the media host answered HTTP 404',
      });
      expect(await status(t, u.token, id)).toMatchObject({ circuit_open_until: null, circuit_reason: null });
      const text = await t.request('POST', '/api/whatsapp/messages/text', {
        token: u.token,
        body: { session_id: id, to: nextPhone(), message: 'after the 404' },
      });
      expect(text.status).toBe(200);
      expect(sentBy(id).map((s) => s.text)).toEqual(['after the 404']);
    });

    it('answers 422 naming media_url, at once and without retries, for a media host name that does not exist (NXDOMAIN), and the breaker does not count it', async () => {
      const u = await guarded.createUser();
      const { id } = await linked(guarded, u.token, TOUCHY_BREAKER);
      // .invalid never resolves (RFC 2606): accepted when queued, as DNS may be down for a moment, and refused when sent.
      const res = await guarded.request('POST', '/api/whatsapp/messages/media', {
        token: u.token,
        body: {
          session_id: id,
          to: nextPhone(),
          media_url: 'https://media.kirim-test.invalid/promo.png',
          type: 'image',
        },
      });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({
        code: 'validation',
        errors: { media_url: ['its host name does not exist'] },
        data: { status: 'failed' },
      });
      expect(await outgoing(guarded, u.token, id)).toEqual([
        expect.objectContaining({ status: 'failed', error: 'invalid_input:media_url: its host name does not exist' }),
      ]);
      expect(await status(guarded, u.token, id)).toMatchObject({ circuit_open_until: null, circuit_reason: null });
    });

    it('answers 422 naming media_url when the body is HTML for type image, and sends the same file as a document', async () => {
      const u = await t.createUser();
      const { id } = await linked(t, u.token, TOUCHY_BREAKER);
      const url = `${mediaBase}/page.html`;
      const image = await t.request('POST', '/api/whatsapp/messages/media', {
        token: u.token,
        body: { session_id: id, to: nextPhone(), media_url: url, type: 'image' },
      });
      expect(image.status).toBe(422);
      expect(image.body.errors.media_url).toEqual([expect.stringMatching(/is not an image/)]);
      const document = await t.request('POST', '/api/whatsapp/messages/media', {
        token: u.token,
        body: { session_id: id, to: nextPhone(), media_url: url, type: 'document' },
      });
      expect(document.status).toBe(200);
      expect(sentBy(id).map((s) => s.media?.type)).toEqual(['document']);
      expect(await status(t, u.token, id)).toMatchObject({ circuit_open_until: null });
    });

    it('sends an image whose bytes are an image, with the type its bytes show', async () => {
      const u = await t.createUser();
      const { id } = await linked(t, u.token);
      const res = await t.request('POST', '/api/whatsapp/messages/media', {
        token: u.token,
        body: { session_id: id, to: nextPhone(), media_url: `${mediaBase}/promo.png`, type: 'image', caption: 'Promo' },
      });
      expect(res.status).toBe(200);
      expect(sentBy(id)[0].media).toMatchObject({ type: 'image', mimetype: 'image/png', caption: 'Promo' });
    });
  });

  describe('a group the session is not in', () => {
    it('answers 422 naming group_id, at once, for a send to a group the session is not in, and the breaker does not count it', async () => {
      const u = await t.createUser();
      const { id } = await linked(t, u.token, TOUCHY_BREAKER);
      const strangers = network.createGroup({ subject: 'Not mine', owner: nextPhone(), participants: [nextPhone()] });
      const res = await t.request('POST', '/api/whatsapp/messages/group/text', {
        token: u.token,
        body: { session_id: id, group_id: strangers.jid, message: 'hello?' },
      });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({
        code: 'validation',
        errors: { group_id: [expect.stringMatching(/not a participant/)] },
      });
      expect((await outgoing(t, u.token, id))[0]).toMatchObject({
        status: 'failed',
        error: 'invalid_input:group_id: the session is not a participant of this group',
      });
      expect(await status(t, u.token, id)).toMatchObject({ circuit_open_until: null });
      expect(
        (
          await t.request('POST', '/api/whatsapp/messages/text', {
            token: u.token,
            body: { session_id: id, to: nextPhone(), message: 'x' },
          })
        ).status,
      ).toBe(200);
    });
  });

  describe('the circuit breaker', () => {
    it('shows an open breaker in the session status and list, and publishes session.circuit when it opens and closes', async () => {
      const u = await t.createUser();
      const { id } = await linked(t, u.token, { ...TOUCHY_BREAKER, breaker_cooldown_ms: 1000 });
      const events = await openSse(`${t.url}/api/events`, { authorization: `Bearer ${u.token}` });
      const circuit = async (count: number) =>
        (await events.waitFor(count, (f) => f.event === 'session.circuit')).map((f) => JSON.parse(f.data!).data);
      try {
        network.refuseSends(id, 'rate-overlimit');
        // The refused row is retried only an hour later (KIRIM_SEND_RETRY_DELAY_MS): the events below are all there is.
        const refused = await t.request('POST', '/api/whatsapp/messages/text', {
          token: u.token,
          body: { session_id: id, to: nextPhone(), message: 'refused' },
        });
        expect(refused.status).toBe(202);
        const [opened] = await circuit(1);
        const open = await status(t, u.token, id);
        expect(open).toMatchObject({
          status: 'connected',
          circuit_open_until: opened.until,
          circuit_reason: expect.stringContaining('rate-overlimit'),
        });
        expect(opened).toEqual({
          session_id: id,
          state: 'opened',
          until: open.circuit_open_until,
          reason: open.circuit_reason,
        });
        const listed = (await t.request('GET', '/api/whatsapp/sessions', { token: u.token })).body.data.find(
          (s: { id: string }) => s.id === id,
        );
        expect(listed).toMatchObject({
          circuit_open_until: open.circuit_open_until,
          circuit_reason: open.circuit_reason,
        });

        network.refuseSends(id, null);
        // Sent once the cool-down is over, however long the wait before it: the breaker holds the row, not the test.
        const after = await t.request('POST', '/api/whatsapp/messages/text', {
          token: u.token,
          body: { session_id: id, to: nextPhone(), message: 'after the cool-down' },
        });
        expect([200, 202]).toContain(after.status);
        await eventually(async () => sentBy(id).some((s) => s.text === 'after the cool-down'));
        expect(await circuit(2)).toEqual([opened, { session_id: id, state: 'closed', until: null, reason: null }]);
        expect(await status(t, u.token, id)).toMatchObject({ circuit_open_until: null, circuit_reason: null });
        expect(sentBy(id).map((s) => s.text)).toEqual(['after the cool-down']);
      } finally {
        events.close();
        network.refuseSends(id, null);
      }
    });
  });

  describe('Idempotency-Key', () => {
    it('compares an Idempotency-Key whole: 20 keys sharing a 200-character prefix are 20 messages', async () => {
      const u = await t.createUser();
      const { id } = await linked(t, u.token);
      const prefix = 'k'.repeat(200);
      const ids = new Set<number>();
      for (let i = 0; i < 20; i++) {
        const res = await t.request('POST', '/api/whatsapp/messages/text', {
          token: u.token,
          body: { session_id: id, to: nextPhone(), message: `m${i}` },
          headers: { 'idempotency-key': `${prefix}-${i}` },
        });
        expect(res.status).toBe(200);
        ids.add(res.body.data.id);
      }
      expect(ids.size).toBe(20);
      expect(sentBy(id)).toHaveLength(20);
    });

    it("answers 422 naming Idempotency-Key for a key reused with a different body or route, and the first request's row is untouched", async () => {
      const u = await t.createUser();
      const { id, phone } = await linked(t, u.token);
      const to = nextPhone();
      const headers = { 'idempotency-key': 'order-77' };
      const first = await t.request('POST', '/api/whatsapp/messages/text', {
        token: u.token,
        body: { session_id: id, to, message: 'Pesanan 77 dikirim' },
        headers,
      });
      expect(first.status).toBe(200);
      // The same request, written another way, is the same request.
      const again = await t.request('POST', '/api/whatsapp/messages/text', {
        token: u.token,
        body: { session_id: id, to: `+${to}`, message: 'Pesanan 77 dikirim' },
        headers,
      });
      expect(again.body.data.id).toBe(first.body.data.id);

      const otherBody = await t.request('POST', '/api/whatsapp/messages/text', {
        token: u.token,
        body: { session_id: id, to, message: 'Pesanan 78 dikirim' },
        headers,
      });
      const group = network.createGroup({ subject: 'g', owner: phone, participants: [to] });
      const otherRoute = await t.request('POST', '/api/whatsapp/messages/group/text', {
        token: u.token,
        body: { session_id: id, group_id: group.jid, message: 'Pesanan 77 dikirim' },
        headers,
      });
      for (const res of [otherBody, otherRoute]) {
        expect(res.status).toBe(422);
        expect(res.body.errors).toEqual({ 'Idempotency-Key': [expect.stringMatching(/different request/)] });
      }
      expect(sentBy(id).map((s) => s.text)).toEqual(['Pesanan 77 dikirim']);
    });

    it('refuses an Idempotency-Key longer than 255 characters with 422 naming it, and stores nothing', async () => {
      const u = await t.createUser();
      const { id } = await linked(t, u.token);
      const res = await t.request('POST', '/api/whatsapp/messages/text', {
        token: u.token,
        body: { session_id: id, to: nextPhone(), message: 'x' },
        headers: { 'idempotency-key': 'k'.repeat(256) },
      });
      expect(res.status).toBe(422);
      expect(Object.keys(res.body.errors)).toEqual(['Idempotency-Key']);
      expect(await outgoing(t, u.token, id)).toEqual([]);
    });
  });
});
