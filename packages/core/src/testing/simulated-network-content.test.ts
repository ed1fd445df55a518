import { describe, expect, it } from 'vitest';
import type { OutgoingContent } from '../transport/transport.js';
import { ALICE, BUDI, CITRA, simulate, stored } from './simulated-network-test-kit.js';

const TO_BUDI = `${BUDI}@s.whatsapp.net`;

describe('SimulatedNetwork: every kind of outgoing content', () => {
  it.each<[string, OutgoingContent, object]>([
    [
      'a text with its link preview',
      { kind: 'text', text: 'Lihat https://toko.example', linkPreview: { url: 'https://toko.example', title: 'Toko' } },
      { type: 'text', text: 'Lihat https://toko.example' },
    ],
    [
      'a voice note, view once',
      {
        kind: 'media',
        media: { type: 'voice', data: Buffer.from('ogg'), mimetype: 'audio/ogg; codecs=opus' },
        viewOnce: true,
      },
      { type: 'voice', text: null },
    ],
    [
      'a sticker',
      { kind: 'media', media: { type: 'sticker', data: Buffer.from('webp'), mimetype: 'image/webp' } },
      { type: 'sticker', text: null },
    ],
    [
      'a location',
      { kind: 'location', latitude: -6.2, longitude: 106.8, name: 'Monas', address: 'Jakarta' },
      { type: 'location', text: null },
    ],
    [
      'contact cards',
      {
        kind: 'contacts',
        contacts: [
          { name: 'Citra', phone: CITRA, organization: 'Toko', email: 'citra@toko.example' },
          { name: 'Alice', phone: ALICE },
        ],
      },
      { type: 'contacts', text: null },
    ],
    [
      'a poll',
      { kind: 'poll', question: 'Warna?', options: ['Merah', 'Biru'], multipleAnswers: true },
      { type: 'poll', text: null },
    ],
  ])('records %s with its kind and fields, and the phone receives it', async (_name, content, shown) => {
    const { network, linked, settle } = simulate();
    const { connection } = await linked('s1', ALICE);

    await connection.send(TO_BUDI, content, { messageId: 'M1' });
    await settle();

    expect(network.sent).toMatchObject([{ sessionId: 's1', messageId: 'M1', kind: content.kind, content, ...shown }]);
    expect(network.phone(BUDI).inbox).toMatchObject([{ messageId: 'M1', content, forwarded: false, ...shown }]);
  });

  it('records a reaction and shows it on the message it names; an empty emoji removes it', async () => {
    const { network, linked, settle } = simulate();
    const { connection } = await linked('s1', ALICE);
    await connection.send(TO_BUDI, { kind: 'text', text: 'Ada' }, { messageId: 'A1' });

    await connection.send(TO_BUDI, { kind: 'reaction', messageId: 'A1', emoji: '❤️' }, { messageId: 'R1' });
    await settle();
    expect(network.sent[1]).toMatchObject({
      messageId: 'R1',
      kind: 'reaction',
      content: { kind: 'reaction', messageId: 'A1', emoji: '❤️' },
    });
    const budi = network.phone(BUDI);
    expect(budi.inbox.map((m) => m.messageId)).toEqual(['A1']);
    expect(budi.inbox[0].reactions).toEqual({ [ALICE]: '❤️' });

    await connection.send(TO_BUDI, { kind: 'reaction', messageId: 'A1', emoji: '' }, { messageId: 'R2' });
    await settle();
    expect(budi.inbox[0].reactions).toEqual({});
  });

  it('records an edit and a revoke, and the phone shows the new text, then the message deleted', async () => {
    const { network, linked, settle } = simulate();
    const { connection } = await linked('s1', ALICE);
    await connection.send(TO_BUDI, { kind: 'text', text: 'Harga 10rb' }, { messageId: 'M1' });

    await connection.send(TO_BUDI, { kind: 'edit', messageId: 'M1', text: 'Harga 12rb' }, { messageId: 'E1' });
    await settle();
    const budi = network.phone(BUDI);
    expect(budi.inbox).toMatchObject([{ messageId: 'M1', text: 'Harga 12rb', edited: true, revoked: false }]);
    expect(network.sent[1]).toMatchObject({ kind: 'edit', type: 'edit', text: 'Harga 12rb' });

    await connection.send(TO_BUDI, { kind: 'revoke', messageId: 'M1' }, { messageId: 'D1' });
    await settle();
    expect(budi.inbox).toMatchObject([{ messageId: 'M1', text: null, revoked: true }]);
    expect(network.sent.map((s) => s.kind)).toEqual(['text', 'edit', 'revoke']);
  });

  it("ignores an edit or revoke of another sender's message", async () => {
    const { network, linked, settle } = simulate();
    const alice = await linked('s1', ALICE);
    const citra = await linked('s2', CITRA);
    await alice.connection.send(TO_BUDI, { kind: 'text', text: 'Asli' }, { messageId: 'M1' });

    await citra.connection.send(TO_BUDI, { kind: 'edit', messageId: 'M1', text: 'Palsu' }, { messageId: 'E1' });
    await citra.connection.send(TO_BUDI, { kind: 'revoke', messageId: 'M1' }, { messageId: 'D1' });
    await settle();

    expect(network.phone(BUDI).inbox).toMatchObject([{ messageId: 'M1', text: 'Asli', edited: false, revoked: false }]);
  });

  it('forwards a stored message with its content, media included, marked forwarded', async () => {
    const { network, linked, settle } = simulate();
    const { connection, events } = await linked('s1', ALICE);
    const media = { type: 'image' as const, data: Buffer.from('png'), mimetype: 'image/png', caption: 'Katalog' };
    network.phone(BUDI).sendMedia('s1', media);
    await settle();

    await connection.send(
      `${CITRA}@s.whatsapp.net`,
      { kind: 'forward', message: stored(events.messages[0]) },
      {
        messageId: 'F1',
      },
    );
    await settle();

    expect(network.sent).toMatchObject([{ messageId: 'F1', kind: 'forward', type: 'image', text: 'Katalog', media }]);
    expect(network.phone(CITRA).inbox).toMatchObject([
      { messageId: 'F1', type: 'image', text: 'Katalog', media, forwarded: true },
    ]);
  });

  it('refuses to forward a message without stored content', async () => {
    const { linked } = simulate();
    const { connection } = await linked('s1', ALICE);
    const message = { messageId: 'UNKNOWN', chat: TO_BUDI, fromMe: false, raw: null };

    await expect(connection.send(TO_BUDI, { kind: 'forward', message }, { messageId: 'F1' })).rejects.toThrow(
      /Cannot forward UNKNOWN/,
    );
  });
});

describe('SimulatedNetwork: markRead and sendPresence', () => {
  it("markRead turns the sender's receipt to read, once, for the messages of that chat only", async () => {
    const { network, linked, settle } = simulate();
    const alice = await linked('s1', ALICE);
    const budi = await linked('s2', BUDI);
    await alice.connection.send(TO_BUDI, { kind: 'text', text: 'Halo' }, { messageId: 'M1' });
    await settle();
    expect(alice.events.receipts.map((r) => r.status)).toEqual(['sent', 'delivered']);

    await budi.connection.markRead(`${CITRA}@s.whatsapp.net`, ['M1']);
    await settle();
    expect(alice.events.receipts.map((r) => r.status)).toEqual(['sent', 'delivered']);

    await budi.connection.markRead(`${ALICE}@s.whatsapp.net`, ['M1']);
    await budi.connection.markRead(`${ALICE}@s.whatsapp.net`, ['M1']);
    await settle();
    expect(alice.events.receipts).toEqual([
      { messageId: 'M1', status: 'sent', chat: TO_BUDI },
      { messageId: 'M1', status: 'delivered', chat: TO_BUDI },
      { messageId: 'M1', status: 'read', chat: TO_BUDI },
    ]);
    expect(network.phone(BUDI).inbox[0].read).toBe(true);
  });

  it('markRead tells a phone that sent the message it was read', async () => {
    const { network, linked, settle } = simulate();
    const { connection } = await linked('s1', ALICE);
    const budi = network.phone(BUDI);
    const id = budi.send('s1', 'Sudah dibaca?');
    await settle();
    expect(budi.readReceipts.has(id)).toBe(false);

    await connection.markRead(`${BUDI}@s.whatsapp.net`, [id]);

    expect(budi.readReceipts.has(id)).toBe(true);
  });

  it('records each presence with its chat, and refuses one while not connected', async () => {
    const { network, linked, open } = simulate();
    const { connection } = await linked('s1', ALICE);

    await connection.sendPresence('composing', TO_BUDI);
    await connection.sendPresence('available');

    expect(network.presences).toEqual([
      { sessionId: 's1', state: 'composing', chat: TO_BUDI, at: expect.any(Date) },
      { sessionId: 's1', state: 'available', chat: null, at: expect.any(Date) },
    ]);
    const waiting = await open('s2');
    await expect(waiting.connection.sendPresence('recording', TO_BUDI)).rejects.toThrow('Connection Closed');
  });
});
