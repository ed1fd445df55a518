import {
  editMessage,
  encryptPollVote,
  react,
  revokeMessage,
  sendContacts,
  sendLocation,
  sendPoll,
  votePoll,
  type SimPhone,
} from '@kirim/wa-sim';
import { describe, expect, it } from 'vitest';
import type { IncomingMessage, OutgoingContent } from '../transport.js';
import { loadBaileys } from './baileys-module.js';
import { deserialiseMessage } from './message-mapping.js';
import { linkedSession, sim, useWaSim } from './use-wa-sim.js';

useWaSim();
const baileys = await loadBaileys();

/** A session linked to a new phone, a friend's phone, and ways to send and to keep what arrives as the engine does. */
async function sessionWithFriend(meNumber: string, friendNumber: string, friendAddressing: 'pn' | 'lid' = 'pn') {
  const me = sim.phone(meNumber);
  const friend = sim.phone(friendNumber, { addressing: friendAddressing });
  const session = await linkedSession(me);
  /** The engine stores what it receives: a vote on a received poll is decrypted with the poll as stored. */
  const received = async (messageId: string): Promise<IncomingMessage> => {
    const message = await session.message(messageId);
    session.stored.set(messageId, { messageId, chat: message.chat, fromMe: message.fromMe, raw: message.raw });
    return message;
  };
  const send = async (content: OutgoingContent) => {
    const messageId = session.connection.newMessageId();
    const result = await session.connection.send(friend.jid, content, { messageId });
    session.stored.set(messageId, { messageId, chat: friend.jid, fromMe: true, raw: result.raw });
    await friend.waitForMessage((m) => m.id === messageId);
    return { messageId, raw: result.raw };
  };
  return { me, friend, session, received, send };
}

describe('Received kinds over Baileys, sent by a wa-sim phone', () => {
  it('reports a location with its coordinates, name and address', async () => {
    const { me, friend, received } = await sessionWithFriend('15551130001', '15551130002');
    const id = await sendLocation(friend, me.jid, {
      latitude: -6.175392,
      longitude: 106.827153,
      name: 'Monas',
      address: 'Jakarta',
    });
    const message = await received(id);
    expect(message).toMatchObject({ type: 'location', text: null, media: null, fromPhone: friend.number });
    expect(message.content).toEqual({
      kind: 'location',
      latitude: -6.175392,
      longitude: 106.827153,
      name: 'Monas',
      address: 'Jakarta',
    });
  });

  it("reports contact cards read from the phone's vCards: name, number from waid, organization and email", async () => {
    const { me, friend, received } = await sessionWithFriend('15551130003', '15551130004');
    const one = await received(await sendContacts(friend, me.jid, [{ name: 'Citra', phone: '6281100000003' }]));
    expect(one.type).toBe('contact');
    expect(one.content).toEqual({ kind: 'contacts', contacts: [{ name: 'Citra', phone: '6281100000003' }] });

    const several = await received(
      await sendContacts(friend, me.jid, [
        { name: 'Citra', phone: '6281100000003', organization: 'Toko Maju', email: 'citra@toko.example' },
        { name: 'Dewi', phone: '6281100000004' },
      ]),
    );
    expect(several.content).toEqual({
      kind: 'contacts',
      contacts: [
        { name: 'Citra', phone: '6281100000003', organization: 'Toko Maju', email: 'citra@toko.example' },
        { name: 'Dewi', phone: '6281100000004' },
      ],
    });
  });

  it('reports a poll with its question, its options and whether several answers are allowed', async () => {
    const { me, friend, received } = await sessionWithFriend('15551130005', '15551130006');
    const single = await received(await sendPoll(friend, me.jid, { question: 'Warna?', options: ['Merah', 'Biru'] }));
    expect(single.type).toBe('poll');
    expect(single.content).toEqual({
      kind: 'poll',
      question: 'Warna?',
      options: ['Merah', 'Biru'],
      multipleAnswers: false,
    });
    const multiple = await received(
      await sendPoll(friend, me.jid, { question: 'Ukuran?', options: ['S', 'M', 'L'], selectableCount: 0 }),
    );
    expect(multiple.content).toMatchObject({ kind: 'poll', multipleAnswers: true });
  });

  it("reads a received poll's secret back from its raw as bytes (protobuf content stores them as base64), and a sent poll's as Baileys made it", async () => {
    const { me, friend, received, send } = await sessionWithFriend('15551130007', '15551130008');
    const pollId = await sendPoll(friend, me.jid, { question: 'Warna?', options: ['Merah', 'Biru'] });
    const incoming = await received(pollId);
    const phoneSecret = friend.sent.get(pollId)?.message.messageContextInfo?.messageSecret;
    expect(secretOf(incoming.raw)).toEqual(Buffer.from(phoneSecret!));

    const sent = await send({ kind: 'poll', question: 'Ukuran?', options: ['S', 'M'], multipleAnswers: false });
    const decoded = friend.received.find((m) => m.id === sent.messageId);
    expect(secretOf(sent.raw)).toHaveLength(32);
    expect(secretOf(sent.raw)).toEqual(Buffer.from(decoded!.message!.messageContextInfo!.messageSecret!));
  });

  it('reports media of each kind with its mimetype, size, file name and length; a voice note as voice', async () => {
    const { me, friend, received } = await sessionWithFriend('15551130023', '15551130024');
    const data = Buffer.from('not really a picture, but bytes all the same');
    const kinds = [
      { type: 'image', mimetype: 'image/jpeg', caption: 'Foto' },
      { type: 'video', mimetype: 'video/mp4', seconds: 12 },
      { type: 'audio', mimetype: 'audio/mpeg', seconds: 30 },
      { type: 'voice', mimetype: 'audio/ogg; codecs=opus', seconds: 4 },
      { type: 'document', mimetype: 'application/pdf', filename: 'nota.pdf', caption: 'Nota' },
      { type: 'sticker', mimetype: 'image/webp' },
    ] as const;
    for (const media of kinds) {
      const message = await received(await friend.sendMedia(me.jid, { ...media, data }));
      expect(message).toMatchObject({
        type: media.type,
        text: 'caption' in media ? media.caption : null,
        media: {
          mimetype: media.mimetype,
          size: data.length,
          filename: 'filename' in media ? media.filename : null,
          seconds: 'seconds' in media ? media.seconds : null,
        },
        content: null,
      });
    }
  });

  it('reports a text as a text, not as a change to another message', async () => {
    const { me, friend, session, received } = await sessionWithFriend('15551130009', '15551130010');
    const message = await received(await friend.sendText(me.jid, 'Halo'));
    expect(message).toMatchObject({ type: 'text', text: 'Halo', media: null, content: null });
    expect(session.updates).toEqual([]);
  });
});

describe('Updates of messages over Baileys, made on a wa-sim phone', () => {
  it('reports a reaction to a message the session sent, and an empty reaction as its removal', async () => {
    const { me, friend, session, send } = await sessionWithFriend('15551130011', '15551130012');
    const { messageId } = await send({ kind: 'text', text: 'Pesanan dikirim' });
    await react(friend, me.jid, messageId, '👍');
    expect(await session.update(messageId)).toMatchObject({
      kind: 'reaction',
      emoji: '👍',
      messageId,
      chat: friend.jid,
      from: friend.jid,
      fromPhone: friend.number,
      fromMe: false,
    });
    await react(friend, me.jid, messageId, '');
    expect(await session.update(messageId, 1)).toMatchObject({ kind: 'reaction', emoji: '', messageId });
    expect(session.messages).toEqual([]);
  });

  it('reports an edit of a received message with its new text, and a revoke', async () => {
    const { me, friend, session, received } = await sessionWithFriend('15551130013', '15551130014');
    const messageId = await friend.sendText(me.jid, 'Harga 10rb');
    await received(messageId);
    await editMessage(friend, me.jid, messageId, 'Harga 12rb');
    expect(await session.update(messageId)).toMatchObject({ kind: 'edit', text: 'Harga 12rb', fromMe: false });
    await revokeMessage(friend, me.jid, messageId);
    expect(await session.update(messageId, 1)).toMatchObject({ kind: 'revoke', fromPhone: friend.number });
    expect(session.updates).toHaveLength(2);
    expect(session.messages.map((m) => m.messageId)).toEqual([messageId]);
  });

  it.each(['pn', 'lid'] as const)(
    'decrypts a vote on a poll the session sent to the option names (votes encrypted under %s JIDs)',
    async (addressing) => {
      const { me, friend, session, send } = await sessionWithFriend('15551130015', '15551130016', addressing);
      const { messageId } = await send({
        kind: 'poll',
        question: 'Ukuran?',
        options: ['S', 'M', 'L'],
        multipleAnswers: true,
      });
      await votePoll(friend, me.jid, messageId, ['L', 'S']);
      expect(await session.update(messageId)).toMatchObject({
        kind: 'poll_vote',
        selected: ['S', 'L'],
        fromPhone: friend.number,
        fromMe: false,
      });
      await votePoll(friend, me.jid, messageId, []);
      expect(await session.update(messageId, 1)).toMatchObject({ kind: 'poll_vote', selected: [] });
    },
  );

  it('decrypts a vote on a poll the phone sent, with the creator named by LID and the voter by number', async () => {
    const { me, friend, session, received } = await sessionWithFriend('15551130017', '15551130018');
    const pollId = await sendPoll(friend, me.jid, { question: 'Warna?', options: ['Merah', 'Biru'] });
    await received(pollId);
    // Real clients have been seen to mix the two (WhiskeySockets/Baileys#2342): each pair is tried.
    await voteMixed(friend, me, pollId, ['Biru']);
    expect(await session.update(pollId)).toMatchObject({ kind: 'poll_vote', selected: ['Biru'] });
  });

  it('reports nothing for a vote on a poll it has not stored (it cannot be decrypted), and no message', async () => {
    const { me, friend, session } = await sessionWithFriend('15551130019', '15551130020');
    const pollId = await sendPoll(friend, me.jid, { question: 'Warna?', options: ['Merah', 'Biru'] });
    await session.message(pollId);
    await votePoll(friend, me.jid, pollId, ['Merah']);
    // A text after the vote arrives after it: by then the vote was handled.
    await session.message(await friend.sendText(me.jid, 'sesudah'));
    expect(session.updates).toEqual([]);
    expect(session.messages).toHaveLength(2);
  });

  it("reports the account's own phone's poll, reaction and vote with fromMe true", async () => {
    const { me, friend, session, received } = await sessionWithFriend('15551130021', '15551130022');
    const question = { question: 'Warna?', options: ['Merah', 'Biru'] };
    const pollId = await sendPoll(me, friend.jid, question, { toOwnDevices: true });
    expect(await received(pollId)).toMatchObject({ type: 'poll', fromMe: true, chat: friend.jid });
    await react(me, friend.jid, pollId, '🔥', { toOwnDevices: true });
    expect(await session.update(pollId)).toMatchObject({
      kind: 'reaction',
      emoji: '🔥',
      fromMe: true,
      chat: friend.jid,
      fromPhone: me.number,
    });
    await votePoll(me, friend.jid, pollId, ['Merah'], { toOwnDevices: true });
    expect(await session.update(pollId, 1)).toMatchObject({ kind: 'poll_vote', selected: ['Merah'], fromMe: true });
  });
});

describe('Updates of messages in a group over Baileys', () => {
  it.each(['lid', 'pn'] as const)(
    "decrypts a member's vote on the session's poll, and reports their reaction, in a %s-addressed group",
    async (addressing) => {
      const me = sim.phone(addressing === 'lid' ? '15551130031' : '15551130033');
      const member = sim.phone(addressing === 'lid' ? '15551130032' : '15551130034');
      const group = sim.createGroup('Toko', member, [me], addressing);
      const session = await linkedSession(me);
      const pollId = session.connection.newMessageId();
      const poll: OutgoingContent = {
        kind: 'poll',
        question: 'Buka jam?',
        options: ['8', '9'],
        multipleAnswers: false,
      };
      const { raw } = await session.connection.send(group.jid, poll, { messageId: pollId });
      session.stored.set(pollId, { messageId: pollId, chat: group.jid, fromMe: true, raw });
      await member.waitForMessage((m) => m.id === pollId);

      await votePoll(member, group.jid, pollId, ['9']);
      const from = group.addressOf(member);
      expect(await session.update(pollId)).toMatchObject({
        kind: 'poll_vote',
        selected: ['9'],
        chat: group.jid,
        from,
        fromPhone: member.number,
        fromMe: false,
      });
      await react(member, group.jid, pollId, '👌');
      expect(await session.update(pollId, 1)).toMatchObject({ kind: 'reaction', emoji: '👌', from, chat: group.jid });
    },
  );
});

/** The secret a stored poll's votes are encrypted with. */
function secretOf(raw: string | null): Buffer | undefined {
  const secret = raw ? deserialiseMessage(baileys, raw).message?.messageContextInfo?.messageSecret : undefined;
  return secret ? Buffer.from(secret) : undefined;
}

/** A vote whose creator is named by LID and voter by phone number. */
async function voteMixed(voter: SimPhone, chat: SimPhone, pollId: string, selected: string[]) {
  const secret = voter.sent.get(pollId)!.message.messageContextInfo!.messageSecret!;
  const vote = encryptPollVote(selected, { pollId, secret, creatorJid: voter.lidJid, voterJid: voter.jid });
  await voter.sendMessage(chat.jid, {
    pollUpdateMessage: { pollCreationMessageKey: { remoteJid: chat.jid, fromMe: true, id: pollId }, vote },
  });
}
