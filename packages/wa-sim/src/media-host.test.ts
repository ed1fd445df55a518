import { createHash, randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import type { AuthenticationState } from 'baileys';
import { downloadEncryptedContent, encryptedStream, getMediaKeys, toBuffer, type WAMessage } from 'baileys';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectBaileys, linkBaileys, type TestClient } from './baileys-test-client.js';
import { downloadMedia } from './decoded-message.js';
import { startWaSim, type SimPhone, type WaSim } from './index.js';
import { uploadPhoneMedia } from './phone-media.js';

let sim: WaSim;
const clients: TestClient[] = [];

beforeEach(async () => {
  sim = await startWaSim();
});

afterEach(async () => {
  for (const created of clients.splice(0)) created.end();
  await sim.close();
});

function client(auth?: AuthenticationState): TestClient {
  const created = connectBaileys(sim, auth);
  clients.push(created);
  return created;
}

const linkedClient = (phone: SimPhone): Promise<TestClient> => linkBaileys(phone, client);

/** Uploads bytes as Baileys does: POST to /mms/{type}/{encSha256, base64url} with the auth and token. */
function upload(type: string, data: Buffer, auth = sim.media.auth) {
  const token = createHash('sha256').update(data).digest('base64url');
  return fetch(`${sim.media.url}/mms/${type}/${token}?auth=${encodeURIComponent(auth)}&token=${token}`, {
    method: 'POST',
    body: data,
  });
}

describe('wa-sim media host', () => {
  it('takes an upload named by its SHA-256 and serves it at the direct path it answers, as WhatsApp does', async () => {
    const data = randomBytes(3000);
    const response = await upload('image', data);
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { url: string; direct_path: string };
    expect(answer.direct_path).toMatch(/^\/v\/t62\.7118-24\/\w+\.enc\?ccb=11-4&oh=/);
    expect(answer.url).toBe(`https://${sim.media.hostname}${answer.direct_path}&mms3=true`);

    const served = await fetch(`${sim.media.url}${answer.direct_path}`);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(data)).toBe(true);
    expect(sim.media.uploads.map((hosted) => hosted.type)).toEqual(['image']);
  });

  it('refuses an upload with another auth (401) or whose bytes do not match their name (400), storing nothing', async () => {
    expect((await upload('image', randomBytes(50), 'not-the-auth')).status).toBe(401);
    const token = createHash('sha256').update(randomBytes(8)).digest('base64url');
    const mismatch = await fetch(`${sim.media.url}/mms/image/${token}?auth=${sim.media.auth}&token=${token}`, {
      method: 'POST',
      body: randomBytes(50),
    });
    expect(mismatch.status).toBe(400);
    expect(sim.media.uploads).toEqual([]);
  });

  it('answers 404 for an expired file and for a path it never served', async () => {
    const hosted = sim.media.put('document', randomBytes(100));
    sim.media.expire(hosted.url);
    expect((await fetch(`${sim.media.url}${hosted.directPath}`)).status).toBe(404);
    expect((await fetch(`${sim.media.url}/v/t62.7119-24/unknown.enc?ccb=11-4`)).status).toBe(404);
  });

  it("encrypts a phone's media as Baileys decrypts it, and decrypts what Baileys encrypted", async () => {
    const data = randomBytes(5000);
    const message = await uploadPhoneMedia(sim.media, { type: 'voice', data, mimetype: 'audio/ogg; codecs=opus' });
    const audio = message.audioMessage!;
    expect(audio.ptt).toBe(true);
    const keys = await getMediaKeys(audio.mediaKey, 'audio');
    const byBaileys = await toBuffer(await downloadEncryptedContent(`${sim.media.url}${audio.directPath}`, keys));
    expect(byBaileys.equals(data)).toBe(true);
    expect((await downloadMedia(sim.media, message)).equals(data)).toBe(true);

    const sent = await encryptedStream(data, 'image');
    const file = await readFile(sent.encFilePath);
    await rm(sent.encFilePath, { force: true });
    const { direct_path } = (await (await upload('image', file)).json()) as { direct_path: string };
    const imageMessage = {
      directPath: direct_path,
      mediaKey: sent.mediaKey,
      fileSha256: sent.fileSha256,
      fileEncSha256: sent.fileEncSha256,
    };
    expect((await downloadMedia(sim.media, { imageMessage })).equals(data)).toBe(true);
  });

  it('answers media_conn, so that Baileys uploads an image its recipient phone decrypts to the same bytes', async () => {
    const me = sim.phone('15550007001');
    const friend = sim.phone('15550007002');
    const linked = await linkedClient(me);
    const data = randomBytes(4000);
    // Baileys uploads over https to the host `media_conn` names; the test sends it there as plain HTTP.
    const { Agent } = await import('node:https');
    const { connect } = await import('node:net');
    class PlainAgent extends Agent {
      override createConnection() {
        return connect({ host: '127.0.0.1', port: Number(new URL(sim.media.url).port) });
      }
    }
    const sentMessage = await sendImageThrough(linked, friend.jid, data, new PlainAgent());
    const received = await friend.waitForMessage((message) => message.id === sentMessage.key.id);
    expect(received.decoded).toMatchObject({ kind: 'media', type: 'image', mimetype: 'image/jpeg' });
    expect((await downloadMedia(sim.media, received.message)).equals(data)).toBe(true);
  });

  it('uploads again on a media retry request, after the file expired, with the same keys', async () => {
    const me = sim.phone('15550007011');
    const friend = sim.phone('15550007012');
    const linked = await linkedClient(me);
    const data = randomBytes(2048);
    const id = await friend.sendMedia(me.number, { type: 'image', data, mimetype: 'image/png', caption: 'look' });
    await linked.until(() => linked.upserts.some((u) => u.messages.some((m) => m.key.id === id)));
    const message = linked.upserts.flatMap((u) => u.messages).find((m) => m.key.id === id)! as WAMessage;
    const first = message.message!.imageMessage!;
    expect(first.caption).toBe('look');
    const expiredPath = first.directPath!;
    sim.media.expire(expiredPath);

    const updated = await linked.sock.updateMediaMessage(message);
    const renewed = updated.message!.imageMessage!;
    expect(renewed.directPath).not.toBe(expiredPath);
    const keys = await getMediaKeys(renewed.mediaKey, 'image');
    const bytes = await toBuffer(await downloadEncryptedContent(`${sim.media.url}${renewed.directPath}`, keys));
    expect(bytes.equals(data)).toBe(true);
  });
});

/** Sends an image through Baileys' own upload (its `waUploadToServer`, as `sendMessage` does) with this agent. */
async function sendImageThrough(linked: TestClient, to: string, data: Buffer, agent: import('node:https').Agent) {
  const { generateWAMessage, getWAUploadToServer } = await import('baileys');
  const { silentLogger } = await import('./silent-logger.js');
  const upload = getWAUploadToServer(
    { customUploadHosts: [], fetchAgent: agent, logger: silentLogger, options: {} } as never,
    linked.sock.refreshMediaConn,
  );
  const message = await generateWAMessage(
    to,
    { image: data, mimetype: 'image/jpeg' },
    { upload, userJid: linked.sock.user!.id, logger: silentLogger },
  );
  await linked.sock.relayMessage(to, message.message!, { messageId: message.key.id! });
  return message;
}
