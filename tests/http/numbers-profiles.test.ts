import { connectRemoteNetwork, createSimulatedNetwork, type SimulatedNetwork } from '@kirim/core';
import { serveSimulatedNetwork } from '@kirim/core/testing';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFiles } from '../support/file-server.js';
import { SHOP_PROFILE } from '../support/business-profile.js';
import { eventually } from '../support/eventually.js';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';
import { linkSession, phoneSequence } from '../support/linking.js';

// The simulated network in the server's process, and served on loopback as server processes reach it.
const SETUPS = DATABASES.flatMap((database) => [
  [database, 'in process'] as const,
  [database, 'served on loopback'] as const,
]);

describe.each(SETUPS)(
  'numbers, profiles and the blocklist over HTTP on %s (simulated network %s)',
  (database, where) => {
    let t: TestServer;
    let network: SimulatedNetwork;
    let served: Awaited<ReturnType<typeof serveSimulatedNetwork>> | undefined;
    let files: Awaited<ReturnType<typeof serveFiles>>;
    beforeAll(async () => {
      network = createSimulatedNetwork({ latencyMs: 1 });
      if (where === 'served on loopback') served = await serveSimulatedNetwork(network);
      const transport = served ? connectRemoteNetwork(served.url) : network.transport;
      // No gap between questions: the pacing is the engine test's (tests/engine/number-checks-clock.test.ts).
      t = await startTestServer(
        database,
        { KIRIM_SEND_MIN_GAP_MS: '0', KIRIM_SEND_JITTER_MS: '0', KIRIM_ALLOW_PRIVATE_URLS: 'true' },
        { transport },
      );
      const png = await sharp({ create: { width: 800, height: 400, channels: 3, background: '#c00' } })
        .png()
        .toBuffer();
      files = await serveFiles({ '/me.png': ['image/png', png], '/notes.txt': ['text/plain', Buffer.from('hello')] });
    });
    afterAll(async () => {
      files?.close();
      await t?.close();
      await served?.close();
    });

    const nextPhone = phoneSequence(where === 'in process' ? '62819' : '62811', database);
    const base = (id: string) => `/api/whatsapp/sessions/${id}`;
    const checkNumbers = (token: string, id: string, body: unknown) =>
      t.request('POST', `${base(id)}/check-numbers`, { token, body });
    const asked = (id: string) => network.numberChecks.filter((check) => check.sessionId === id).map((c) => c.phones);
    /** A user with a linked session. */
    const linked = async () => {
      const user = await t.createUser();
      const phone = nextPhone();
      return { user, phone, id: await linkSession(t, network, user.token, phone) };
    };

    describe('POST /api/whatsapp/sessions/{id}/check-numbers', () => {
      it('answers each number, in any spelling, with exists, jid and lid in the order asked', async () => {
        const { user, id } = await linked();
        const on = nextPhone();
        const off = nextPhone();
        network.phone(off, { onWhatsApp: false });
        const spelt = `+${on.slice(0, 2)} ${on.slice(2, 5)}-${on.slice(5, 9)}-${on.slice(9)}`;
        const res = await checkNumbers(user.token, id, { phones: [spelt, `0${off.slice(2)}`] });
        expect(res.status).toBe(200);
        expect(res.body.data).toEqual([
          { phone: on, exists: true, jid: `${on}@s.whatsapp.net`, lid: network.phone(on).lid },
          { phone: off, exists: false, jid: null, lid: null },
        ]);
        expect(asked(id)).toEqual([[on, off]]);
      });

      it('answers numbers asked within a day from the cache, asking WhatsApp nothing, and asks only the new ones', async () => {
        const first = await linked();
        const known = nextPhone();
        await checkNumbers(first.user.token, first.id, { phones: [known] });
        // Another user's session reads the same cache: WhatsApp's answer does not depend on who asks.
        const second = await linked();
        const again = await checkNumbers(second.user.token, second.id, { phones: [known] });
        expect(again.status).toBe(200);
        expect(again.body.data).toEqual([
          { phone: known, exists: true, jid: `${known}@s.whatsapp.net`, lid: network.phone(known).lid },
        ]);
        expect(asked(second.id)).toEqual([]);
        const fresh = nextPhone();
        const mixed = await checkNumbers(second.user.token, second.id, { phones: [known, fresh, known] });
        expect(mixed.body.data.map((c: { phone: string }) => c.phone)).toEqual([known, fresh, known]);
        expect(asked(second.id)).toEqual([[fresh]]);
      });

      it('answers 422 naming phones for 51 numbers, and for none, asking nothing', async () => {
        const { user, id } = await linked();
        const many = Array.from({ length: 51 }, () => nextPhone());
        const tooMany = await checkNumbers(user.token, id, { phones: many });
        expect(tooMany.status).toBe(422);
        expect(Object.keys(tooMany.body.errors)).toEqual(['phones']);
        const none = await checkNumbers(user.token, id, { phones: [] });
        expect(none.status).toBe(422);
        expect(Object.keys(none.body.errors)).toEqual(['phones']);
        expect((await checkNumbers(user.token, id, { phones: many.slice(0, 50) })).status).toBe(200);
        expect(asked(id)).toEqual([many.slice(0, 50)]);
      });

      it('answers 422 naming each bad phone by its index, asking nothing', async () => {
        const { user, id } = await linked();
        const res = await checkNumbers(user.token, id, { phones: [nextPhone(), 'not a phone', nextPhone(), '12'] });
        expect(res.status).toBe(422);
        expect(Object.keys(res.body.errors).sort()).toEqual(['phones.1', 'phones.3']);
        expect(asked(id)).toEqual([]);
      });

      it("answers 404 for another user's session, asking nothing", async () => {
        const { id } = await linked();
        const other = await t.createUser();
        const res = await checkNumbers(other.token, id, { phones: [nextPhone()] });
        expect(res.status).toBe(404);
        expect(asked(id)).toEqual([]);
      });

      it('answers 503 no_device for a session that is not connected, asking nothing', async () => {
        const { user, id } = await linked();
        await t.request('DELETE', `${base(id)}/disconnect`, { token: user.token });
        const res = await checkNumbers(user.token, id, { phones: [nextPhone()] });
        expect(res.status).toBe(503);
        expect(res.body.code).toBe('no_device');
        expect(asked(id)).toEqual([]);
      });
    });

    describe('GET /api/whatsapp/sessions/{id}/profile/{phone}', () => {
      it("answers a contact's picture, about text and business profile", async () => {
        const { user, id } = await linked();
        const shop = nextPhone();
        const picture = `https://pps.whatsapp.net/v/${shop}.jpg`;
        network.phone(shop, { ...SHOP_PROFILE, picture });
        const res = await t.request('GET', `${base(id)}/profile/+${shop}`, { token: user.token });
        expect(res.status).toBe(200);
        expect(res.body.data).toEqual({
          phone: shop,
          jid: `${shop}@s.whatsapp.net`,
          picture_url: picture,
          ...SHOP_PROFILE,
        });
      });

      it('answers null picture, about and business for a contact without them', async () => {
        const { user, id } = await linked();
        const plain = nextPhone();
        const res = await t.request('GET', `${base(id)}/profile/${plain}`, { token: user.token });
        expect(res.status).toBe(200);
        expect(res.body.data).toEqual({
          phone: plain,
          jid: `${plain}@s.whatsapp.net`,
          picture_url: null,
          about: null,
          business: null,
        });
      });

      it("answers 422 naming phone for a bad phone, 404 for another user's session, 503 when not connected", async () => {
        const { user, id } = await linked();
        const bad = await t.request('GET', `${base(id)}/profile/not-a-phone`, { token: user.token });
        expect(bad.status).toBe(422);
        expect(Object.keys(bad.body.errors)).toEqual(['phone']);
        const other = await t.createUser();
        expect((await t.request('GET', `${base(id)}/profile/${nextPhone()}`, { token: other.token })).status).toBe(404);
        await t.request('DELETE', `${base(id)}/disconnect`, { token: user.token });
        const down = await t.request('GET', `${base(id)}/profile/${nextPhone()}`, { token: user.token });
        expect(down.status).toBe(503);
        expect(down.body.code).toBe('no_device');
      });
    });

    describe('PATCH /api/whatsapp/sessions/{id}/profile', () => {
      it("sets the linked account's name and about text, and its picture as a 640x640 JPEG from picture_url", async () => {
        const { user, phone, id } = await linked();
        const url = `${files.base}/me.png`;
        const res = await t.request('PATCH', `${base(id)}/profile`, {
          token: user.token,
          body: { name: 'Toko Kirim', about: 'Buka 08.00-17.00', picture_url: url },
        });
        expect(res.status).toBe(200);
        expect(res.body.data).toEqual({ name: 'Toko Kirim', about: 'Buka 08.00-17.00', picture_url: url });
        const me = network.phone(phone);
        expect(me).toMatchObject({ name: 'Toko Kirim', about: 'Buka 08.00-17.00' });
        expect(await sharp(me.pictureJpeg!).metadata()).toMatchObject({ format: 'jpeg', width: 640, height: 640 });
      });

      it('answers 422 naming each bad field, and for an empty body, changing nothing', async () => {
        const { user, phone, id } = await linked();
        const bad = await t.request('PATCH', `${base(id)}/profile`, {
          token: user.token,
          body: { name: '', about: 'x'.repeat(140), picture_url: 'ftp://example.com/a.png', extra: 1 },
        });
        expect(bad.status).toBe(422);
        expect(Object.keys(bad.body.errors).sort()).toEqual(['about', 'extra', 'name', 'picture_url']);
        const empty = await t.request('PATCH', `${base(id)}/profile`, { token: user.token, body: {} });
        expect(empty.status).toBe(422);
        expect(network.phone(phone)).toMatchObject({ about: null, pictureJpeg: null });
      });

      it('answers 422 naming picture_url for a URL that is not an image, changing nothing', async () => {
        const { user, phone, id } = await linked();
        const url = `${files.base}/notes.txt`;
        const res = await t.request('PATCH', `${base(id)}/profile`, {
          token: user.token,
          body: { about: 'Never set', picture_url: url },
        });
        expect(res.status).toBe(422);
        expect(Object.keys(res.body.errors)).toEqual(['picture_url']);
        expect(network.phone(phone)).toMatchObject({ about: null, pictureJpeg: null });
      });

      it("answers 404 for another user's session and 503 when not connected", async () => {
        const { user, id } = await linked();
        const other = await t.createUser();
        const body = { about: 'x' };
        expect((await t.request('PATCH', `${base(id)}/profile`, { token: other.token, body })).status).toBe(404);
        await t.request('DELETE', `${base(id)}/disconnect`, { token: user.token });
        const down = await t.request('PATCH', `${base(id)}/profile`, { token: user.token, body });
        expect(down.status).toBe(503);
        expect(down.body.code).toBe('no_device');
      });
    });

    describe('the blocklist: POST, DELETE and GET /api/whatsapp/sessions/{id}/blocklist', () => {
      it('blocks, lists and unblocks a number, on the account', async () => {
        const { user, phone, id } = await linked();
        const spammer = nextPhone();
        const blocked = await t.request('POST', `${base(id)}/blocklist/+${spammer}`, { token: user.token });
        expect(blocked.status).toBe(200);
        expect(blocked.body.data).toEqual({ phone: spammer, jid: `${spammer}@s.whatsapp.net`, blocked: true });
        expect([...network.phone(phone).blocked]).toEqual([spammer]);
        const list = await t.request('GET', `${base(id)}/blocklist`, { token: user.token });
        expect(list.body.data).toEqual([{ phone: spammer, jid: `${spammer}@s.whatsapp.net` }]);

        const unblocked = await t.request('DELETE', `${base(id)}/blocklist/${spammer}`, { token: user.token });
        expect(unblocked.status).toBe(200);
        expect(unblocked.body.data).toEqual({ phone: spammer, jid: `${spammer}@s.whatsapp.net`, blocked: false });
        expect((await t.request('GET', `${base(id)}/blocklist`, { token: user.token })).body.data).toEqual([]);
      });

      it("keeps a blocked number's messages from the session until it is unblocked", async () => {
        const { user, phone, id } = await linked();
        const spammer = network.phone(nextPhone());
        const texts = async () =>
          (await t.request('GET', `${base(id)}/messages`, { token: user.token })).body.data.map(
            (m: { text: string }) => m.text,
          );
        await t.request('POST', `${base(id)}/blocklist/${spammer.number}`, { token: user.token });
        spammer.send(phone, 'Promo!');
        await t.request('DELETE', `${base(id)}/blocklist/${spammer.number}`, { token: user.token });
        spammer.send(phone, 'Halo');
        await eventually(async () => (await texts()).includes('Halo'));
        expect(await texts()).not.toContain('Promo!');
      });

      it("answers 422 naming phone for a bad phone, 404 for another user's session, 503 when not connected", async () => {
        const { user, phone, id } = await linked();
        const bad = await t.request('POST', `${base(id)}/blocklist/nope`, { token: user.token });
        expect(bad.status).toBe(422);
        expect(Object.keys(bad.body.errors)).toEqual(['phone']);
        const other = await t.createUser();
        for (const [method, path] of [
          ['POST', `blocklist/${nextPhone()}`],
          ['DELETE', `blocklist/${nextPhone()}`],
          ['GET', 'blocklist'],
        ] as const)
          expect((await t.request(method, `${base(id)}/${path}`, { token: other.token })).status).toBe(404);
        await t.request('DELETE', `${base(id)}/disconnect`, { token: user.token });
        const down = await t.request('GET', `${base(id)}/blocklist`, { token: user.token });
        expect(down.status).toBe(503);
        expect(down.body.code).toBe('no_device');
        expect([...network.phone(phone).blocked]).toEqual([]);
      });
    });
  },
);
