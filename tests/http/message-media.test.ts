import { randomBytes } from 'node:crypto';
import { connectRemoteNetwork, createSimulatedNetwork, type OutgoingMedia, type SimulatedNetwork } from '@kirim/core';
import { serveSimulatedNetwork } from '@kirim/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { serveFiles } from '../support/file-server.js';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';
import { png } from '../support/media-samples.js';
import { QUICK_SENDS } from '../support/quick-sends.js';
import { linkSession, phoneSequence } from '../support/linking.js';

// The simulated network in the server's process, and served on loopback as server processes reach it.
const SETUPS = DATABASES.flatMap((database) => [
  [database, 'in process'] as const,
  [database, 'served on loopback'] as const,
]);

describe.each(SETUPS)(
  'GET /api/whatsapp/messages/{messageId}/media on %s (simulated network %s)',
  (database, where) => {
    let t: TestServer;
    let network: SimulatedNetwork;
    let served: Awaited<ReturnType<typeof serveSimulatedNetwork>> | undefined;
    beforeAll(async () => {
      network = createSimulatedNetwork({ latencyMs: 1 });
      if (where === 'served on loopback') served = await serveSimulatedNetwork(network);
      const transport = served ? connectRemoteNetwork(served.url) : network.transport;
      // Private URLs allowed: the media a session sends is fetched from a loopback server of the test's.
      t = await startTestServer(database, { ...QUICK_SENDS, KIRIM_ALLOW_PRIVATE_URLS: 'true' }, { transport });
    });
    afterAll(async () => {
      await t?.close();
      await served?.close();
    });

    const nextPhone = phoneSequence(where === 'in process' ? '62818' : '62819', database);

    /** A user with a linked session, and a phone that sends to it. */
    async function linkedUser() {
      const user = await t.createUser();
      const phone = nextPhone();
      const sessionId = await linkSession(t, network, user.token, phone);
      return { ...user, phone, sessionId, friend: network.phone(nextPhone()) };
    }

    /** Has the friend send media to the user's phone; resolves with its id once the session stored it. */
    async function received(user: Awaited<ReturnType<typeof linkedUser>>, media: OutgoingMedia): Promise<string> {
      const id = user.friend.sendMedia(user.phone, media);
      await eventually(async () => {
        const history = await t.request('GET', `/api/whatsapp/sessions/${user.sessionId}/messages`, {
          token: user.token,
        });
        return history.body.data.some((m: { message_id: string }) => m.message_id === id);
      });
      return id;
    }

    /** The media route, read as bytes (the harness's client reads text). */
    const download = (token: string, id: string) =>
      fetch(`${t.url}/api/whatsapp/messages/${id}/media`, { headers: { authorization: `Bearer ${token}` } });

    it('streams a received image byte for byte, with its type, length and a filename', async () => {
      const user = await linkedUser();
      const data = randomBytes(70_000);
      const id = await received(user, { type: 'image', data, mimetype: 'image/png', caption: 'look' });

      const res = await download(user.token, id);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(res.headers.get('content-length')).toBe(String(data.length));
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename=${id}.png`);
      expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
    });

    it('serves as bytes (application/octet-stream), not a 500, media whose sender gave a type HTTP cannot carry', async () => {
      const user = await linkedUser();
      const data = randomBytes(1000);
      for (const mimetype of ['image/png\r\nSet-Cookie: a=b', 'image/€', 'text/html; x="\u0000"']) {
        const id = await received(user, { type: 'document', data, mimetype });
        const res = await download(user.token, id);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('application/octet-stream');
        expect(res.headers.get('set-cookie')).toBeNull();
        expect(res.headers.get('content-disposition')).toBe(`attachment; filename=${id}.bin`);
        expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
      }
    });

    it("names a document by the sender's file name, encoded as RFC 6266 says when it is not ASCII", async () => {
      const user = await linkedUser();
      const data = randomBytes(1000);
      const id = await received(user, {
        type: 'document',
        data,
        mimetype: 'application/pdf',
        filename: 'Résumé 2026.pdf',
      });

      const res = await download(user.token, id);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toBe(
        `attachment; filename="R?sum? 2026.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%202026.pdf`,
      );
      expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
    });

    it("serves the media of a message the session sent from WhatsApp's copy, not from its media_url", async () => {
      const user = await linkedUser();
      const data = await png(64, 48);
      const origin = await serveFiles({ '/logo.png': ['image/png', data] });
      const sent = await t.request('POST', '/api/whatsapp/messages/media', {
        token: user.token,
        body: { session_id: user.sessionId, to: nextPhone(), media_url: `${origin.base}/logo.png`, type: 'image' },
      });
      origin.close();
      expect(sent.status).toBe(200);

      const res = await download(user.token, sent.body.data.message_id);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
    });

    it("answers 404 naming message_id for another user's message, and for a message without media", async () => {
      const owner = await linkedUser();
      const id = await received(owner, { type: 'image', data: randomBytes(100), mimetype: 'image/jpeg' });
      const stranger = await t.createUser();

      const foreign = await t.request('GET', `/api/whatsapp/messages/${id}/media`, { token: stranger.token });
      expect(foreign.status).toBe(404);
      expect(Object.keys(foreign.body.errors)).toEqual(['message_id']);

      const textId = owner.friend.send(owner.phone, 'no media here');
      await eventually(async () => {
        const history = await t.request('GET', `/api/whatsapp/sessions/${owner.sessionId}/messages`, {
          token: owner.token,
        });
        return history.body.data.some((m: { message_id: string }) => m.message_id === textId);
      });
      const text = await t.request('GET', `/api/whatsapp/messages/${textId}/media`, { token: owner.token });
      expect(text.status).toBe(404);
      expect(text.body.errors).toEqual({ message_id: ['has no media'] });
    });

    it("asks the phone to upload it again once WhatsApp's copy expired, then streams it", async () => {
      const user = await linkedUser();
      const data = randomBytes(5000);
      const id = await received(user, { type: 'voice', data, mimetype: 'audio/ogg; codecs=opus', seconds: 3 });
      network.expireMedia(id);

      const res = await download(user.token, id);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('audio/ogg; codecs=opus');
      expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
    });

    it('asks the phone once when several downloads find the same copy expired at once, and streams it to each', async () => {
      const user = await linkedUser();
      const data = randomBytes(4000);
      const id = await received(user, { type: 'image', data, mimetype: 'image/jpeg' });
      network.expireMedia(id);

      const answers = await Promise.all([1, 2, 3].map(() => download(user.token, id)));
      for (const res of answers) {
        expect(res.status).toBe(200);
        expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
      }
      expect(network.mediaReuploads(id)).toBe(1);
    });

    it("answers 503 unavailable when WhatsApp's copy expired and the session is not connected here", async () => {
      const user = await linkedUser();
      const id = await received(user, { type: 'video', data: randomBytes(300), mimetype: 'video/mp4' });
      network.expireMedia(id);
      network.dropLink(user.sessionId, 60_000);

      const res = await t.request('GET', `/api/whatsapp/messages/${id}/media`, { token: user.token });
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('unavailable');
    });
  },
);
