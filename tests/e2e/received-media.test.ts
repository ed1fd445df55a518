// The real path for media: the reference server's HTTP API drives unmodified Baileys against @kirim/wa-sim, whose
// media host stands in for WhatsApp's (KIRIM_WA_MEDIA_URL). Media a phone sends is downloaded and decrypted on demand,
// by a second server process too; media Kirim sends decrypts, on the recipient phone, to the bytes sent.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadMedia, uploadPhoneMedia, type PhoneMedia, type SimPhone, type WaSim } from '@kirim/wa-sim';
import type { proto } from 'baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { serveFiles } from '../support/file-server.js';
import { DATABASES, type TestServer } from '../support/harness.js';
import { oggOpus, png, webp } from '../support/media-samples.js';
import { freshPostgresUrl } from '../support/postgres.js';
import { QUICK_SENDS } from '../support/quick-sends.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { openSse, type SseClient } from '../support/sse-client.js';
import { startServerOverWaSim } from '../support/wa-sim-server.js';

describe.each(DATABASES)('media over the HTTP API, Baileys and wa-sim on %s', (database) => {
  let sim: WaSim;
  let t: TestServer;
  let second: ServerProcess;
  let dataDir: string;
  let user: { token: string };
  let sessionId: string;
  let me: SimPhone;
  let friend: SimPhone;
  let events: SseClient;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kirim-media-'));
    // Both processes share one database: the SQLite file in DATA_DIR, or one PostgreSQL database.
    const shared = {
      DATA_DIR: dataDir,
      ...(database === 'postgres' ? { DATABASE_URL: await freshPostgresUrl() } : {}),
    };
    // Private URLs allowed: the image Kirim sends is fetched from a loopback server of the test's.
    ({ sim, t } = await startServerOverWaSim(database, {
      ...QUICK_SENDS,
      ...shared,
      KIRIM_ALLOW_PRIVATE_URLS: 'true',
    }));
    user = await t.createUser();
    const suffix = database === 'sqlite' ? '501' : '601';
    me = sim.phone(`628120000${suffix}`);
    friend = sim.phone(`628199990${suffix}`, { pushName: 'Friend' });
    const status = async () =>
      (await t.request('GET', `/api/whatsapp/sessions/${sessionId}/status`, { token: user.token })).body.data;
    sessionId = (
      await t.request('POST', '/api/whatsapp/sessions', { token: user.token, body: { session_name: 'media' } })
    ).body.data.id;
    await me.scanQr(await eventually(async () => (await status()).qr, 10_000));
    await eventually(async () => (await status()).status === 'connected', 15_000);
    events = await openSse(`${t.url}/api/events`, { authorization: `Bearer ${user.token}` });
    // The second process drives nothing: the first holds the session's lease and renews it.
    second = await startServerProcess(
      { ...shared, KIRIM_TRANSPORT: 'baileys', KIRIM_WA_WS_URL: sim.url, KIRIM_WA_MEDIA_URL: sim.media.url },
      t.adminToken,
    );
  });
  afterAll(async () => {
    events?.close();
    await second?.kill('SIGTERM');
    await t?.close();
    await sim?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /** The media route on a server, read as bytes. */
  const mediaFrom = (url: string, messageId: string) =>
    fetch(`${url}/api/whatsapp/messages/${messageId}/media`, { headers: { authorization: `Bearer ${user.token}` } });

  /** The phone sends media to the linked account; resolves with its id and the `message.received` event's data. */
  async function received(media: PhoneMedia | proto.IMessage) {
    const id = await ('data' in media ? friend.sendMedia(me.number, media) : friend.sendMessage(me.number, media));
    const [frame] = await events.waitFor(
      1,
      (f) => f.event === 'message.received' && JSON.parse(f.data!).data.message_id === id,
      15_000,
    );
    return { id, event: JSON.parse(frame!.data!).data };
  }

  it('serves an image the phone sent, byte for byte with its type, from a second process that does not drive the session', async () => {
    const data = randomBytes(60_000);
    const { id, event } = await received({ type: 'image', data, mimetype: 'image/jpeg', caption: 'the receipt' });
    expect(event).toMatchObject({
      type: 'image',
      caption: 'the receipt',
      media: { mimetype: 'image/jpeg', size: data.length, url: `/api/whatsapp/messages/${id}/media` },
    });

    const res = await mediaFrom(second.url, id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('content-length')).toBe(String(data.length));
    expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
  });

  it('announces, stores and serves a video, an audio, a voice note and a sticker the phone sent, each with its kind', async () => {
    const kinds: PhoneMedia[] = [
      { type: 'video', data: randomBytes(30_000), mimetype: 'video/mp4', caption: 'the clip', seconds: 12 },
      { type: 'audio', data: randomBytes(15_000), mimetype: 'audio/mpeg', seconds: 95 },
      { type: 'voice', data: oggOpus(), mimetype: 'audio/ogg; codecs=opus', seconds: 2 },
      { type: 'sticker', data: await webp(512, 512), mimetype: 'image/webp' },
    ];
    for (const media of kinds) {
      const { id, event } = await received(media);
      expect(event, media.type).toMatchObject({
        type: media.type,
        media: { mimetype: media.mimetype, size: media.data.length, url: `/api/whatsapp/messages/${id}/media` },
        ...(media.caption ? { caption: media.caption } : {}),
      });
      if (media.seconds) expect(event.media.seconds, media.type).toBe(media.seconds);
      const stored = await t.request('GET', `/api/whatsapp/messages/${id}`, { token: user.token });
      expect(stored.body.data, media.type).toMatchObject({
        type: media.type,
        direction: 'in',
        media: { type: media.type, mimetype: media.mimetype },
      });
      const res = await mediaFrom(second.url, id);
      expect(res.headers.get('content-type'), media.type).toBe(media.mimetype);
      expect(Buffer.from(await res.arrayBuffer()).equals(media.data), media.type).toBe(true);
    }
  });

  it('asks the phone to upload a document again once the media host expired it, and serves the bytes', async () => {
    const data = randomBytes(20_000);
    const { id } = await received({ type: 'document', data, mimetype: 'application/pdf', filename: 'invoice.pdf' });
    const first = sim.media.uploads.at(-1)!;
    sim.media.expire(first.directPath);

    // A process that does not drive the session cannot ask the phone: it says so, and where it can be done.
    const elsewhere = await mediaFrom(second.url, id);
    expect(elsewhere.status).toBe(503);

    const res = await mediaFrom(t.url, id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename=invoice.pdf');
    expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
    // The phone uploaded the same file again, under a new direct path the stored message now names.
    const again = sim.media.uploads.at(-1)!;
    expect(again.directPath).not.toBe(first.directPath);
    expect(again.data.equals(first.data)).toBe(true);
    const fromSecond = await mediaFrom(second.url, id);
    expect(Buffer.from(await fromSecond.arrayBuffer()).equals(data)).toBe(true);
  });

  it("sends an image through POST /messages/media that the phone decrypts to exactly the bytes sent, and serves Kirim's own copy", async () => {
    const data = await png(320, 240);
    const origin = await serveFiles({ '/photo.png': ['image/png', data] });
    try {
      const res = await t.request('POST', '/api/whatsapp/messages/media', {
        token: user.token,
        body: {
          session_id: sessionId,
          to: friend.number,
          media_url: `${origin.base}/photo.png`,
          type: 'image',
          caption: 'sent',
        },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const arrived = await friend.waitForMessage((m) => m.id === res.body.data.message_id, 15_000);
      expect(arrived.decoded).toMatchObject({ kind: 'media', type: 'image', mimetype: 'image/png' });
      expect((await downloadMedia(sim.media, arrived.message)).equals(data)).toBe(true);

      const own = await mediaFrom(second.url, res.body.data.message_id);
      expect(own.status).toBe(200);
      expect(Buffer.from(await own.arrayBuffer()).equals(data)).toBe(true);
      // Expired, Kirim's own message is uploaded again by the phone too (the retry request says from_me).
      sim.media.expire(sim.media.uploads.find((file) => file.data.length >= data.length)!.directPath);
      const again = await mediaFrom(t.url, res.body.data.message_id);
      expect(Buffer.from(await again.arrayBuffer()).equals(data)).toBe(true);
    } finally {
      origin.close();
    }
  });

  it('cuts the response rather than serve other bytes than its Content-Length when the sender announced a false file length', async () => {
    const data = randomBytes(10_000);
    const { imageMessage } = await uploadPhoneMedia(sim.media, { type: 'image', data, mimetype: 'image/jpeg' });
    const { id } = await received({ imageMessage: { ...imageMessage, fileLength: data.length - 100 } });

    // Served whole, it would be bytes its Content-Length does not count: the response is cut instead.
    const outcome = await mediaFrom(t.url, id)
      .then((res) => res.arrayBuffer())
      .then(
        () => 'served',
        () => 'cut',
      );
    expect(outcome).toBe('cut');
    expect((await t.request('GET', `/api/whatsapp/sessions/${sessionId}/status`, { token: user.token })).status).toBe(
      200,
    );
  });

  it('ends the download from the media host when the client leaves mid-stream', async () => {
    const size = 16 * 1024 * 1024;
    const { id } = await received({ type: 'video', data: randomBytes(size), mimetype: 'video/mp4' });
    const res = await mediaFrom(t.url, id);
    const reader = res.body!.getReader();
    await reader.read();
    expect(sim.media.downloadsInFlight).toBe(1);
    await reader.cancel();
    // The server let go of WhatsApp's side too: the media host has no download open any more.
    await eventually(() => sim.media.downloadsInFlight === 0, 10_000);
    const after = await mediaFrom(t.url, id);
    expect(after.status).toBe(200);
    expect((await after.arrayBuffer()).byteLength).toBe(size);
  });
});
