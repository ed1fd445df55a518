// The real path for numbers, profiles and the blocklist: the reference server's HTTP API drives unmodified Baileys
// against @kirim/wa-sim, which answers usync, w:profile:picture, status, w:biz and blocklist as WhatsApp does.
import type { WaSim } from '@kirim/wa-sim';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOP_PROFILE } from '../support/business-profile.js';
import { eventually } from '../support/eventually.js';
import { serveFiles } from '../support/file-server.js';
import { DATABASES, type TestServer } from '../support/harness.js';
import { QUICK_SENDS } from '../support/quick-sends.js';
import { startServerOverWaSim } from '../support/wa-sim-server.js';

describe.each(DATABASES)(
  'numbers, profiles and the blocklist over the HTTP API, Baileys and wa-sim on %s',
  (database) => {
    let sim: WaSim;
    let t: TestServer;
    let files: Awaited<ReturnType<typeof serveFiles>>;
    beforeAll(async () => {
      ({ sim, t } = await startServerOverWaSim(database, { ...QUICK_SENDS, KIRIM_ALLOW_PRIVATE_URLS: 'true' }));
      const png = await sharp({ create: { width: 300, height: 500, channels: 3, background: '#0a0' } })
        .png()
        .toBuffer();
      files = await serveFiles({ '/me.png': ['image/png', png] });
    });
    afterAll(async () => {
      files?.close();
      await t?.close();
      await sim?.close();
    });

    const suffix = database === 'sqlite' ? '3' : '4';
    let seq = 0;
    const nextNumber = () => `62813${suffix}${String(++seq).padStart(6, '0')}`;
    const status = async (id: string) => (await t.request('GET', `/api/whatsapp/sessions/${id}/status`)).body.data;

    /** A session linked to a new phone. */
    async function linked() {
      const phone = sim.phone(nextNumber());
      const id = (await t.request('POST', '/api/whatsapp/sessions', { body: { session_name: 'profiles' } })).body.data
        .id;
      await phone.scanQr(await eventually(async () => (await status(id)).qr, 10_000));
      await eventually(async () => (await status(id)).status === 'connected', 15_000);
      return { id, phone, base: `/api/whatsapp/sessions/${id}` };
    }

    it('checks numbers through usync: on WhatsApp with its JID and LID, or not', async () => {
      const { base } = await linked();
      const on = sim.phone(nextNumber());
      const off = nextNumber();
      const res = await t.request('POST', `${base}/check-numbers`, { body: { phones: [`+${on.number}`, off] } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.data).toEqual([
        { phone: on.number, exists: true, jid: on.jid, lid: on.lidJid },
        { phone: off, exists: false, jid: null, lid: null },
      ]);
    });

    it("reads a contact's picture, about text and business profile, and nulls for a contact without them", async () => {
      const { base } = await linked();
      const shop = sim.phone(nextNumber());
      const picture = `https://pps.whatsapp.net/v/t61/${shop.number}.jpg`;
      shop.profile.configure({ ...SHOP_PROFILE, picture });
      const res = await t.request('GET', `${base}/profile/${shop.number}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.data).toEqual({
        phone: shop.number,
        jid: shop.jid,
        picture_url: picture,
        ...SHOP_PROFILE,
      });

      const plain = sim.phone(nextNumber());
      const none = await t.request('GET', `${base}/profile/${plain.number}`);
      expect(none.status, JSON.stringify(none.body)).toBe(200);
      expect(none.body.data).toEqual({
        phone: plain.number,
        jid: plain.jid,
        picture_url: null,
        about: null,
        business: null,
      });
    });

    it("sets the linked account's name, about text and picture, which WhatsApp receives as a square JPEG", async () => {
      const { base, phone } = await linked();
      const res = await t.request('PATCH', `${base}/profile`, {
        body: { about: 'Buka 08.00-17.00', picture_url: `${files.base}/me.png` },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(phone.profile.about).toBe('Buka 08.00-17.00');
      const { format, width, height } = await sharp(phone.profile.pictureJpeg!).metadata();
      expect(format).toBe('jpeg');
      expect(width).toBe(height);

      // The name is app state, written with the key the phone shares moments after linking: 503 until it has.
      const named = async () => (await t.request('PATCH', `${base}/profile`, { body: { name: 'Toko Kirim' } })).status;
      await eventually(async () => (await named()) === 200, 10_000);
      expect(phone.pushName).toBe('Toko Kirim');
    });

    it('blocks a number, whose messages then no longer reach the session, lists it, and unblocks it', async () => {
      const { id, base } = await linked();
      const spammer = sim.phone(nextNumber());
      const history = async () =>
        (await t.request('GET', `/api/whatsapp/sessions/${id}/messages`)).body.data.map(
          (m: { text: string }) => m.text,
        );

      const blocked = await t.request('POST', `${base}/blocklist/${spammer.number}`);
      expect(blocked.status, JSON.stringify(blocked.body)).toBe(200);
      expect(blocked.body.data).toEqual({ phone: spammer.number, jid: spammer.jid, blocked: true });
      const list = await t.request('GET', `${base}/blocklist`);
      expect(list.body.data).toEqual([{ phone: spammer.number, jid: spammer.jid }]);

      await spammer.sendText((await status(id)).phone, 'Promo!');
      const unblocked = await t.request('DELETE', `${base}/blocklist/${spammer.number}`);
      expect(unblocked.body.data).toEqual({ phone: spammer.number, jid: spammer.jid, blocked: false });
      expect((await t.request('GET', `${base}/blocklist`)).body.data).toEqual([]);
      await spammer.sendText((await status(id)).phone, 'Halo');
      await eventually(async () => (await history()).includes('Halo'), 10_000);
      expect(await history()).not.toContain('Promo!');
    });
  },
);
