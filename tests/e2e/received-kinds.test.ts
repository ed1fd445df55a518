// The real path for everything received: a wa-sim phone sends each kind and changes messages, unmodified Baileys
// receives them in the reference server, and the test reads them back through the HTTP API and the event stream.
import {
  editMessage,
  react,
  revokeMessage,
  sendContacts,
  sendLocation,
  sendPoll,
  votePoll,
  type WaSim,
} from '@kirim/wa-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES, type TestServer } from '../support/harness.js';
import { QUICK_SENDS } from '../support/quick-sends.js';
import { openSse, type SseClient } from '../support/sse-client.js';
import { startServerOverWaSim } from '../support/wa-sim-server.js';

describe.each(DATABASES)(
  'received kinds and changes over Baileys and wa-sim, read through the HTTP API on %s',
  (database) => {
    let sim: WaSim;
    let t: TestServer;
    let events: SseClient;
    beforeAll(async () => {
      ({ sim, t } = await startServerOverWaSim(database, QUICK_SENDS));
      events = await openSse(`${t.url}/api/events`, { authorization: `Bearer ${t.adminToken}` });
    });
    afterAll(async () => {
      events?.close();
      await t?.close();
      await sim?.close();
    });

    const suffix = database === 'sqlite' ? '501' : '601';
    const status = async (id: string) => (await t.request('GET', `/api/whatsapp/sessions/${id}/status`)).body.data;

    /** A session linked to a new phone, and a customer's phone to send from. */
    async function linkedSession(name: string, digit: string) {
      const phone = sim.phone(`62812000${digit}${suffix}`);
      const customer = sim.phone(`62819999${digit}${suffix}`, { pushName: 'Pelanggan' });
      const id = (await t.request('POST', '/api/whatsapp/sessions', { body: { session_name: name } })).body.data.id;
      await phone.scanQr(await eventually(async () => (await status(id)).qr, 10_000));
      await eventually(async () => (await status(id)).status === 'connected', 15_000);
      return { id, phone, customer };
    }

    /** The data of the first event of `name` about `messageId` matching `match`. */
    async function event(
      name: string,
      messageId: string,
      match: (data: Record<string, unknown>) => boolean = () => true,
    ) {
      const [frame] = await events.waitFor(
        1,
        (f) => {
          if (f.event !== name || !f.data) return false;
          const data = JSON.parse(f.data).data;
          return data.message_id === messageId && match(data);
        },
        15_000,
      );
      return JSON.parse(frame!.data!).data;
    }

    /** The stored message with this WhatsApp id, by the session's history. */
    async function inHistory(sessionId: string, messageId: string) {
      return eventually(async () => {
        const page = await t.request('GET', `/api/whatsapp/sessions/${sessionId}/messages?direction=in&per_page=100`);
        return page.body.data.find((m: { message_id: string }) => m.message_id === messageId);
      }, 15_000);
    }

    const message = async (messageId: string) =>
      (await t.request('GET', `/api/whatsapp/messages/${encodeURIComponent(messageId)}`)).body.data;

    it('a location, contact cards, a poll and a text from a phone are stored and published with their fields', async () => {
      const { id, phone, customer } = await linkedSession('received', '1');
      const from = { jid: customer.jid, phone: customer.number };

      const location = { latitude: -6.175392, longitude: 106.827153, name: 'Monas', address: 'Gambir, Jakarta Pusat' };
      const locationId = await sendLocation(customer, phone.jid, location);
      expect(await event('message.received', locationId)).toMatchObject({
        session_id: id,
        type: 'location',
        from,
        ...location,
      });
      expect(await inHistory(id, locationId)).toMatchObject({
        type: 'location',
        content: { type: 'location', ...location },
      });

      const cards = [
        { name: 'Budi Santoso', phone: '6289876543210', organization: 'Toko Maju', email: 'budi@toko.example' },
        { name: 'Dewi', phone: '6281100000004' },
      ];
      const cardsId = await sendContacts(customer, phone.jid, cards);
      expect(await event('message.received', cardsId)).toMatchObject({ type: 'contact', contacts: cards });
      expect(await inHistory(id, cardsId)).toMatchObject({
        type: 'contact',
        content: { type: 'contact', contacts: cards },
      });

      const poll = { question: 'Lunch on Friday?', options: ['Soto', 'Sate', 'Nasi goreng'] };
      const pollId = await sendPoll(customer, phone.jid, poll);
      expect(await event('message.received', pollId)).toMatchObject({
        type: 'poll',
        poll: { ...poll, multiple_answers: false },
      });
      expect(await inHistory(id, pollId)).toMatchObject({
        type: 'poll',
        content: { type: 'poll', ...poll, multiple_answers: false },
      });

      const textId = await customer.sendText(phone.jid, 'Halo, masih buka?');
      expect(await event('message.received', textId)).toMatchObject({ type: 'text', text: 'Halo, masih buka?', from });
      expect(await inHistory(id, textId)).toMatchObject({ type: 'text', text: 'Halo, masih buka?', content: null });
    });

    it("a phone's reaction, edit and delete change the stored message and are published", async () => {
      const { id, phone, customer } = await linkedSession('changes', '2');
      const sent = await t.request('POST', '/api/whatsapp/messages/text', {
        body: { session_id: id, to: customer.number, message: 'Pesanan Anda dikirim' },
      });
      expect(sent.status).toBe(200);
      const ours = sent.body.data.message_id as string;
      await customer.waitForMessage((m) => m.id === ours, 10_000);
      await react(customer, phone.jid, ours, '👍');
      expect(await event('message.reaction', ours)).toMatchObject({
        session_id: id,
        emoji: '👍',
        from_me: false,
        from: { jid: customer.jid, phone: customer.number },
      });
      await eventually(async () => (await message(ours)).reactions.length === 1, 10_000);
      expect((await message(ours)).reactions).toEqual([
        expect.objectContaining({ from: customer.jid, phone: customer.number, emoji: '👍' }),
      ]);

      const theirs = await customer.sendText(phone.jid, 'Harga 10rb');
      await inHistory(id, theirs);
      // The account's own phone reacts too: its linked device (the session) gets a copy, reported as its own.
      await react(phone, customer.jid, theirs, '🙏', { toOwnDevices: true });
      expect(await event('message.reaction', theirs)).toMatchObject({ emoji: '🙏', from_me: true, chat: customer.jid });
      await eventually(async () => (await message(theirs)).reactions.length === 1, 10_000);
      await editMessage(customer, phone.jid, theirs, 'Harga 12rb');
      expect(await event('message.edited', theirs)).toMatchObject({ text: 'Harga 12rb', from_me: false });
      expect(await message(theirs)).toMatchObject({ text: 'Harga 12rb', edited_at: expect.any(String) });

      await revokeMessage(customer, phone.jid, theirs);
      expect(await event('message.revoked', theirs)).toMatchObject({ session_id: id, from_me: false });
      expect(await message(theirs)).toMatchObject({ revoked_at: expect.any(String) });
    });

    it("a phone's vote on a poll sent through the API is decrypted to the option names and shown on the message", async () => {
      const { id, phone, customer } = await linkedSession('votes', '3');
      const sent = await t.request('POST', '/api/whatsapp/messages/poll', {
        body: {
          session_id: id,
          to: customer.number,
          question: 'Ukuran?',
          options: ['S', 'M', 'L'],
          multiple_answers: true,
        },
      });
      expect(sent.status).toBe(200);
      const pollId = sent.body.data.message_id as string;
      await customer.waitForMessage((m) => m.id === pollId, 10_000);

      await votePoll(customer, phone.jid, pollId, ['L', 'M']);
      expect(await event('poll.vote', pollId)).toMatchObject({
        session_id: id,
        voter: { jid: customer.jid, phone: customer.number },
        selected: ['M', 'L'],
        from_me: false,
      });
      await eventually(async () => (await message(pollId)).poll_votes.length === 1, 10_000);
      expect((await message(pollId)).poll_votes).toEqual([
        expect.objectContaining({ voter: customer.jid, phone: customer.number, selected: ['M', 'L'] }),
      ]);

      // A changed vote replaces the voter's earlier one.
      await votePoll(customer, phone.jid, pollId, ['S']);
      await event('poll.vote', pollId, (data) => (data.selected as string[])[0] === 'S');
      await eventually(async () => (await message(pollId)).poll_votes[0]?.selected[0] === 'S', 10_000);
      expect((await message(pollId)).poll_votes).toEqual([
        expect.objectContaining({ voter: customer.jid, selected: ['S'] }),
      ]);
    });
  },
);
