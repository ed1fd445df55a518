// The real path for stickers, voice notes, view-once media and link previews: the reference server's HTTP API drives
// unmodified Baileys against @kirim/wa-sim, which hosts the encrypted media; the recipient phone decrypts what
// arrives with its own keys and downloads its media from wa-sim's media host.
import { downloadMedia, type SimPhone, type WaSim } from '@kirim/wa-sim';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { OPEN_GRAPH_PAGE, serveFiles, type ServedFiles } from '../support/file-server.js';
import { DATABASES, type TestServer } from '../support/harness.js';
import { oggOpus, png } from '../support/media-samples.js';
import { QUICK_SENDS } from '../support/quick-sends.js';
import { startServerOverWaSim } from '../support/wa-sim-server.js';

describe.each(DATABASES)(
  'stickers, voice notes, view once and link previews over Baileys and wa-sim on %s',
  (database) => {
    let sim: WaSim;
    let t: TestServer;
    let files: Awaited<ReturnType<typeof serveFiles>>;
    let base: string;
    let fetched: string[];
    let content: ServedFiles;
    let sessionId: string;
    let customer: SimPhone;

    beforeAll(async () => {
      content = {
        '/cat.png': ['image/png', await png(300, 200)],
        '/note.ogg': ['audio/ogg', oggOpus({ loudFrames: 50, quietFrames: 100 })],
        '/cover.png': ['image/png', await png(400, 400)],
        '/page': ['text/html; charset=utf-8', Buffer.from(OPEN_GRAPH_PAGE)],
      };
      files = await serveFiles(content);
      ({ base, fetched } = files);
      // The files are on loopback: let private URLs through, as an operator may.
      ({ sim, t } = await startServerOverWaSim(database, { ...QUICK_SENDS, KIRIM_ALLOW_PRIVATE_URLS: 'true' }));

      const suffix = database === 'sqlite' ? '331' : '431';
      const phone = sim.phone(`628120000${suffix}`);
      customer = sim.phone(`628199990${suffix}`);
      const status = async () => (await t.request('GET', `/api/whatsapp/sessions/${sessionId}/status`)).body.data;
      sessionId = (await t.request('POST', '/api/whatsapp/sessions', { body: { session_name: 'media' } })).body.data.id;
      await phone.scanQr(await eventually(async () => (await status()).qr, 10_000));
      await eventually(async () => (await status()).status === 'connected', 15_000);
    });
    afterAll(async () => {
      await t?.close();
      await sim?.close();
      files?.close();
    });

    /** Sends `body` to the customer by the `kind` route and returns the message the customer's phone received. */
    async function received(kind: string, body: Record<string, unknown>) {
      const res = await t.request('POST', `/api/whatsapp/messages/${kind}`, {
        body: { session_id: sessionId, to: customer.number, ...body },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return customer.waitForMessage((m) => m.id === res.body.data.message_id, 15_000);
    }

    it('a PNG sent as a sticker reaches the phone as a stickerMessage whose bytes are a 512×512 WebP', async () => {
      const message = await received('sticker', { media_url: `${base}/cat.png` });
      expect(message.decoded).toEqual({ kind: 'media', type: 'sticker', mimetype: 'image/webp' });
      const bytes = await downloadMedia(sim.media, message.message);
      expect(await sharp(bytes).metadata()).toMatchObject({ format: 'webp', width: 512, height: 512 });
    });

    it('an Ogg/Opus voice note reaches the phone as a ptt audio with its seconds and 64-value waveform, byte for byte', async () => {
      const message = await received('media', { media_url: `${base}/note.ogg`, type: 'voice' });
      expect(message.decoded).toEqual({ kind: 'media', type: 'voice', mimetype: 'audio/ogg; codecs=opus' });
      const audio = message.message!.audioMessage!;
      expect(audio).toMatchObject({ ptt: true, seconds: 3 });
      expect(audio.waveform).toHaveLength(64);
      expect(Math.max(...audio.waveform!)).toBe(100);
      expect((await downloadMedia(sim.media, message.message)).equals(content['/note.ogg']![1])).toBe(true);
    });

    it('an image sent view_once reaches the phone wrapped view-once, and decrypts to the sent bytes', async () => {
      const message = await received('media', { media_url: `${base}/cat.png`, type: 'image', view_once: true });
      expect(message.decoded).toEqual({ kind: 'media', type: 'image', mimetype: 'image/png' });
      const wrapped = message.message!.viewOnceMessage?.message ?? message.message!.viewOnceMessageV2?.message;
      expect(wrapped?.imageMessage).toBeTruthy();
      expect((await downloadMedia(sim.media, message.message)).equals(content['/cat.png']![1])).toBe(true);
    });

    it("a text with a link reaches the phone with the preview's title, description and thumbnail", async () => {
      const message = await received('text', { message: `Katalog baru: ${base}/page` });
      expect(message.message?.extendedTextMessage).toMatchObject({
        text: `Katalog baru: ${base}/page`,
        matchedText: `${base}/page`,
        title: 'Katalog Toko Budi',
        description: 'Harga baru minggu ini',
      });
      const thumbnail = Buffer.from(message.message!.extendedTextMessage!.jpegThumbnail!);
      expect(await sharp(thumbnail).metadata()).toMatchObject({ format: 'jpeg' });
    });

    it('a text with link_preview false reaches the phone without a preview, its link fetched by no one (Baileys included)', async () => {
      fetched.length = 0;
      const message = await received('text', { message: `Katalog: ${base}/page`, link_preview: false });
      expect(message.text).toBe(`Katalog: ${base}/page`);
      expect(message.message?.extendedTextMessage?.title ?? null).toBeNull();
      expect(fetched).toEqual([]);
    });
  },
);
