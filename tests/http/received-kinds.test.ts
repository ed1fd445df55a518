import {
  connectRemoteNetwork,
  createSimulatedNetwork,
  type KirimEvent,
  type OutgoingMedia,
  type SimulatedNetwork,
} from '@kirim/core';
import { serveSimulatedNetwork } from '@kirim/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';
import { linkSession, phoneSequence } from '../support/linking.js';
import { QUICK_SENDS } from '../support/quick-sends.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

const MONAS = { latitude: -6.175392, longitude: 106.827153, name: 'Monas', address: 'Gambir, Jakarta Pusat' };
const CARDS = [
  { name: 'Budi', phone: '6281300000077', organization: 'Toko Budi' },
  { name: 'Sari', phone: '6281300000078', email: 'sari@example.com' },
];
const POLL = { question: 'Lunch on Friday?', options: ['Soto', 'Sate', 'Nasi goreng'] };
// A webhook to a loopback receiver needs the operator's allow flag.
const SETTINGS = { ...QUICK_SENDS, KIRIM_ALLOW_PRIVATE_URLS: 'true', KIRIM_WEBHOOK_POLL_MS: '25' };

/** What `read` gives once it gives something (not false or undefined). */
const settled = <T>(read: () => T | false | undefined | Promise<T | false | undefined>) =>
  eventually(read) as Promise<T>;

const media = (type: OutgoingMedia['type'], mimetype: string, extra: Partial<OutgoingMedia> = {}): OutgoingMedia => ({
  type,
  data: Buffer.from(`${type} bytes`),
  mimetype,
  ...extra,
});

describe.each(DATABASES)(
  'received messages of every kind, and changes to messages, on %s (simulated network)',
  (database) => {
    let t: TestServer;
    let network: SimulatedNetwork;
    const events: KirimEvent[] = [];
    beforeAll(async () => {
      network = createSimulatedNetwork({ latencyMs: 1 });
      t = await startTestServer(database, SETTINGS, { transport: network.transport });
      t.server.kirim.on('*', (event) => void events.push(event));
    });
    afterAll(async () => {
      await t?.close();
    });

    const nextPhone = phoneSequence('62814', database);

    /** A user with a session linked to a fresh phone, and a contact's phone to write to it from. */
    async function chat() {
      const user = await t.createUser();
      const phone = nextPhone();
      const sessionId = await linkSession(t, network, user.token, phone);
      return { user, sessionId, phone, contact: network.phone(nextPhone(), { name: 'Ani' }) };
    }
    /** The session's history of incoming messages, newest first. */
    const received = async (token: string, sessionId: string) =>
      (await t.request('GET', `/api/whatsapp/sessions/${sessionId}/messages?direction=in`, { token })).body
        .data as any[];
    /** The message of the session's history with this WhatsApp id, once it is there. */
    const stored = (token: string, sessionId: string, messageId: string) =>
      eventually(async () =>
        (await t.request('GET', `/api/whatsapp/sessions/${sessionId}/messages`, { token })).body.data.find(
          (m: any) => m.message_id === messageId,
        ),
      );
    /** The events of one type published for a session, once `count` are there. */
    const published = (type: string, sessionId: string, count = 1) =>
      settled<any[]>(() => {
        const found = events.filter(
          (e) => e.type === type && (e.data as { session_id: string }).session_id === sessionId,
        );
        return found.length >= count && found.map((e) => e.data as any);
      });

    it('stores every received kind with its fields and publishes message.received with them', async () => {
      const { user, sessionId, phone, contact } = await chat();
      const kinds = [
        contact.send(phone, 'Halo, Kak'),
        contact.sendMedia(phone, media('image', 'image/jpeg', { caption: 'Foto toko' })),
        contact.sendMedia(phone, media('video', 'video/mp4', { caption: 'Video', seconds: 12 })),
        contact.sendMedia(phone, media('audio', 'audio/mpeg', { seconds: 95, filename: 'lagu.mp3' })),
        contact.sendMedia(phone, media('voice', 'audio/ogg; codecs=opus', { seconds: 4 })),
        contact.sendMedia(phone, media('document', 'application/pdf', { filename: 'katalog.pdf', caption: 'Katalog' })),
        contact.sendMedia(phone, media('sticker', 'image/webp')),
        contact.sendContent(phone, { kind: 'location', ...MONAS }),
        contact.sendContent(phone, { kind: 'contacts', contacts: CARDS }),
        contact.sendContent(phone, { kind: 'poll', ...POLL, multipleAnswers: true }),
      ];
      const history = await settled<any[]>(async () => {
        const messages = await received(user.token, sessionId);
        return messages.length === kinds.length && messages;
      });
      const byId = new Map(history.map((m) => [m.message_id, m]));
      const from = { jid: `${contact.number}@s.whatsapp.net`, phone: contact.number, lid: contact.lid };
      const sizeOf = (type: string) => Buffer.byteLength(`${type} bytes`);
      const mediaOf = (type: string, fields: Record<string, unknown>) => ({
        type,
        mimetype: fields.mimetype,
        size: sizeOf(type),
        filename: fields.filename ?? null,
        seconds: fields.seconds ?? null,
      });
      const expected = [
        { type: 'text', text: 'Halo, Kak', media: null, content: null },
        { type: 'image', text: 'Foto toko', media: mediaOf('image', { mimetype: 'image/jpeg' }), content: null },
        { type: 'video', text: 'Video', media: mediaOf('video', { mimetype: 'video/mp4', seconds: 12 }) },
        {
          type: 'audio',
          text: null,
          media: mediaOf('audio', { mimetype: 'audio/mpeg', seconds: 95, filename: 'lagu.mp3' }),
        },
        { type: 'voice', text: null, media: mediaOf('voice', { mimetype: 'audio/ogg; codecs=opus', seconds: 4 }) },
        {
          type: 'document',
          text: 'Katalog',
          media: mediaOf('document', { mimetype: 'application/pdf', filename: 'katalog.pdf' }),
        },
        { type: 'sticker', text: null, media: mediaOf('sticker', { mimetype: 'image/webp' }) },
        { type: 'location', text: null, media: null, content: { type: 'location', ...MONAS } },
        { type: 'contact', text: null, media: null, content: { type: 'contact', contacts: CARDS } },
        { type: 'poll', text: null, media: null, content: { type: 'poll', ...POLL, multiple_answers: true } },
      ];
      kinds.forEach((messageId, i) =>
        expect(byId.get(messageId)).toMatchObject({
          ...expected[i],
          direction: 'in',
          status: 'received',
          status_history: [{ status: 'received', at: expect.any(String) }],
          reactions: [],
          poll_votes: [],
          edited_at: null,
          revoked_at: null,
        }),
      );
      expect(history.every((m) => !('raw' in m))).toBe(true);

      const announced = new Map(
        (await published('message.received', sessionId, kinds.length)).map((e) => [e.message_id, e]),
      );
      const url = (messageId: string) => `/api/whatsapp/messages/${messageId}/media`;
      const mediaEvent = (i: number) => {
        const { type: _type, ...fields } = expected[i].media!;
        return { ...fields, url: url(kinds[i]) };
      };
      expect(announced.get(kinds[0])).toMatchObject({ type: 'text', text: 'Halo, Kak', from, chat: from.jid });
      expect(announced.get(kinds[0])).not.toHaveProperty('media');
      expect(announced.get(kinds[1])).toMatchObject({ type: 'image', caption: 'Foto toko', media: mediaEvent(1) });
      expect(announced.get(kinds[2])).toMatchObject({ type: 'video', caption: 'Video', media: mediaEvent(2) });
      expect(announced.get(kinds[3])).toMatchObject({ type: 'audio', caption: null, media: mediaEvent(3) });
      expect(announced.get(kinds[4])).toMatchObject({ type: 'voice', media: mediaEvent(4) });
      expect(announced.get(kinds[5])).toMatchObject({ type: 'document', caption: 'Katalog', media: mediaEvent(5) });
      expect(announced.get(kinds[6])).toMatchObject({ type: 'sticker', media: mediaEvent(6) });
      expect(announced.get(kinds[7])).toMatchObject({ type: 'location', ...MONAS });
      expect(announced.get(kinds[8])).toMatchObject({ type: 'contact', contacts: CARDS });
      expect(announced.get(kinds[9])).toMatchObject({
        type: 'poll',
        poll: { ...POLL, multiple_answers: true },
      });
    });

    it('delivers message.received with its kind’s fields, and each change to a message, to a webhook', async () => {
      const { user, sessionId, phone, contact } = await chat();
      const receiver = await startWebhookReceiver();
      try {
        const hook = await t.request('POST', '/api/webhooks', {
          token: user.token,
          body: {
            url: receiver.url,
            events: ['message.received', 'message.reaction', 'message.edited', 'message.revoked', 'poll.vote'],
          },
        });
        expect(hook.status, JSON.stringify(hook.body)).toBe(201);
        const location = contact.sendContent(phone, { kind: 'location', ...MONAS });
        await stored(user.token, sessionId, location);
        contact.react(location, '📍');
        contact.edit(location, 'Monas, pintu barat');
        contact.revoke(location);
        const poll = contact.sendContent(phone, { kind: 'poll', ...POLL, multipleAnswers: false });
        await stored(user.token, sessionId, poll);
        contact.vote(poll, ['Sate']);
        const bodies = (await receiver.waitFor(6)).map((h) => JSON.parse(h.body));
        const from = { jid: `${contact.number}@s.whatsapp.net`, phone: contact.number, lid: null };
        const change = { session_id: sessionId, chat: from.jid, from_me: false };
        expect(bodies.map((b) => b.type).sort()).toEqual(
          [
            'message.received',
            'message.received',
            'message.reaction',
            'message.edited',
            'message.revoked',
            'poll.vote',
          ].sort(),
        );
        const of = (type: string) => bodies.filter((b) => b.type === type).map((b) => b.data);
        expect(of('message.received')).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ message_id: location, type: 'location', ...MONAS }),
            expect.objectContaining({ message_id: poll, type: 'poll', poll: { ...POLL, multiple_answers: false } }),
          ]),
        );
        expect(of('message.reaction')).toEqual([{ ...change, message_id: location, from, emoji: '📍' }]);
        expect(of('message.edited')).toEqual([{ ...change, message_id: location, from, text: 'Monas, pintu barat' }]);
        expect(of('message.revoked')).toEqual([{ ...change, message_id: location, from }]);
        expect(of('poll.vote')).toEqual([{ ...change, message_id: poll, voter: from, selected: ['Sate'] }]);
      } finally {
        await receiver.close();
      }
    });

    it("applies reactions to a sent message: a member's next reaction replaces theirs, an empty emoji removes it", async () => {
      const { user, sessionId, contact } = await chat();
      const res = await t.request('POST', '/api/whatsapp/messages/text', {
        token: user.token,
        body: { session_id: sessionId, to: contact.number, message: 'Pesanan sudah dikirim' },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const messageId: string = res.body.data.message_id;
      await eventually(() => contact.inbox.some((m) => m.messageId === messageId));
      contact.react(messageId, '👍');
      contact.react(messageId, '🙏');
      const reacted = await settled<any>(async () => {
        const message = await stored(user.token, sessionId, messageId);
        return message.reactions[0]?.emoji === '🙏' && message;
      });
      const jid = `${contact.number}@s.whatsapp.net`;
      expect(reacted.reactions).toEqual([{ from: jid, phone: contact.number, emoji: '🙏', at: expect.any(String) }]);
      contact.react(messageId, '');
      await eventually(async () => (await stored(user.token, sessionId, messageId)).reactions.length === 0);
      expect((await published('message.reaction', sessionId, 3)).map((e) => e.emoji)).toEqual(['👍', '🙏', '']);
    });

    it('applies an edit and a delete for everyone from the sender: new text and edited_at, then revoked_at with the text kept', async () => {
      const { user, sessionId, phone, contact } = await chat();
      const messageId = contact.send(phone, 'Saya pesan 2');
      await stored(user.token, sessionId, messageId);
      contact.edit(messageId, 'Saya pesan 3');
      const edited = await settled<any>(async () => {
        const message = await stored(user.token, sessionId, messageId);
        return message.edited_at !== null && message;
      });
      expect(edited).toMatchObject({ text: 'Saya pesan 3', revoked_at: null });
      expect(await published('message.edited', sessionId)).toMatchObject([
        { message_id: messageId, text: 'Saya pesan 3' },
      ]);
      contact.revoke(messageId);
      const revoked = await settled<any>(async () => {
        const message = await stored(user.token, sessionId, messageId);
        return message.revoked_at !== null && message;
      });
      expect(revoked).toMatchObject({ text: 'Saya pesan 3', edited_at: edited.edited_at });
      expect(await published('message.revoked', sessionId)).toMatchObject([{ message_id: messageId }]);
    });

    it("applies votes on a sent poll, each voter's latest, and publishes poll.vote with the option names", async () => {
      const { user, sessionId, contact } = await chat();
      const res = await t.request('POST', '/api/whatsapp/messages/poll', {
        token: user.token,
        body: { session_id: sessionId, to: contact.number, ...POLL, multiple_answers: true },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const pollId: string = res.body.data.message_id;
      await eventually(() => contact.inbox.some((m) => m.messageId === pollId));
      contact.vote(pollId, ['Soto', 'Sate']);
      contact.vote(pollId, ['Nasi goreng']);
      const voted = await settled<any>(async () => {
        const message = await stored(user.token, sessionId, pollId);
        return message.poll_votes[0]?.selected[0] === 'Nasi goreng' && message;
      });
      expect(voted.poll_votes).toEqual([
        {
          voter: `${contact.number}@s.whatsapp.net`,
          phone: contact.number,
          selected: ['Nasi goreng'],
          at: expect.any(String),
        },
      ]);
      expect((await published('poll.vote', sessionId, 2)).map((e) => e.selected)).toEqual([
        ['Soto', 'Sate'],
        ['Nasi goreng'],
      ]);
    });

    it('stores and announces once a message WhatsApp delivers again, and keeps one reaction of a member told twice', async () => {
      const { user, sessionId, phone, contact } = await chat();
      const poll = contact.sendContent(phone, { kind: 'poll', ...POLL, multipleAnswers: false });
      await stored(user.token, sessionId, poll);
      contact.react(poll, '👍');
      await settled(async () => (await stored(user.token, sessionId, poll)).reactions.length === 1);
      network.redeliver(sessionId);
      // The session records what it is told in order: once this later message is stored, the repeats were handled.
      const after = contact.send(phone, 'Sesudahnya');
      await stored(user.token, sessionId, after);
      const history = await received(user.token, sessionId);
      expect(history.map((m) => m.message_id)).toEqual([after, poll]);
      expect(history[1].reactions).toEqual([expect.objectContaining({ emoji: '👍' })]);
      expect((await published('message.received', sessionId, 2)).map((e) => e.message_id)).toEqual([poll, after]);
    });

    it('announces a reaction, an edit, a delete and a vote once when WhatsApp delivers them again', async () => {
      const { user, sessionId, phone, contact } = await chat();
      const text = contact.send(phone, 'Pesan 2 kotak');
      const poll = contact.sendContent(phone, { kind: 'poll', ...POLL, multipleAnswers: false });
      await stored(user.token, sessionId, poll);
      contact.react(text, '👍');
      contact.edit(text, 'Pesan 3 kotak');
      contact.vote(poll, ['Soto']);
      contact.revoke(text);
      await settled(async () => (await stored(user.token, sessionId, text)).revoked_at !== null);
      await settled(async () => (await stored(user.token, sessionId, poll)).poll_votes.length === 1);
      network.redeliver(sessionId);
      // The session records what it is told in order: once this later message is stored, the repeats were handled.
      await stored(user.token, sessionId, contact.send(phone, 'Sesudahnya'));
      for (const type of ['message.reaction', 'message.edited', 'message.revoked', 'poll.vote'])
        expect(await published(type, sessionId), type).toHaveLength(1);
    });

    it('publishes a reaction to a message the session never stored (sent before it was linked), storing nothing', async () => {
      const user = await t.createUser();
      const phone = nextPhone();
      const contact = network.phone(nextPhone());
      const old = contact.send(phone, 'Pesan lama');
      await eventually(() => network.phone(phone).inbox.some((m) => m.messageId === old));
      const sessionId = await linkSession(t, network, user.token, phone);
      contact.react(old, '❤️');
      expect(await published('message.reaction', sessionId)).toMatchObject([{ message_id: old, emoji: '❤️' }]);
      expect(await received(user.token, sessionId)).toEqual([]);
    });
  },
);

describe.each(DATABASES)('changes to messages through the simulated network served on loopback, on %s', (database) => {
  let t: TestServer;
  let network: SimulatedNetwork;
  let served: Awaited<ReturnType<typeof serveSimulatedNetwork>>;
  beforeAll(async () => {
    network = createSimulatedNetwork({ latencyMs: 1 });
    served = await serveSimulatedNetwork(network);
    t = await startTestServer(database, QUICK_SENDS, { transport: connectRemoteNetwork(served.url) });
  });
  afterAll(async () => {
    await t?.close();
    await served?.close();
  });

  it('applies a reaction relayed over loopback (the relay passed on messages but dropped updates)', async () => {
    const user = await t.createUser();
    const phone = phoneSequence('62815', database)();
    const sessionId = await linkSession(t, network, user.token, phone);
    const contact = network.phone(`${phone.slice(0, -1)}9`);
    const messageId = contact.send(phone, 'Halo');
    contact.react(messageId, '👍');
    const message = await settled<any>(async () => {
      const history = (await t.request('GET', `/api/whatsapp/sessions/${sessionId}/messages`, { token: user.token }))
        .body.data as any[];
      return history.find((m) => m.message_id === messageId && m.reactions.length > 0);
    });
    expect(message.reactions).toEqual([expect.objectContaining({ emoji: '👍', phone: contact.number })]);
  });
});
