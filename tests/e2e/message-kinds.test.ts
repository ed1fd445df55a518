// The real path for the kinds beyond text and media: the reference server's HTTP API drives unmodified Baileys
// against @kirim/wa-sim, and the recipient phone decodes what arrives with its own keys.
import type { WaSim } from '@kirim/wa-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES, type TestServer } from '../support/harness.js';
import { QUICK_SENDS } from '../support/quick-sends.js';
import { startServerOverWaSim } from '../support/wa-sim-server.js';

describe.each(DATABASES)(
  'locations, contact cards and polls over the HTTP API, Baileys and wa-sim on %s',
  (database) => {
    let sim: WaSim;
    let t: TestServer;
    beforeAll(async () => {
      ({ sim, t } = await startServerOverWaSim(database, QUICK_SENDS));
    });
    afterAll(async () => {
      await t?.close();
      await sim?.close();
    });

    const status = async (id: string) => (await t.request('GET', `/api/whatsapp/sessions/${id}/status`)).body.data;

    it('sends each kind: the phone decodes a locationMessage with the coordinates, a vCard with the number, a poll with its options', async () => {
      const suffix = database === 'sqlite' ? '301' : '401';
      const phone = sim.phone(`628120000${suffix}`);
      const customer = sim.phone(`628199990${suffix}`);
      const id = (await t.request('POST', '/api/whatsapp/sessions', { body: { session_name: 'kinds' } })).body.data.id;
      await phone.scanQr(await eventually(async () => (await status(id)).qr, 10_000));
      await eventually(async () => (await status(id)).status === 'connected', 15_000);

      const location = { latitude: -6.175392, longitude: 106.827153, name: 'Monas', address: 'Gambir, Jakarta Pusat' };
      /** Sends `body` to the customer by the `kind` route and returns what the customer's phone decoded. */
      const sent = async (kind: string, body: Record<string, unknown>) => {
        const res = await t.request('POST', `/api/whatsapp/messages/${kind}`, {
          body: { session_id: id, to: customer.number, ...body },
        });
        expect(res.status).toBe(200);
        return (await customer.waitForMessage((m) => m.id === res.body.data.message_id, 10_000)).decoded;
      };
      expect(await sent('location', location)).toEqual({ kind: 'location', ...location });

      const card = await sent('contact', { contacts: [{ name: 'Budi Santoso', phone: '+62 898-7654-3210' }] });
      expect(card).toMatchObject({ kind: 'contacts', displayName: 'Budi Santoso' });
      expect(card.kind === 'contacts' && card.vcards[0]).toContain('6289876543210');

      const poll = { question: 'Lunch on Friday?', options: ['Soto', 'Sate', 'Nasi goreng'] };
      expect(await sent('poll', poll)).toEqual({ kind: 'poll', ...poll, selectableCount: 1 });
    });
  },
);
