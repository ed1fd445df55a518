import { createSimulatedNetwork, type SimulatedNetwork } from '@kirim/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';
import { linkSession, phoneSequence } from '../support/linking.js';
import { QUICK_SENDS } from '../support/quick-sends.js';

// A send answers once WhatsApp has it; a fast receipt may already have moved it further.
const SENT = /^(sent|delivered|read)$/;

const MONAS = { latitude: -6.175392, longitude: 106.827153, name: 'Monas', address: 'Gambir, Jakarta Pusat' };
const POLL = { question: 'Lunch on Friday?', options: ['Soto', 'Sate', 'Nasi goreng'] };

describe.each(DATABASES)(
  'sending locations, contact cards and polls over HTTP on %s (simulated network)',
  (database) => {
    let t: TestServer;
    let network: SimulatedNetwork;
    beforeAll(async () => {
      network = createSimulatedNetwork({ latencyMs: 1 });
      t = await startTestServer(database, QUICK_SENDS, { transport: network.transport });
    });
    afterAll(async () => {
      await t?.close();
    });

    const nextPhone = phoneSequence('62813', database);

    async function linked(token: string, name = 'device') {
      const phone = nextPhone();
      return { id: await linkSession(t, network, token, phone, { name }), phone };
    }

    const sentBy = (sessionId: string) => network.sent.filter((s) => s.sessionId === sessionId);
    const post = (token: string, kind: string, body: unknown, headers?: Record<string, string>) =>
      t.request('POST', `/api/whatsapp/messages/${kind}`, { token, body, headers });

    /** The session's outgoing history, newest first. */
    const history = async (token: string, sessionId: string) =>
      (await t.request('GET', `/api/whatsapp/sessions/${sessionId}/messages?direction=out`, { token })).body.data;

    it('sends a location: WhatsApp gets its coordinates, the answer, the history and message.status show it', async () => {
      const u = await t.createUser();
      const { id } = await linked(u.token);
      const to = nextPhone();
      const statuses: Array<{ message_id: string | null; status: string; type: string }> = [];
      t.server.kirim.on('message.status', (event) => {
        if (event.data.session_id === id) statuses.push(event.data);
      });
      const res = await post(u.token, 'location', { session_id: id, to, ...MONAS });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        success: true,
        message: 'Message sent successfully',
        data: { message_id: expect.any(String), status: expect.stringMatching(SENT) },
      });
      expect(sentBy(id)).toMatchObject([
        {
          to: `${to}@s.whatsapp.net`,
          messageId: res.body.data.message_id,
          kind: 'location',
          content: { kind: 'location', ...MONAS },
        },
      ]);
      expect((await history(u.token, id))[0]).toMatchObject({
        message_id: res.body.data.message_id,
        type: 'location',
        text: null,
        media: null,
        content: { type: 'location', ...MONAS },
      });
      // Published once the row is recorded, which may be just after the answer.
      const sent = await eventually(() => statuses.find((s) => s.status === 'sent'));
      expect(sent).toMatchObject({ message_id: res.body.data.message_id, type: 'location' });
    });

    it('sends contact cards with the phone normalised: WhatsApp gets each card, the history shows them', async () => {
      const u = await t.createUser();
      const { id } = await linked(u.token);
      const budi = nextPhone();
      const res = await post(u.token, 'contact', {
        session_id: id,
        to: nextPhone(),
        contacts: [
          { name: 'Budi Santoso', phone: `+${budi}`, organization: 'Toko Budi', email: 'budi@example.com' },
          { name: 'Ani', phone: '6281234567890' },
        ],
      });
      expect(res.status).toBe(200);
      const contacts = [
        { name: 'Budi Santoso', phone: budi, organization: 'Toko Budi', email: 'budi@example.com' },
        { name: 'Ani', phone: '6281234567890' },
      ];
      expect(sentBy(id)).toMatchObject([{ kind: 'contacts', content: { kind: 'contacts', contacts } }]);
      expect((await history(u.token, id))[0]).toMatchObject({
        type: 'contact',
        content: { type: 'contact', contacts },
      });
    });

    it('sends a poll to a group, multiple_answers false by default: WhatsApp gets its options, the history shows it', async () => {
      const u = await t.createUser();
      const { id, phone } = await linked(u.token);
      const group = network.createGroup({ subject: 'Team', owner: phone, participants: [nextPhone()] });
      const res = await post(u.token, 'poll', { session_id: id, group_id: group.jid, ...POLL });
      expect(res.status).toBe(200);
      expect(sentBy(id)).toMatchObject([
        { to: group.jid, kind: 'poll', content: { kind: 'poll', ...POLL, multipleAnswers: false } },
      ]);
      expect((await history(u.token, id))[0]).toMatchObject({
        chat: group.jid,
        type: 'poll',
        content: { type: 'poll', ...POLL, multiple_answers: false },
      });
    });

    it('returns the first result for a retried Idempotency-Key and sends once; another poll under it is refused', async () => {
      const u = await t.createUser();
      const { id } = await linked(u.token);
      const body = { session_id: id, to: nextPhone(), ...POLL, multiple_answers: true };
      const headers = { 'idempotency-key': 'poll-lunch-1' };
      const [first, second] = await Promise.all([
        post(u.token, 'poll', body, headers),
        post(u.token, 'poll', body, headers),
      ]);
      expect(first.status).toBe(200);
      expect(second.body.data.id).toBe(first.body.data.id);
      expect(sentBy(id)).toHaveLength(1);
      const other = await post(u.token, 'poll', { ...body, options: ['Soto', 'Bakso'] }, headers);
      expect(other.status).toBe(422);
      expect(other.body.errors).toHaveProperty('Idempotency-Key');
      expect(sentBy(id)).toHaveLength(1);
    });

    it('routes a location through a pool and says which device sent it', async () => {
      const u = await t.createUser({ plan: 'supporter' });
      const a = await linked(u.token, 'a');
      const pool = (
        await t.request('POST', '/api/whatsapp/pools', { token: u.token, body: { name: 'p', session_ids: [a.id] } })
      ).body.data;
      const res = await post(u.token, 'location', { pool_id: pool.id, to: nextPhone(), ...MONAS });
      expect(res.status).toBe(200);
      expect(res.body.data.routed_via).toEqual({ pool_id: pool.id, device_id: a.id });
      expect(sentBy(a.id)).toMatchObject([{ kind: 'location', content: { kind: 'location', ...MONAS } }]);
    });

    describe('bad input: a 422 naming every offending field, nothing sent', () => {
      const refused = async (kind: string, body: Record<string, unknown>, fields: string[]) => {
        const u = await t.createUser();
        const { id } = await linked(u.token);
        const res = await post(u.token, kind, { session_id: id, to: nextPhone(), ...body });
        expect(res.status).toBe(422);
        expect(Object.keys(res.body.errors).sort()).toEqual(fields);
        expect(sentBy(id)).toEqual([]);
      };

      it('answers 422 naming latitude and longitude for out-of-range coordinates', () =>
        refused('location', { latitude: 90.5, longitude: -181 }, ['latitude', 'longitude']));

      it('answers 422 naming options for a poll of one option', () =>
        refused('poll', { question: 'Ok?', options: ['Yes'] }, ['options']));

      it('answers 422 naming the repeated option of a poll', () =>
        refused('poll', { question: 'Lunch?', options: ['Soto', 'Sate', 'Soto'] }, ['options.2']));

      it('answers 422 naming contacts for an empty contact list', () =>
        refused('contact', { contacts: [] }, ['contacts']));

      it('answers 422 naming an unknown key, and a contact card without a phone', () =>
        refused('contact', { contacts: [{ name: 'Ani' }], caption: 'hi' }, ['caption', 'contacts.0.phone']));

      it('answers 422 naming to and group_id when both or neither are given', async () => {
        const u = await t.createUser();
        const both = await post(u.token, 'location', {
          session_id: 's',
          to: nextPhone(),
          group_id: '1-2@g.us',
          ...MONAS,
        });
        expect(Object.keys(both.body.errors).sort()).toEqual(['group_id', 'to']);
        const neither = await post(u.token, 'poll', { pool_id: 'p', ...POLL });
        expect(neither.status).toBe(422);
        expect(Object.keys(neither.body.errors).sort()).toEqual(['group_id', 'to']);
      });
    });
  },
);
