import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';
import type { PhoneMedia } from '@kirim/wa-sim';
import { describe, expect, it } from 'vitest';
import { KirimError } from '../../errors.js';
import { MediaGoneError, type StoredMessage } from '../transport.js';
import { createBaileysTransport } from './baileys-transport.js';
import { linkedSession, makeTransport, messageFromFriend, sim, useWaSim } from './use-wa-sim.js';

useWaSim();

/** A session linked to `meNumber` that received media from a friend's phone, kept as the engine stores it. */
async function receivedMedia(meNumber: string, friendNumber: string, media: PhoneMedia) {
  const me = sim.phone(meNumber);
  const friend = sim.phone(friendNumber);
  const session = await linkedSession(me);
  const message = await session.message(await friend.sendMedia(me.number, media));
  const stored: StoredMessage = { messageId: message.messageId, chat: message.chat, fromMe: false, raw: message.raw };
  return { session, stored };
}

describe('Baileys transport: media on demand', () => {
  it("downloads a received image from its stored raw alone and decrypts it as it streams; without the test-only media URL a host that is not WhatsApp's is refused; an unreachable host is unavailable", async () => {
    const data = randomBytes(100_000);
    const { stored } = await receivedMedia('15551140001', '15551140002', {
      type: 'image',
      data,
      mimetype: 'image/jpeg',
    });
    // A transport of its own, never connected: another process sharing the database.
    const download = await makeTransport().downloadMedia(stored);
    expect(download.mimetype).toBe('image/jpeg');
    expect((await buffer(download.data)).equals(data)).toBe(true);
    // wa-sim's URLs name 127.0.0.1, not WhatsApp's hosts: only the test-only route may reach it.
    await expect(createBaileysTransport().downloadMedia(stored)).rejects.toMatchObject({ code: 'not_found' });
    // A media host that cannot be reached is WhatsApp unavailable, not a fault of ours.
    await expect(makeTransport({ mediaUrl: 'http://127.0.0.1:1' }).downloadMedia(stored)).rejects.toMatchObject({
      code: 'unavailable',
    });
  });

  it("fetches nothing from a host the sender named that is not WhatsApp's (an address inside this server's network)", async () => {
    let asked = 0;
    const inside = createServer((_request, response) => {
      asked++;
      response.end('secret');
    });
    await new Promise<void>((resolve) => inside.listen(0, '127.0.0.1', resolve));
    const port = (inside.address() as AddressInfo).port;
    try {
      const { stored } = await receivedMedia('15551140009', '15551140010', {
        type: 'image',
        data: randomBytes(100),
        mimetype: 'image/jpeg',
      });
      // What a sender's phone can write in its own message: a URL alone, or a direct path read as a user name.
      const forged = (fields: Record<string, unknown>): StoredMessage => {
        const raw = JSON.parse(stored.raw!);
        raw.message.imageMessage = { ...raw.message.imageMessage, directPath: undefined, ...fields };
        return { ...stored, raw: JSON.stringify(raw) };
      };
      for (const message of [
        forged({ url: `http://127.0.0.1:${port}/latest/meta-data` }),
        forged({ url: `https://127.0.0.1:${port}/v/t62` }),
        forged({ url: undefined, directPath: `@127.0.0.1:${port}/v/t62` }),
      ]) {
        const refused = await createBaileysTransport()
          .downloadMedia(message)
          .catch((error: unknown) => error);
        expect(refused).toMatchObject({ code: 'not_found', details: { message_id: [expect.any(String)] } });
      }
      expect(asked).toBe(0);
    } finally {
      inside.close();
    }
  });

  it('gives the file name of a document', async () => {
    const data = randomBytes(500);
    const media = { type: 'document', data, mimetype: 'application/pdf', filename: 'nota.pdf' } as const;
    const { stored } = await receivedMedia('15551140003', '15551140004', media);
    const download = await makeTransport().downloadMedia(stored);
    expect(download.filename).toBe('nota.pdf');
    expect((await buffer(download.data)).equals(data)).toBe(true);
  });

  it("rejects with MediaGoneError once WhatsApp's copy expired, and downloads again after the phone uploads it again", async () => {
    const data = randomBytes(3000);
    const { session, stored } = await receivedMedia('15551140005', '15551140006', {
      type: 'voice',
      data,
      mimetype: 'audio/ogg; codecs=opus',
      seconds: 2,
    });
    sim.media.expire(sim.media.uploads.at(-1)!.directPath);
    await expect(makeTransport().downloadMedia(stored)).rejects.toBeInstanceOf(MediaGoneError);

    const raw = await session.connection.refreshMedia(stored);
    expect(raw).not.toBe(stored.raw);
    const download = await makeTransport().downloadMedia({ ...stored, raw });
    expect((await buffer(download.data)).equals(data)).toBe(true);
  });

  it('refuses a message without media as not_found, without asking any host', async () => {
    const { message } = await messageFromFriend('15551140007', '15551140008', 'just text');
    const stored: StoredMessage = { messageId: message.messageId, chat: message.chat, fromMe: false, raw: message.raw };
    const refused = await makeTransport()
      .downloadMedia(stored)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(KirimError);
    expect((refused as KirimError).code).toBe('not_found');
    expect(sim.media.downloadsInFlight).toBe(0);
  });
});
