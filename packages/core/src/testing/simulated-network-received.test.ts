import { describe, expect, it } from 'vitest';
import { ALICE, BUDI, CITRA, simulate } from './simulated-network-test-kit.js';

const POLL = { kind: 'poll' as const, question: 'Makan di mana?', options: ['Soto', 'Sate'], multipleAnswers: false };

describe('SimulatedNetwork: what a phone sends a linked session', () => {
  it('tells the session of a location, contact cards, a poll and media with their fields (media: WhatsApp’s description)', async () => {
    const { network, linked, settle } = simulate();
    const { events } = await linked('s1', ALICE);
    const budi = network.phone(BUDI);
    budi.sendContent(ALICE, { kind: 'location', latitude: -6.2, longitude: 106.8, name: 'Monas' });
    budi.sendContent(ALICE, { kind: 'contacts', contacts: [{ name: 'Citra', phone: CITRA }] });
    budi.sendContent(ALICE, POLL);
    const voice = { type: 'voice' as const, data: Buffer.from('ogg!'), mimetype: 'audio/ogg; codecs=opus', seconds: 3 };
    budi.sendMedia(ALICE, voice);
    await settle();
    expect(events.messages.map(({ type, text, media, content }) => ({ type, text, media, content }))).toEqual([
      {
        type: 'location',
        text: null,
        media: null,
        content: { kind: 'location', latitude: -6.2, longitude: 106.8, name: 'Monas' },
      },
      {
        type: 'contact',
        text: null,
        media: null,
        content: { kind: 'contacts', contacts: [{ name: 'Citra', phone: CITRA }] },
      },
      { type: 'poll', text: null, media: null, content: POLL },
      {
        type: 'voice',
        text: null,
        media: { mimetype: 'audio/ogg; codecs=opus', size: 4, filename: null, seconds: 3 },
        content: null,
      },
    ]);
  });

  it('tells the session of reactions, edits, deletes and poll votes on messages, as updates', async () => {
    const { network, linked, settle } = simulate();
    const { connection, events } = await linked('s1', ALICE);
    const budi = network.phone(BUDI);
    const text = budi.send(ALICE, 'Halo');
    const { messageId: poll } = await connection.send(`${BUDI}@s.whatsapp.net`, POLL, { messageId: 'POLL-1' });
    await settle();
    budi.react(text, '👍');
    budi.edit(text, 'Halo, Kak');
    budi.revoke(text);
    budi.vote(poll, ['Sate']);
    await settle();
    const from = { chat: `${BUDI}@s.whatsapp.net`, from: `${BUDI}@s.whatsapp.net`, fromPhone: BUDI, fromMe: false };
    expect(events.updates).toEqual([
      { ...from, at: expect.any(Date), messageId: text, kind: 'reaction', emoji: '👍' },
      { ...from, at: expect.any(Date), messageId: text, kind: 'edit', text: 'Halo, Kak' },
      { ...from, at: expect.any(Date), messageId: text, kind: 'revoke' },
      { ...from, at: expect.any(Date), messageId: poll, kind: 'poll_vote', selected: ['Sate'] },
    ]);
  });

  it("refuses a phone's edit of a message it did not send, and a vote for an option the poll does not have", async () => {
    const { network, linked, settle } = simulate();
    const { connection } = await linked('s1', ALICE);
    const { messageId } = await connection.send(`${BUDI}@s.whatsapp.net`, POLL, { messageId: 'POLL-1' });
    await settle();
    const budi = network.phone(BUDI);
    expect(() => budi.edit(messageId, 'mine now')).toThrow(/only its sender/);
    expect(() => budi.vote(messageId, ['Bakso'])).toThrow(/no option Bakso/);
  });

  it('delivers every message and change again on redeliver', async () => {
    const { network, linked, settle } = simulate();
    const { events } = await linked('s1', ALICE);
    const budi = network.phone(BUDI);
    const text = budi.send(ALICE, 'Halo');
    await settle();
    budi.react(text, '👍');
    await settle();
    network.redeliver('s1');
    await settle();
    expect(events.messages.map((m) => m.messageId)).toEqual([text, text]);
    expect(events.updates.map((u) => u.messageId)).toEqual([text, text]);
  });
});
