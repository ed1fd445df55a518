import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSimulatedNetwork, type SimulatedNetwork } from '@kirim/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';
import { QUICK_SENDS } from '../support/quick-sends.js';
import { linkSession, phoneSequence } from '../support/linking.js';

// Rate limits off (each test that needs them sets a session's own), a fast dispatcher, loopback media allowed.
// A send answers once WhatsApp has it; a fast receipt may already have moved it further.
const SENT = /^(sent|delivered|read)$/;

// A 1×1 PNG: the media loader checks that an image's bytes are one.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

const ENV = { ...QUICK_SENDS, KIRIM_ALLOW_PRIVATE_URLS: 'true' };

describe.each(DATABASES)('sending over HTTP on %s (simulated network)', (database) => {
  let t: TestServer;
  let network: SimulatedNetwork;
  let media: Server;
  let mediaUrl: string;
  beforeAll(async () => {
    network = createSimulatedNetwork({ latencyMs: 1 });
    t = await startTestServer(database, ENV, { transport: network.transport });
    media = createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(PNG));
    await new Promise<void>((resolve) => media.listen(0, '127.0.0.1', resolve));
    mediaUrl = `http://127.0.0.1:${(media.address() as AddressInfo).port}/promo.png`;
  });
  afterAll(async () => {
    await t?.close();
    media?.close();
  });

  const nextPhone = phoneSequence('62812', database);

  async function linked(token: string, name = 'device') {
    const phone = nextPhone();
    return { id: await linkSession(t, network, token, phone, { name }), phone };
  }

  const sentBy = (sessionId: string) => network.sent.filter((s) => s.sessionId === sessionId);

  describe('POST /api/whatsapp/messages/text', () => {
    it("sends and answers with the document's fields; receipts move the row to read", async () => {
      const u = await t.createUser();
      const { id } = await linked(u.token);
      const customer = network.phone(nextPhone(), { autoRead: true });
      const res = await t.request('POST', '/api/whatsapp/messages/text', {
        token: u.token,
        body: { session_id: id, to: `+${customer.number}`, message: 'Halo Kak!' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        success: true,
        message: 'Message sent successfully',
        data: {
          id: expect.any(Number),
          message_id: expect.any(String),
          status: expect.stringMatching(SENT),
          quoted: null,
          mentions: [],
        },
      });
      expect(res.body.data).not.toHaveProperty('routed_via');
      expect(customer.inbox.map((m) => m.text)).toContain('Halo Kak!');
      const read = await eventually(async () => {
        const history = await t.request('GET', `/api/whatsapp/sessions/${id}/messages?direction=out`, {
          token: u.token,
        });
        return history.body.data[0].status === 'read' && history.body.data[0];
      });
      expect(read).toMatchObject({
        message_id: res.body.data.message_id,
        peer_phone: customer.number,
        text: 'Halo Kak!',
      });
    });

    it('quotes a stored message and mentions', async () => {
      const u = await t.createUser();
      const { id, phone } = await linked(u.token);
      const customer = network.phone(nextPhone());
      const incomingId = customer.send(phone, 'Ada stok?');
      await eventually(
        async () =>
          (await t.request('GET', `/api/whatsapp/sessions/${id}/messages?direction=in`, { token: u.token })).body.meta
            .total === 1,
      );
      const mention = `${customer.number}@s.whatsapp.net`;
      const res = await t.request('POST', '/api/whatsapp/messages/text', {
        token: u.token,
        body: {
          session_id: id,
          to: customer.number,
          message: `Ada, @${customer.number}`,
          quoted_message_id: incomingId,
          mentions: [mention],
        },
      });
      expect(res.body.data).toMatchObject({
        status: expect.stringMatching(SENT),
        quoted: incomingId,
        mentions: [mention],
      });
      expect(sentBy(id).at(-1)).toMatchObject({ quotedId: incomingId, mentions: [mention] });
    });

    it('names both routing fields when both or neither are given, and every other bad field', async () => {
      const u = await t.createUser();
      const both = await t.request('POST', '/api/whatsapp/messages/text', {
        token: u.token,
        body: { session_id: 'a', pool_id: 'b', to: '0812', message: '' },
      });
      expect(both.status).toBe(422);
      expect(Object.keys(both.body.errors).sort()).toEqual(['message', 'pool_id', 'session_id', 'to']);
      const neither = await t.request('POST', '/api/whatsapp/messages/text', {
        token: u.token,
        body: { to: '081234567890', message: 'x' },
      });
      expect(Object.keys(neither.body.errors).sort()).toEqual(['pool_id', 'session_id']);
    });

    it("answers 404 for another user's session and stores nothing", async () => {
      const owner = await t.createUser();
      const other = await t.createUser();
      const { id } = await linked(owner.token);
      const res = await t.request('POST', '/api/whatsapp/messages/text', {
        token: other.token,
        body: { session_id: id, to: '081234567890', message: 'x' },
      });
      expect(res.status).toBe(404);
      expect(sentBy(id)).toHaveLength(0);
    });

    it('returns the first result for a retried Idempotency-Key and sends once', async () => {
      const u = await t.createUser();
      const { id } = await linked(u.token);
      const body = { session_id: id, to: nextPhone(), message: 'once' };
      const headers = { 'idempotency-key': 'order-1234-confirmation' };
      const [first, second] = await Promise.all([
        t.request('POST', '/api/whatsapp/messages/text', { token: u.token, body, headers }),
        t.request('POST', '/api/whatsapp/messages/text', { token: u.token, body, headers }),
      ]);
      const third = await t.request('POST', '/api/whatsapp/messages/text', { token: u.token, body, headers });
      expect(new Set([first.body.data.id, second.body.data.id, third.body.data.id]).size).toBe(1);
      expect(third.body.data.status).toMatch(SENT);
      expect(sentBy(id).filter((s) => s.text === 'once')).toHaveLength(1);
    });

    it('answers 202 with the row when the device is too slow to send in time', async () => {
      const u = await t.createUser();
      const { id } = await linked(u.token);
      network.slowLink(id, 5000);
      const res = await t.request('POST', '/api/whatsapp/messages/text', {
        token: u.token,
        body: { session_id: id, to: nextPhone(), message: 'slow' },
      });
      expect(res.status).toBe(202);
      expect(res.body.data).toMatchObject({ id: expect.any(Number), status: 'sending' });
      network.slowLink(id, 0);
    });

    it('answers 503 for a session that is disconnected', async () => {
      const u = await t.createUser();
      const { id } = await linked(u.token);
      await t.request('DELETE', `/api/whatsapp/sessions/${id}/disconnect`, { token: u.token });
      const res = await t.request('POST', '/api/whatsapp/messages/text', {
        token: u.token,
        body: { session_id: id, to: nextPhone(), message: 'x' },
      });
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('no_device');
    });
  });

  describe('media and group sends', () => {
    it('fetches media_url through the guard and sends it with its caption', async () => {
      const u = await t.createUser();
      const { id } = await linked(u.token);
      const res = await t.request('POST', '/api/whatsapp/messages/media', {
        token: u.token,
        body: { session_id: id, to: nextPhone(), media_url: mediaUrl, type: 'image', caption: 'Promo' },
      });
      expect(res.body.data.status).toMatch(SENT);
      const send = sentBy(id).at(-1)!;
      expect(send.media).toMatchObject({ type: 'image', mimetype: 'image/png', caption: 'Promo' });
      expect(send.media!.data.length).toBe(PNG.length);
    });

    it('sends text and media to a group', async () => {
      const u = await t.createUser();
      const { id, phone } = await linked(u.token);
      const group = network.createGroup({
        subject: 'Reseller',
        owner: phone,
        participants: [nextPhone(), nextPhone()],
      });
      const text = await t.request('POST', '/api/whatsapp/messages/group/text', {
        token: u.token,
        body: { session_id: id, group_id: group.jid, message: 'Halo semua' },
      });
      expect(text.body.data.status).toMatch(SENT);
      const file = await t.request('POST', '/api/whatsapp/messages/group/media', {
        token: u.token,
        body: { session_id: id, group_id: group.jid, media_url: mediaUrl, type: 'document', caption: 'Katalog' },
      });
      expect(file.body.data.status).toMatch(SENT);
      expect(sentBy(id).map((s) => s.to)).toEqual([group.jid, group.jid]);
      const bad = await t.request('POST', '/api/whatsapp/messages/group/text', {
        token: u.token,
        body: { session_id: id, group_id: '6281234@s.whatsapp.net', message: 'x' },
      });
      expect(bad.body.errors).toHaveProperty('group_id');
    });
  });

  describe('send pools', () => {
    it("refuses a free plan with the document's 402 body", async () => {
      const u = await t.createUser({ plan: 'free' });
      const res = await t.request('POST', '/api/whatsapp/pools', { token: u.token, body: { name: 'p' } });
      expect(res.status).toBe(402);
      expect(res.body).toMatchObject({
        success: false,
        message: 'Send pools are a Supporter feature.',
        upgrade_url: expect.stringMatching(/^https?:/),
      });
    });

    it('rotates over healthy members and says which device sent', async () => {
      const u = await t.createUser({ plan: 'supporter' });
      const a = await linked(u.token, 'a');
      const b = await linked(u.token, 'b');
      const pool = await t.request('POST', '/api/whatsapp/pools', {
        token: u.token,
        body: { name: 'Rotator', session_ids: [a.id, b.id] },
      });
      expect(pool.status).toBe(201);
      expect(pool.body.data.members.map((m: { healthy: boolean }) => m.healthy)).toEqual([true, true]);
      const devices: string[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await t.request('POST', '/api/whatsapp/messages/text', {
          token: u.token,
          body: { pool_id: pool.body.data.id, to: nextPhone(), message: `m${i}` },
        });
        expect(res.body.data.routed_via).toEqual({ pool_id: pool.body.data.id, device_id: expect.any(String) });
        devices.push(res.body.data.routed_via.device_id);
      }
      expect(new Set(devices)).toEqual(new Set([a.id, b.id]));
    });

    it("answers 503 with the document's body when no member is connected", async () => {
      const u = await t.createUser({ plan: 'supporter' });
      const a = await linked(u.token);
      const pool = (
        await t.request('POST', '/api/whatsapp/pools', { token: u.token, body: { name: 'p', session_ids: [a.id] } })
      ).body.data;
      await t.request('DELETE', `/api/whatsapp/sessions/${a.id}/disconnect`, { token: u.token });
      const res = await t.request('POST', '/api/whatsapp/messages/text', {
        token: u.token,
        body: { pool_id: pool.id, to: nextPhone(), message: 'x' },
      });
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({
        success: false,
        message: 'No member device is currently connected. All pool members are offline or circuit-broken.',
      });
    });

    it('skips a member whose sends keep failing until its cool-down passes', async () => {
      const u = await t.createUser({ plan: 'supporter' });
      const good = await linked(u.token, 'good');
      const bad = await linked(u.token, 'bad');
      const breaker = {
        breaker_window: 4,
        breaker_min_samples: 2,
        breaker_failure_ratio: 0.5,
        breaker_cooldown_ms: 60_000,
      };
      const pool = (
        await t.request('POST', '/api/whatsapp/pools', {
          token: u.token,
          body: { name: 'p', session_ids: [good.id, bad.id], settings: breaker },
        })
      ).body.data;
      network.refuseSends(bad.id, 'blocked');
      const results = [];
      for (let i = 0; i < 8; i++)
        results.push(
          await t.request('POST', '/api/whatsapp/messages/text', {
            token: u.token,
            body: { pool_id: pool.id, to: nextPhone(), message: `r${i}` },
          }),
        );
      expect(results.map((r) => r.body.data.routed_via.device_id)).toEqual(results.map(() => good.id));
      const members = (await t.request('GET', `/api/whatsapp/pools/${pool.id}`, { token: u.token })).body.data.members;
      expect(members.find((m: { session_id: string }) => m.session_id === bad.id)).toMatchObject({
        healthy: false,
        circuit_open_until: expect.any(String),
      });
      network.refuseSends(bad.id, null);
    });

    it("manages members and answers 404 for another user's pool", async () => {
      const u = await t.createUser({ plan: 'supporter' });
      const other = await t.createUser({ plan: 'supporter' });
      const a = await linked(u.token, 'a');
      const pool = (await t.request('POST', '/api/whatsapp/pools', { token: u.token, body: { name: 'p' } })).body.data;
      expect(
        (
          await t.request('POST', `/api/whatsapp/pools/${pool.id}/members`, {
            token: u.token,
            body: { session_ids: [a.id] },
          })
        ).body.data.session_ids,
      ).toEqual([a.id]);
      expect(
        (await t.request('PATCH', `/api/whatsapp/pools/${pool.id}`, { token: u.token, body: { name: 'renamed' } })).body
          .data.name,
      ).toBe('renamed');
      expect(
        (
          await t.request('DELETE', `/api/whatsapp/pools/${pool.id}/members`, {
            token: u.token,
            body: { session_ids: [a.id] },
          })
        ).body.data.session_ids,
      ).toEqual([]);
      expect((await t.request('GET', `/api/whatsapp/pools/${pool.id}`, { token: other.token })).status).toBe(404);
      const foreign = await t.request('POST', `/api/whatsapp/pools/${pool.id}/members`, {
        token: other.token,
        body: { session_ids: [a.id] },
      });
      expect(foreign.status).toBe(404);
      const notMine = await t.request('POST', '/api/whatsapp/pools', {
        token: other.token,
        body: { name: 'x', session_ids: [a.id] },
      });
      expect(notMine.status).toBe(422);
      expect(notMine.body.errors).toHaveProperty('session_ids');
      expect((await t.request('DELETE', `/api/whatsapp/pools/${pool.id}`, { token: u.token })).status).toBe(200);
    });
  });

  describe('bulk jobs', () => {
    it("personalises each recipient's text, reports progress and completes", async () => {
      const u = await t.createUser();
      const { id } = await linked(u.token);
      const recipients = [nextPhone(), nextPhone(), nextPhone()];
      const contacts = [
        { phone: recipients[0], name: 'Ani', city: 'Bandung' },
        { phone: recipients[1], name: 'Budi' },
        recipients[2],
        'not a number',
        recipients[0],
      ];
      const res = await t.request('POST', '/api/whatsapp/messages/bulk/text', {
        token: u.token,
        body: { session_id: id, contacts, message: '{Halo|Hai} {{name|Kak}} dari {{city|kota kami}}', delay: 0 },
      });
      expect(res.status).toBe(201);
      expect(res.body.data).toMatchObject({ job_id: expect.any(String), total: 3, skipped: 2, status: 'queued' });
      const done = await eventually(async () => {
        const s = await t.request('GET', `/api/whatsapp/messages/bulk/${res.body.data.job_id}/status`, {
          token: u.token,
        });
        return s.body.data.status === 'completed' && s.body.data;
      });
      expect(done).toMatchObject({ total: 3, sent: 3, failed: 0, pending: 0, completed_at: expect.any(String) });
      const texts = sentBy(id).map((s) => s.text);
      expect(texts.find((x) => x!.includes('Ani'))).toMatch(/^(Halo|Hai) Ani dari Bandung$/);
      expect(texts.find((x) => x!.includes('Budi'))).toMatch(/^(Halo|Hai) Budi dari kota kami$/);
      expect(texts.find((x) => x!.includes('Kak'))).toMatch(/^(Halo|Hai) Kak dari kota kami$/);
      expect(
        (await t.request('GET', '/api/whatsapp/messages/bulk', { token: u.token })).body.data.map(
          (j: { id: string }) => j.id,
        ),
      ).toEqual([res.body.data.job_id]);
    });

    it('sends to a contact group with a template exactly what the preview showed', async () => {
      const u = await t.createUser();
      const { id } = await linked(u.token);
      const group = (await t.request('POST', '/api/contact-groups', { token: u.token, body: { name: 'VIP' } })).body
        .data.id;
      const ids = [];
      for (const name of ['Citra', 'Dewi', 'Eko'])
        ids.push(
          (await t.request('POST', '/api/contacts', { token: u.token, body: { name, phone: nextPhone() } })).body.data
            .id,
        );
      await t.request('POST', `/api/contact-groups/${group}/contacts`, { token: u.token, body: { contact_ids: ids } });
      const content = '{Selamat pagi|Halo|Hai} {name}, {promo|diskon} spesial!';
      const template = (await t.request('POST', '/api/templates', { token: u.token, body: { name: 'promo', content } }))
        .body.data.id;
      const preview = (
        await t.request('POST', `/api/contact-groups/${group}/personalized-preview`, {
          token: u.token,
          body: { template: content },
        })
      ).body.data;
      const job = (
        await t.request('POST', '/api/whatsapp/messages/bulk/text', {
          token: u.token,
          body: { session_id: id, contact_group_id: group, template_id: template },
        })
      ).body.data;
      await eventually(
        async () =>
          (await t.request('GET', `/api/whatsapp/messages/bulk/${job.job_id}/status`, { token: u.token })).body.data
            .status === 'completed',
      );
      const sent = new Map(sentBy(id).map((s) => [s.to.split('@')[0], s.text]));
      for (const p of preview) expect(sent.get(p.contact.phone)).toBe(p.message);
    });

    it('stops sending when cancelled', async () => {
      const u = await t.createUser();
      const { id } = await linked(u.token);
      const contacts = Array.from({ length: 20 }, () => nextPhone());
      const job = (
        await t.request('POST', '/api/whatsapp/messages/bulk/text', {
          token: u.token,
          body: { session_id: id, contacts, message: 'slowly', delay: 150 },
        })
      ).body.data;
      await eventually(() => sentBy(id).length >= 2);
      const cancelled = await t.request('DELETE', `/api/whatsapp/messages/bulk/${job.job_id}`, { token: u.token });
      expect(cancelled.body.data.status).toBe('cancelled');
      const sentAtCancel = sentBy(id).length;
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(sentBy(id).length).toBe(sentAtCancel);
      expect(sentAtCancel).toBeLessThan(20);
      const status = (await t.request('GET', `/api/whatsapp/messages/bulk/${job.job_id}/status`, { token: u.token }))
        .body.data;
      expect(status).toMatchObject({ status: 'cancelled', pending: 0, cancelled: 20 - sentAtCancel });
    });

    it('accepts a job larger than a batch at once and expands the rest in the background, each recipient messaged once', async () => {
      const u = await t.createUser();
      const { id } = await linked(u.token);
      // A new number's warm-up and daily cap would rightly hold most of 2,500 back.
      await t.request('PATCH', `/api/whatsapp/sessions/${id}/settings`, {
        token: u.token,
        body: { daily_cap: 0, warmup: false },
      });
      const recipients = Array.from({ length: 2500 }, () => nextPhone());
      const job = (
        await t.request('POST', '/api/whatsapp/messages/bulk/text', {
          token: u.token,
          body: { session_id: id, contacts: recipients, message: 'Halo {name|Kak}' },
        })
      ).body.data;
      expect(job).toMatchObject({ total: 2500, pending: 2500 - job.sent - job.failed });
      const done = await eventually(async () => {
        const s = (await t.request('GET', `/api/whatsapp/messages/bulk/${job.job_id}/status`, { token: u.token })).body
          .data;
        return s.status === 'completed' && s;
      }, 30_000);
      expect(done).toMatchObject({ total: 2500, sent: 2500, pending: 0 });
      const to = sentBy(id).map((s) => s.to.split('@')[0]);
      expect(to).toHaveLength(2500);
      expect(new Set(to)).toEqual(new Set(recipients));
    });

    it('cancels the recipients not yet expanded too, and their count adds up', async () => {
      const u = await t.createUser();
      const { id } = await linked(u.token);
      const job = (
        await t.request('POST', '/api/whatsapp/messages/bulk/text', {
          token: u.token,
          body: {
            session_id: id,
            contacts: Array.from({ length: 2500 }, () => nextPhone()),
            message: 'slowly',
            delay: 150,
          },
        })
      ).body.data;
      await eventually(() => sentBy(id).length >= 1);
      const cancelled = (await t.request('DELETE', `/api/whatsapp/messages/bulk/${job.job_id}`, { token: u.token }))
        .body.data;
      const sentAtCancel = sentBy(id).length;
      expect(cancelled).toMatchObject({
        status: 'cancelled',
        pending: 0,
        sent: sentAtCancel,
        cancelled: 2500 - sentAtCancel,
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(sentBy(id).length).toBe(sentAtCancel);
    });

    it('picks a pool member per recipient', async () => {
      const u = await t.createUser({ plan: 'supporter' });
      const a = await linked(u.token, 'a');
      const b = await linked(u.token, 'b');
      const pool = (
        await t.request('POST', '/api/whatsapp/pools', {
          token: u.token,
          body: { name: 'p', session_ids: [a.id, b.id] },
        })
      ).body.data;
      const job = (
        await t.request('POST', '/api/whatsapp/messages/bulk/text', {
          token: u.token,
          body: { pool_id: pool.id, contacts: Array.from({ length: 10 }, () => nextPhone()), message: 'pooled' },
        })
      ).body.data;
      await eventually(
        async () =>
          (await t.request('GET', `/api/whatsapp/messages/bulk/${job.job_id}/status`, { token: u.token })).body.data
            .status === 'completed',
      );
      expect(sentBy(a.id).length + sentBy(b.id).length).toBe(10);
      expect(sentBy(a.id).length).toBeGreaterThan(0);
      expect(sentBy(b.id).length).toBeGreaterThan(0);
    });

    it('never messages a recipient who replied STOP again in bulk', async () => {
      const u = await t.createUser();
      const { id, phone } = await linked(u.token);
      const leaving = network.phone(nextPhone());
      const staying = nextPhone();
      leaving.send(phone, 'stop.');
      await eventually(
        async () =>
          (await t.request('GET', `/api/whatsapp/sessions/${id}/messages?direction=in`, { token: u.token })).body.meta
            .total === 1,
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      const job = (
        await t.request('POST', '/api/whatsapp/messages/bulk/text', {
          token: u.token,
          body: { session_id: id, contacts: [leaving.number, staying], message: 'promo' },
        })
      ).body.data;
      expect(job).toMatchObject({ total: 1, skipped: 1 });
      await eventually(
        async () =>
          (await t.request('GET', `/api/whatsapp/messages/bulk/${job.job_id}/status`, { token: u.token })).body.data
            .status === 'completed',
      );
      expect(sentBy(id).map((s) => s.to)).toEqual([`${staying}@s.whatsapp.net`]);
      const onlyOptedOut = await t.request('POST', '/api/whatsapp/messages/bulk/text', {
        token: u.token,
        body: { session_id: id, contacts: [leaving.number], message: 'x' },
      });
      expect(onlyOptedOut.status).toBe(422);
    });

    it('names every bad field of a bulk job', async () => {
      const u = await t.createUser();
      const res = await t.request('POST', '/api/whatsapp/messages/bulk/text', { token: u.token, body: { delay: -1 } });
      expect(res.status).toBe(422);
      expect(Object.keys(res.body.errors).sort()).toEqual([
        'contact_group_id',
        'contacts',
        'delay',
        'message',
        'pool_id',
        'session_id',
        'template_id',
      ]);
    });
  });

  describe('scheduled messages', () => {
    it('fires once at its time, and reports it', async () => {
      const u = await t.createUser();
      const { id } = await linked(u.token);
      const to = nextPhone();
      const at = new Date(Date.now() + 400).toISOString();
      const res = await t.request('POST', '/api/whatsapp/messages/schedule/text', {
        token: u.token,
        body: { session_id: id, to, message: 'Pengingat', scheduled_at: at },
      });
      expect(res.status).toBe(201);
      expect(res.body.data).toMatchObject({ schedule_status: 'pending', scheduled_at: at });
      expect(sentBy(id)).toHaveLength(0);
      const status = await eventually(async () => {
        const s = await t.request('GET', `/api/whatsapp/messages/schedule/${res.body.data.id}/status`, {
          token: u.token,
        });
        return s.body.data.schedule_status === 'sent' && s.body.data;
      });
      expect(Date.parse(status.sent_at)).toBeGreaterThanOrEqual(Date.parse(at));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(sentBy(id).filter((s) => s.text === 'Pengingat')).toHaveLength(1);
      expect((await t.request('GET', '/api/whatsapp/messages/schedule', { token: u.token })).body.data).toHaveLength(1);
    });

    it('cancels a pending one, and refuses a time in the past', async () => {
      const u = await t.createUser();
      const { id } = await linked(u.token);
      const pending = (
        await t.request('POST', '/api/whatsapp/messages/schedule/text', {
          token: u.token,
          body: {
            session_id: id,
            to: nextPhone(),
            message: 'later',
            scheduled_at: new Date(Date.now() + 3_600_000).toISOString(),
          },
        })
      ).body.data;
      expect(
        (await t.request('DELETE', `/api/whatsapp/messages/schedule/${pending.id}`, { token: u.token })).body.data
          .schedule_status,
      ).toBe('cancelled');
      const past = await t.request('POST', '/api/whatsapp/messages/schedule/text', {
        token: u.token,
        body: { session_id: id, to: nextPhone(), message: 'x', scheduled_at: '2020-01-01' },
      });
      expect(past.status).toBe(422);
      expect(past.body.errors).toHaveProperty('scheduled_at');
    });

    it("fails a pool-routed message whose owner's plan lapsed before it fired", async () => {
      const u = await t.createUser({ plan: 'supporter' });
      const a = await linked(u.token);
      const pool = (
        await t.request('POST', '/api/whatsapp/pools', { token: u.token, body: { name: 'p', session_ids: [a.id] } })
      ).body.data;
      // Its only member is off line until the plan has lapsed, so it cannot fire before, however slow the machine.
      await t.request('DELETE', `/api/whatsapp/sessions/${a.id}/disconnect`, { token: u.token });
      const scheduled = (
        await t.request('POST', '/api/whatsapp/messages/schedule/text', {
          token: u.token,
          body: {
            pool_id: pool.id,
            to: nextPhone(),
            message: 'x',
            scheduled_at: new Date(Date.now() + 1000).toISOString(),
          },
        })
      ).body.data;
      const lapsed = await t.request('PATCH', `/api/admin/users/${u.id}`, {
        body: { plan_expires_at: new Date(Date.now() - 60_000).toISOString() },
      });
      expect(lapsed.status).toBe(200);
      await t.request('POST', `/api/whatsapp/sessions/${a.id}/connect`, { token: u.token });
      const failed = await eventually(async () => {
        const s = await t.request('GET', `/api/whatsapp/messages/schedule/${scheduled.id}/status`, { token: u.token });
        return s.body.data.schedule_status === 'failed' && s.body.data;
      }, 8000);
      expect(failed.error).toMatch(/Supporter/);
      expect(sentBy(a.id)).toHaveLength(0);
    });
  });

  describe('anti-ban controls', () => {
    it("keeps a session's minimum gap between sends", async () => {
      const u = await t.createUser();
      const { id } = await linked(u.token);
      await t.request('PATCH', `/api/whatsapp/sessions/${id}/settings`, {
        token: u.token,
        body: { min_gap_ms: 150, jitter_ms: 50 },
      });
      const job = (
        await t.request('POST', '/api/whatsapp/messages/bulk/text', {
          token: u.token,
          body: { session_id: id, contacts: [nextPhone(), nextPhone(), nextPhone(), nextPhone()], message: 'gap' },
        })
      ).body.data;
      await eventually(
        async () =>
          (await t.request('GET', `/api/whatsapp/messages/bulk/${job.job_id}/status`, { token: u.token })).body.data
            .status === 'completed',
      );
      const times = sentBy(id).map((s) => s.at.getTime());
      for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(145);
    });

    it('holds sends past the daily cap', async () => {
      const u = await t.createUser();
      const { id } = await linked(u.token);
      await t.request('PATCH', `/api/whatsapp/sessions/${id}/settings`, { token: u.token, body: { daily_cap: 2 } });
      for (let i = 0; i < 2; i++)
        expect(
          (
            await t.request('POST', '/api/whatsapp/messages/text', {
              token: u.token,
              body: { session_id: id, to: nextPhone(), message: `c${i}` },
            })
          ).status,
        ).toBe(200);
      const held = await t.request('POST', '/api/whatsapp/messages/text', {
        token: u.token,
        body: { session_id: id, to: nextPhone(), message: 'c2' },
      });
      expect(held.status).toBe(202);
      expect(held.body.data.status).toBe('queued');
      expect(sentBy(id)).toHaveLength(2);
      const settings = await t.request('PATCH', `/api/whatsapp/sessions/${id}/settings`, {
        token: u.token,
        body: { daily_cap: 'lots' },
      });
      expect(settings.body.errors).toHaveProperty('daily_cap');
    });
  });

  describe('POST /api/leads/sync-status', () => {
    it("sets each lead's status from the messages sent to its phone", async () => {
      const u = await t.createUser();
      const { id, phone } = await linked(u.token);
      const reader = network.phone(nextPhone(), { autoRead: true });
      const replier = network.phone(nextPhone());
      const quiet = nextPhone();
      const leads: string[] = [];
      for (const p of [reader.number, replier.number, quiet])
        leads.push(
          (await t.request('POST', '/api/leads', { token: u.token, body: { business_name: `Toko ${p}`, phone: p } }))
            .body.data.id,
        );
      for (const p of [reader.number, replier.number])
        await t.request('POST', '/api/whatsapp/messages/text', {
          token: u.token,
          body: { session_id: id, to: p, message: 'Halo' },
        });
      replier.send(phone, 'Boleh, info lanjut');
      await eventually(
        async () =>
          (await t.request('GET', `/api/whatsapp/sessions/${id}/messages?direction=in`, { token: u.token })).body.meta
            .total === 1,
      );
      const synced = await eventually(async () => {
        const res = await t.request('POST', '/api/leads/sync-status', { token: u.token, body: { ids: leads } });
        return res.body.data.leads?.[0]?.status === 'read' && res.body.data;
      });
      expect(synced.leads.map((l: { status: string }) => l.status)).toEqual(['read', 'replied', 'pending']);
    });
  });
});
