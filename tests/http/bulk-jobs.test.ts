import { createSimulatedNetwork, type SimulatedNetwork } from '@kirim/core';
import { MAX_TEMPLATE_NESTING } from '@kirim/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';
import { linkSession, phoneSequence } from '../support/linking.js';

// The engine's send limits are the defaults (3 s + up to 2 s, 1,000 a day): the estimates below are of those.
// Tests that send set a session's own limits off. Media URLs name loopback, which no test fetches.
const ENV = { KIRIM_DISPATCH_POLL_MS: '20', KIRIM_ALLOW_PRIVATE_URLS: 'true' };
const MEDIA = { media_url: 'http://127.0.0.1/promo.png', type: 'image' };
const DAY_MS = 86_400_000;
/** The UTC midnight starting the day of an ISO timestamp, in ms. */
const utcDay = (iso: string) => Date.parse(iso.slice(0, 10));
const NO_LIMITS = { min_gap_ms: 0, jitter_ms: 0, daily_cap: 0, warmup: false };
// Nested 5,000 deep (once deep enough to overflow the stack), within each field's length limit: spintax in a
// bulk message (65,536 characters), braces in a template's content or a preview (10,000); a caption (3,000) holds 1,499.
const DEEP_SPINTAX = '{a|'.repeat(5000) + 'b' + '}'.repeat(5000);
const DEEP_BRACES = '{'.repeat(4999) + 'x' + '}'.repeat(4999);
const DEEP_CAPTION = '{'.repeat(1499) + 'x' + '}'.repeat(1499);
const TOO_DEEP = new RegExp(`^braces nested deeper than ${MAX_TEMPLATE_NESTING} levels at position \\d+$`);

describe.each(DATABASES)('bulk jobs over HTTP on %s (simulated network)', (database) => {
  let t: TestServer;
  let network: SimulatedNetwork;
  beforeAll(async () => {
    network = createSimulatedNetwork({ latencyMs: 1 });
    t = await startTestServer(database, ENV, { transport: network.transport });
  });
  afterAll(async () => {
    await t?.close();
  });

  const nextPhone = phoneSequence('62813', database);

  async function linked(token: string, settings: Record<string, unknown> = NO_LIMITS) {
    const phone = nextPhone();
    return { id: await linkSession(t, network, token, phone, { settings }), phone };
  }

  /** A session never linked: a job on it stays pending, so its estimate is of the whole job. */
  const unlinked = async (token: string) =>
    (await t.request('POST', '/api/whatsapp/sessions', { token, body: { session_name: 'idle' } })).body.data
      .id as string;

  const status = async (token: string, jobId: string, query = '') =>
    (await t.request('GET', `/api/whatsapp/messages/bulk/${jobId}/status${query}`, { token })).body.data;

  describe('skipped recipients', () => {
    it('lists each skipped recipient with the reason: duplicate, invalid_number, opted_out when accepted, not_on_whatsapp when sent', async () => {
      const u = await t.createUser();
      const { id, phone } = await linked(u.token, { ...NO_LIMITS, check_recipients: true });
      const leaving = network.phone(nextPhone());
      leaving.send(phone, 'STOP');
      await eventually(
        async () =>
          (await t.request('GET', `/api/whatsapp/sessions/${id}/messages?direction=in`, { token: u.token })).body.meta
            .total === 1,
      );
      const absent = network.phone(nextPhone(), { onWhatsApp: false });
      const [ani, budi] = [nextPhone(), nextPhone()];
      const contacts = [{ phone: ani, name: 'Ani' }, 'not a number', budi, `+${ani}`, leaving.number, absent.number];
      const res = await t.request('POST', '/api/whatsapp/messages/bulk/text', {
        token: u.token,
        body: { session_id: id, contacts, message: 'Halo {{name|Kak}}' },
      });
      expect(res.status).toBe(201);
      expect(res.body.data).toMatchObject({
        total: 3,
        skipped: 3,
        skipped_by_reason: { duplicate: 1, invalid_number: 1, opted_out: 1, not_on_whatsapp: 0 },
      });

      const done = await eventually(async () => {
        const s = await status(u.token, res.body.data.job_id);
        return s.status === 'completed' && s;
      });
      expect(done).toMatchObject({
        total: 3,
        sent: 2,
        failed: 1,
        skipped: 3,
        skipped_by_reason: { duplicate: 1, invalid_number: 1, opted_out: 1, not_on_whatsapp: 1 },
      });
      expect(done.skipped_recipients).toEqual({
        items: [
          { index: 1, input: 'not a number', phone: null, reason: 'invalid_number' },
          { index: 3, input: `+${ani}`, phone: ani, reason: 'duplicate' },
          { index: 4, input: leaving.number, phone: leaving.number, reason: 'opted_out' },
          { index: null, input: absent.number, phone: absent.number, reason: 'not_on_whatsapp' },
        ],
        total: 4,
        page: 1,
        per_page: 100,
      });
    });

    it('pages the skipped recipients of a large job with skipped_page and skipped_per_page', async () => {
      const u = await t.createUser();
      const id = await unlinked(u.token);
      const contacts = [nextPhone(), ...Array.from({ length: 2500 }, (_, i) => `invalid-${i}`)];
      const job = (
        await t.request('POST', '/api/whatsapp/messages/bulk/text', {
          token: u.token,
          body: { session_id: id, contacts, message: 'x' },
        })
      ).body.data;
      expect(job).toMatchObject({ total: 1, skipped: 2500, skipped_by_reason: { invalid_number: 2500 } });
      expect((await status(u.token, job.job_id)).skipped_recipients).toMatchObject({
        total: 2500,
        page: 1,
        per_page: 100,
        items: expect.any(Array),
      });
      expect((await status(u.token, job.job_id)).skipped_recipients.items).toHaveLength(100);
      const last = (await status(u.token, job.job_id, '?skipped_page=3&skipped_per_page=1000')).skipped_recipients;
      expect(last).toMatchObject({ total: 2500, page: 3, per_page: 1000 });
      expect(last.items.map((s: { index: number }) => s.index)).toEqual(
        Array.from({ length: 500 }, (_, i) => 2001 + i),
      );
      const tooMany = await t.request(
        'GET',
        `/api/whatsapp/messages/bulk/${job.job_id}/status?skipped_per_page=1001&skipped_page=0`,
        { token: u.token },
      );
      expect(tooMany.status).toBe(422);
      expect(Object.keys(tooMany.body.errors).sort()).toEqual(['skipped_page', 'skipped_per_page']);
    });
  });

  describe('estimated finish', () => {
    it('says a 20,000-recipient job at the default 1,000 a day needs about 20 days, in the answer and the status', async () => {
      const u = await t.createUser();
      const id = await unlinked(u.token);
      const contacts = Array.from({ length: 20_000 }, () => nextPhone());
      const res = await t.request('POST', '/api/whatsapp/messages/bulk/text', {
        token: u.token,
        body: { session_id: id, contacts, message: 'Halo' },
      });
      expect(res.status).toBe(201);
      const job = res.body.data;
      // The UTC days it sends on: 20, or 21 when it starts too late in a UTC day for a full first day (after about 22:53).
      expect(job.estimated_days).toBeGreaterThanOrEqual(20);
      expect(job.estimated_days).toBeLessThanOrEqual(21);
      expect(utcDay(job.estimated_finish_at) - utcDay(job.created_at)).toBe((job.estimated_days - 1) * DAY_MS);
      expect(res.body.message).toBe(
        `Bulk job queued for 20000 recipients; at the sessions' sending limits it needs about ${job.estimated_days} days (expected to finish ${job.estimated_finish_at})`,
      );
      expect(await status(u.token, job.job_id)).toMatchObject({ estimated_days: job.estimated_days, pending: 20_000 });
    });

    it("answers a job that fits in a day without a warning, and shares a pool's load among its members", async () => {
      const u = await t.createUser({ plan: 'supporter' });
      const [a, b] = [await unlinked(u.token), await unlinked(u.token)];
      const small = await t.request('POST', '/api/whatsapp/messages/bulk/text', {
        token: u.token,
        body: { session_id: a, contacts: [nextPhone(), nextPhone()], message: 'Halo', delay: 60_000 },
      });
      // The second message is due a minute after the first: on the same UTC day, unless that minute crosses midnight.
      const { estimated_finish_at: finish, created_at: created } = small.body.data;
      expect(Date.parse(finish) - Date.parse(created)).toBeGreaterThanOrEqual(60_000);
      const days = utcDay(finish) === utcDay(created) ? 1 : 2;
      expect(small.body.data.estimated_days).toBe(days);
      if (days === 1) expect(small.body.message).toBe('Bulk job queued for 2 recipients');

      const pool = (
        await t.request('POST', '/api/whatsapp/pools', { token: u.token, body: { name: 'p', session_ids: [a, b] } })
      ).body.data;
      const contacts = Array.from({ length: 4000 }, () => nextPhone());
      const alone = (
        await t.request('POST', '/api/whatsapp/messages/bulk/text', {
          token: u.token,
          body: { session_id: b, contacts, message: 'Halo' },
        })
      ).body.data;
      const shared = (
        await t.request('POST', '/api/whatsapp/messages/bulk/text', {
          token: u.token,
          body: { pool_id: pool.id, contacts, message: 'Halo' },
        })
      ).body.data;
      expect(shared.estimated_days).toBeLessThan(alone.estimated_days);
    });

    it('has no estimate once nothing is pending', async () => {
      const u = await t.createUser();
      const { id } = await linked(u.token);
      const job = (
        await t.request('POST', '/api/whatsapp/messages/bulk/text', {
          token: u.token,
          body: { session_id: id, contacts: [nextPhone()], message: 'Halo' },
        })
      ).body.data;
      const done = await eventually(async () => {
        const s = await status(u.token, job.job_id);
        return s.status === 'completed' && s;
      });
      expect(done).toMatchObject({ estimated_finish_at: null, estimated_days: null });
    });
  });

  describe('completion', () => {
    it('completes a pool job after the device that sent part of it is removed with its rows', async () => {
      const u = await t.createUser({ plan: 'supporter' });
      // The first device stops after one send; the second is linked only once the first is gone.
      const first = await linked(u.token, { ...NO_LIMITS, daily_cap: 1 });
      const second = await unlinked(u.token);
      const limits = { token: u.token, body: NO_LIMITS };
      expect((await t.request('PATCH', `/api/whatsapp/sessions/${second}/settings`, limits)).status).toBe(200);
      const pool = (
        await t.request('POST', '/api/whatsapp/pools', {
          token: u.token,
          body: { name: 'p', session_ids: [first.id, second] },
        })
      ).body.data;
      const job = (
        await t.request('POST', '/api/whatsapp/messages/bulk/text', {
          token: u.token,
          body: { pool_id: pool.id, contacts: [nextPhone(), nextPhone()], message: 'Halo' },
        })
      ).body.data;
      await eventually(async () => (await status(u.token, job.job_id)).sent === 1);

      const removed = await t.request('DELETE', `/api/whatsapp/sessions/${first.id}/device`, { token: u.token });
      expect(removed.status).toBe(200);
      const qr = await eventually(
        async () =>
          (await t.request('GET', `/api/whatsapp/sessions/${second}/status`, { token: u.token })).body.data.qr,
      );
      await network.phone(nextPhone()).scanQr(qr);

      const done = await eventually(async () => {
        const s = await status(u.token, job.job_id);
        return s.status === 'completed' && s;
      });
      expect(done).toMatchObject({ total: 2, sent: 1, failed: 0, pending: 0, cancelled: 0 });
    });
  });

  describe('one verdict on templates', () => {
    it('answers 422 naming message for an unknown placeholder or an unclosed brace in bulk/text, and stores nothing', async () => {
      const u = await t.createUser();
      const id = await unlinked(u.token);
      const res = await t.request('POST', '/api/whatsapp/messages/bulk/text', {
        token: u.token,
        body: { session_id: id, contacts: [nextPhone()], message: 'Halo {nmae} {name' },
      });
      expect(res.status).toBe(422);
      expect(res.body.errors.message).toEqual([
        'unclosed "{" at position 12',
        expect.stringMatching(/^unknown placeholder \{nmae\}/),
      ]);
      expect((await t.request('GET', '/api/whatsapp/messages/bulk', { token: u.token })).body.data).toEqual([]);
    });

    it("accepts placeholders naming the request's own contact fields in bulk/text", async () => {
      const u = await t.createUser();
      const id = await unlinked(u.token);
      const res = await t.request('POST', '/api/whatsapp/messages/bulk/text', {
        token: u.token,
        body: { session_id: id, contacts: [{ phone: nextPhone(), order_no: 'A-17' }], message: 'Pesanan {order_no}' },
      });
      expect(res.status).toBe(201);
    });

    it('answers 422 naming caption and message for bad templates in bulk/media', async () => {
      const u = await t.createUser();
      const id = await unlinked(u.token);
      const res = await t.request('POST', '/api/whatsapp/messages/bulk/media', {
        token: u.token,
        body: { session_id: id, contacts: [nextPhone()], ...MEDIA, caption: 'Untuk {kota}', message: '{a|b' },
      });
      expect(res.status).toBe(422);
      expect(Object.keys(res.body.errors).sort()).toEqual(['caption', 'message']);
    });

    it('answers 422, not 500, for spintax nested 5,000 deep on every route that takes a template', async () => {
      const u = await t.createUser();
      const id = await unlinked(u.token);
      const group = (await t.request('POST', '/api/contact-groups', { token: u.token, body: { name: 'G' } })).body.data
        .id;
      const cases: Array<[string, Record<string, unknown>, string]> = [
        ['/api/templates', { name: 'deep', content: DEEP_BRACES }, 'content'],
        [
          '/api/templates',
          { name: 'deep', content: 'Halo', message_type: 'image', media_url: MEDIA.media_url, caption: DEEP_CAPTION },
          'caption',
        ],
        [`/api/contact-groups/${group}/personalized-preview`, { template: DEEP_BRACES }, 'template'],
        [
          '/api/whatsapp/messages/bulk/text',
          { session_id: id, contacts: [nextPhone()], message: DEEP_SPINTAX },
          'message',
        ],
        [
          '/api/whatsapp/messages/bulk/media',
          { session_id: id, contacts: [nextPhone()], ...MEDIA, caption: DEEP_CAPTION },
          'caption',
        ],
      ];
      for (const [path, body, field] of cases) {
        const res = await t.request('POST', path, { token: u.token, body });
        expect(res.status, `${path} ${field}`).toBe(422);
        expect(res.body.errors[field], `${path} ${field}`).toContainEqual(expect.stringMatching(TOO_DEEP));
      }
      expect((await t.request('GET', '/api/templates', { token: u.token })).body.data).toEqual([]);
    });
  });
  describe("a saved template's media_url", () => {
    /** Private media refused, as by default; `cdn.kirim.test` resolves to what `dns` says at each moment. */
    let guarded: TestServer;
    const dns: Record<string, string> = { 'cdn.kirim.test': '93.184.216.34' };
    beforeAll(async () => {
      guarded = await startTestServer(
        database,
        { KIRIM_DISPATCH_POLL_MS: '20' },
        {
          transport: network.transport,
          resolveHost: async (host) => {
            const address = dns[host];
            if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
            return [{ address, family: 4 }];
          },
        },
      );
    });
    afterAll(async () => {
      await guarded?.close();
    });

    it("answers 422 naming media_url for a job by template_id whose saved template's media_url now resolves to a private address, and stores no job", async () => {
      const u = await guarded.createUser();
      const id = (
        await guarded.request('POST', '/api/whatsapp/sessions', { token: u.token, body: { session_name: 'idle' } })
      ).body.data.id;
      const template = await guarded.request('POST', '/api/templates', {
        token: u.token,
        body: { name: 'Promo', content: 'Halo', message_type: 'image', media_url: 'https://cdn.kirim.test/promo.png' },
      });
      expect(template.status).toBe(201);
      dns['cdn.kirim.test'] = '10.0.0.9';
      try {
        const res = await guarded.request('POST', '/api/whatsapp/messages/bulk/text', {
          token: u.token,
          body: { session_id: id, contacts: [nextPhone()], template_id: template.body.data.id },
        });
        expect(res.status).toBe(422);
        expect(res.body.errors).toEqual({ media_url: [expect.stringMatching(/private/)] });
        expect((await guarded.request('GET', '/api/whatsapp/messages/bulk', { token: u.token })).body.data).toEqual([]);
      } finally {
        dns['cdn.kirim.test'] = '93.184.216.34';
      }
    });
  });
});
