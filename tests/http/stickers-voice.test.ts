import { createSimulatedNetwork, type SimulatedNetwork } from '@kirim/core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { OPEN_GRAPH_PAGE, serveFiles } from '../support/file-server.js';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';
import { linkSession, phoneSequence } from '../support/linking.js';
import { gif, jpeg, mp3, oggOpus, png, wav } from '../support/media-samples.js';
import { QUICK_SENDS } from '../support/quick-sends.js';

// A send answers once WhatsApp has it; a fast receipt may already have moved it further.
const SENT = /^(sent|delivered|read)$/;
// The media host and the linked page are on loopback: let private URLs through, as an operator may.
const ENV = { ...QUICK_SENDS, KIRIM_ALLOW_PRIVATE_URLS: 'true' };

describe.each(DATABASES)('stickers, voice notes, view once and link previews over HTTP on %s', (database) => {
  let t: TestServer;
  let network: SimulatedNetwork;
  let files: Awaited<ReturnType<typeof serveFiles>>;
  let base: string;
  let fetched: string[];

  beforeAll(async () => {
    files = await serveFiles({
      '/cat.png': ['image/png', await png(300, 200)],
      '/photo.jpg': ['image/jpeg', await jpeg(120, 480)],
      '/anim.gif': ['image/gif', await gif(40, 40)],
      '/notes.txt': ['text/plain', Buffer.from('not an image')],
      '/note.ogg': ['audio/ogg', oggOpus({ loudFrames: 50, quietFrames: 100 })],
      '/song.mp3': ['audio/mpeg', mp3()],
      '/tone.wav': ['audio/wav', wav()],
      '/cover.png': ['image/png', await png(400, 400)],
      '/page': ['text/html; charset=utf-8', Buffer.from(OPEN_GRAPH_PAGE)],
    });
    ({ base, fetched } = files);
    network = createSimulatedNetwork({ latencyMs: 1 });
    t = await startTestServer(database, ENV, { transport: network.transport });
  });
  afterAll(async () => {
    await t?.close();
    files?.close();
  });

  const nextPhone = phoneSequence('62817', database);
  async function linked() {
    const u = await t.createUser();
    const phone = nextPhone();
    return { token: u.token, id: await linkSession(t, network, u.token, phone), phone };
  }
  const post = (token: string, kind: string, body: unknown) =>
    t.request('POST', `/api/whatsapp/messages/${kind}`, { token, body });
  /** What the network received from the session last. */
  const lastSent = (sessionId: string) => network.sent.filter((s) => s.sessionId === sessionId).at(-1)!;
  const sentMedia = (sessionId: string) => {
    const { content } = lastSent(sessionId);
    if (content.kind !== 'media') throw new Error(`expected media, the network got ${content.kind}`);
    return content;
  };

  describe('stickers', () => {
    it('makes a PNG sent to /messages/sticker a 512×512 WebP, as WhatsApp receives it', async () => {
      const { token, id } = await linked();
      const res = await post(token, 'sticker', { session_id: id, to: nextPhone(), media_url: `${base}/cat.png` });
      expect(res.status).toBe(200);
      expect(res.body.data.status).toMatch(SENT);
      const { media } = sentMedia(id);
      expect(media).toMatchObject({ type: 'sticker', mimetype: 'image/webp' });
      expect(await sharp(media.data).metadata()).toMatchObject({ format: 'webp', width: 512, height: 512 });
      const history = await t.request('GET', `/api/whatsapp/sessions/${id}/messages?direction=out`, { token });
      expect(history.body.data[0]).toMatchObject({ type: 'sticker', media: { type: 'sticker' } });
    });

    it('makes a JPEG sent as media of type sticker, to a group, a 512×512 WebP', async () => {
      const { token, id, phone } = await linked();
      const group = network.createGroup({ subject: 'Stiker', owner: phone, participants: [nextPhone()] });
      const res = await post(token, 'group/media', {
        session_id: id,
        group_id: group.jid,
        media_url: `${base}/photo.jpg`,
        type: 'sticker',
      });
      expect(res.status).toBe(200);
      const { media } = sentMedia(id);
      expect(media).toMatchObject({ type: 'sticker', mimetype: 'image/webp' });
      expect(await sharp(media.data).metadata()).toMatchObject({ format: 'webp', width: 512, height: 512 });
    });

    it('answers 422 naming media_url for a GIF or a text file as a sticker, and sends nothing', async () => {
      const { token, id } = await linked();
      for (const [route, body] of [
        ['sticker', { media_url: `${base}/anim.gif` }],
        ['media', { media_url: `${base}/notes.txt`, type: 'sticker' }],
      ] as const) {
        const res = await post(token, route, { session_id: id, to: nextPhone(), ...body });
        expect(res.status, body.media_url).toBe(422);
        expect(res.body.errors).toEqual({ media_url: [expect.any(String)] });
      }
      expect(network.sent.filter((s) => s.sessionId === id)).toEqual([]);
    });

    it('answers 422 naming every bad field of a sticker, an unknown one included', async () => {
      const { token, id } = await linked();
      const res = await post(token, 'sticker', { session_id: id, media_url: 'ftp://x/y.png', caption: 'no' });
      expect(res.status).toBe(422);
      expect(Object.keys(res.body.errors).sort()).toEqual(['caption', 'group_id', 'media_url', 'to']);
    });
  });

  describe('voice notes', () => {
    it('sends an Ogg/Opus voice note with its seconds and a 64-value waveform', async () => {
      const { token, id } = await linked();
      const res = await post(token, 'media', {
        session_id: id,
        to: nextPhone(),
        media_url: `${base}/note.ogg`,
        type: 'voice',
      });
      expect(res.status).toBe(200);
      const { media } = sentMedia(id);
      // 150 frames of 20 ms: one second of sound, two of silence.
      expect(media).toMatchObject({ type: 'voice', mimetype: 'audio/ogg; codecs=opus', seconds: 3 });
      expect(media.waveform).toHaveLength(64);
      expect(Math.max(...media.waveform!)).toBe(100);
      expect([...media.waveform!.slice(22)]).toEqual(Array(42).fill(0));
    });

    it('answers 422 naming media_url, saying it must be Ogg/Opus, for an MP3 or a WAV sent as a voice note', async () => {
      const { token, id } = await linked();
      for (const file of ['song.mp3', 'tone.wav']) {
        const res = await post(token, 'media', {
          session_id: id,
          to: nextPhone(),
          media_url: `${base}/${file}`,
          type: 'voice',
        });
        expect(res.status, file).toBe(422);
        expect(res.body.errors).toEqual({ media_url: [expect.stringContaining('Ogg/Opus')] });
      }
      expect(network.sent.filter((s) => s.sessionId === id)).toEqual([]);
    });
  });

  describe('view once', () => {
    it('sends an image and a voice note with view_once marked view-once, and stores it on the media', async () => {
      const { token, id } = await linked();
      for (const [file, type] of [
        ['cat.png', 'image'],
        ['note.ogg', 'voice'],
      ]) {
        const res = await post(token, 'media', {
          session_id: id,
          to: nextPhone(),
          media_url: `${base}/${file}`,
          type,
          view_once: true,
        });
        expect(res.status, type).toBe(200);
        expect(sentMedia(id), type).toMatchObject({ viewOnce: true, media: { type } });
      }
      const history = await t.request('GET', `/api/whatsapp/sessions/${id}/messages?direction=out`, { token });
      expect(history.body.data[0].media).toMatchObject({ type: 'voice', view_once: true });
      await post(token, 'media', { session_id: id, to: nextPhone(), media_url: `${base}/cat.png`, type: 'image' });
      expect(sentMedia(id).viewOnce).toBeUndefined();
    });

    it('answers 422 naming view_once for a document, an audio or a sticker sent view-once', async () => {
      const { token, id } = await linked();
      for (const type of ['document', 'audio', 'sticker']) {
        const res = await post(token, 'media', {
          session_id: id,
          to: nextPhone(),
          media_url: `${base}/cat.png`,
          type,
          view_once: true,
        });
        expect(res.status, type).toBe(422);
        expect(res.body.errors, type).toEqual({ view_once: [expect.any(String)] });
      }
    });
  });

  describe('scheduled', () => {
    it('fires a scheduled voice note view-once, and a scheduled text without its preview, as asked', async () => {
      const { token, id } = await linked();
      // Each a second ahead of its own request: one time for both was past by the second when the first was slow.
      const soon = () => new Date(Date.now() + 1000).toISOString();
      const voice = await post(token, 'schedule/media', {
        session_id: id,
        to: nextPhone(),
        media_url: `${base}/note.ogg`,
        type: 'voice',
        view_once: true,
        scheduled_at: soon(),
      });
      const text = await post(token, 'schedule/text', {
        session_id: id,
        to: nextPhone(),
        message: `Besok: ${base}/page`,
        link_preview: false,
        scheduled_at: soon(),
      });
      expect([voice.status, text.status]).toEqual([201, 201]);
      const sent = await eventually(() => {
        const contents = network.sent.filter((s) => s.sessionId === id).map((s) => s.content);
        return contents.length === 2 && contents;
      });
      expect(sent).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ kind: 'media', viewOnce: true, media: expect.objectContaining({ seconds: 3 }) }),
          { kind: 'text', text: `Besok: ${base}/page` },
        ]),
      );
    });
  });

  describe('link previews', () => {
    it("sends a text with its first link's preview: the page's title, description and a small JPEG of its image", async () => {
      const { token, id } = await linked();
      const res = await post(token, 'text', {
        session_id: id,
        to: nextPhone(),
        message: `Katalog baru: ${base}/page.`,
      });
      expect(res.status).toBe(200);
      const { content } = lastSent(id);
      expect(content).toMatchObject({
        kind: 'text',
        linkPreview: { url: `${base}/page`, title: 'Katalog Toko Budi', description: 'Harga baru minggu ini' },
      });
      const thumbnail = content.kind === 'text' ? content.linkPreview!.thumbnail! : Buffer.alloc(0);
      expect(await sharp(thumbnail).metadata()).toMatchObject({ format: 'jpeg', width: 192, height: 192 });
    });

    it('sends the text without a preview, and fetches nothing, when link_preview is false', async () => {
      const { token, id } = await linked();
      fetched.length = 0;
      const res = await post(token, 'text', {
        session_id: id,
        to: nextPhone(),
        message: `Katalog: ${base}/page`,
        link_preview: false,
      });
      expect(res.status).toBe(200);
      expect(lastSent(id).content).toEqual({ kind: 'text', text: `Katalog: ${base}/page` });
      expect(fetched).toEqual([]);
    });

    it('sends the text without a preview when its page cannot be had (404, not HTML)', async () => {
      const { token, id } = await linked();
      for (const path of ['/missing', '/cat.png']) {
        const res = await post(token, 'text', { session_id: id, to: nextPhone(), message: `Lihat ${base}${path}` });
        expect(res.status, path).toBe(200);
        expect(lastSent(id).content, path).toEqual({ kind: 'text', text: `Lihat ${base}${path}` });
      }
    });

    it('answers 422 naming link_preview when it is not a boolean', async () => {
      const { token, id } = await linked();
      const res = await post(token, 'text', { session_id: id, to: nextPhone(), message: 'x', link_preview: 'yes' });
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual({ link_preview: [expect.any(String)] });
    });
  });
});
