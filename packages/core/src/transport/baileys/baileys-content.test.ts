import { describe, expect, it } from 'vitest';
import type { OutgoingContent } from '../transport.js';
import { linkedSession, messageFromFriend, openSession, sim, useWaSim } from './use-wa-sim.js';

useWaSim();

/** A session linked to a new phone, with a friend, and a way to send to the friend and read what it decoded. */
async function sessionWithFriend(meNumber: string, friendNumber: string) {
  const me = sim.phone(meNumber);
  const friend = sim.phone(friendNumber);
  const session = await linkedSession(me);
  const send = async (content: OutgoingContent) => {
    const messageId = session.connection.newMessageId();
    const result = await session.connection.send(friend.jid, content, { messageId });
    // The engine stores what it sent; an action on it finds its key there.
    session.stored.set(messageId, { messageId, chat: friend.jid, fromMe: true, raw: result.raw });
    return friend.waitForMessage((m) => m.id === messageId);
  };
  return { me, friend, session, send };
}

describe('Connection.send over Baileys, decoded by wa-sim', () => {
  it('sends a location: the phone decodes a locationMessage with the coordinates, name and address', async () => {
    const { send } = await sessionWithFriend('15551120001', '15551120002');
    const received = await send({
      kind: 'location',
      latitude: -6.175392,
      longitude: 106.827153,
      name: 'Monas',
      address: 'Jakarta',
    });
    expect(received.message?.locationMessage).toBeTruthy();
    expect(received.decoded).toEqual({
      kind: 'location',
      latitude: -6.175392,
      longitude: 106.827153,
      name: 'Monas',
      address: 'Jakarta',
    });
  });

  it('sends contact cards: the phone decodes a vCard per contact, each with its number', async () => {
    const { send } = await sessionWithFriend('15551120003', '15551120004');
    const one = await send({ kind: 'contacts', contacts: [{ name: 'Citra', phone: '+62 811-0000-0003' }] });
    expect(one.decoded).toMatchObject({ kind: 'contacts', displayName: 'Citra' });
    expect(one.decoded.kind === 'contacts' && one.decoded.vcards).toEqual([
      expect.stringContaining('TEL;type=CELL;type=VOICE;waid=6281100000003:+6281100000003'),
    ]);

    const two = await send({
      kind: 'contacts',
      contacts: [
        { name: 'Citra', phone: '6281100000003', organization: 'Toko; Cabang 2', email: 'citra@toko.example' },
        { name: 'Dewi', phone: '6281100000004' },
      ],
    });
    expect(two.message?.contactsArrayMessage).toBeTruthy();
    const vcards = two.decoded.kind === 'contacts' ? two.decoded.vcards : [];
    expect(vcards).toHaveLength(2);
    expect(vcards[0]).toContain('ORG:Toko\\; Cabang 2');
    expect(vcards[0]).toContain('EMAIL;type=INTERNET:citra@toko.example');
    expect(vcards[1]).toContain('waid=6281100000004:+6281100000004');
  });

  it('sends a poll: the phone decodes its question and options, single or multiple choice', async () => {
    const { send } = await sessionWithFriend('15551120005', '15551120006');
    const single = await send({ kind: 'poll', question: 'Warna?', options: ['Merah', 'Biru'], multipleAnswers: false });
    expect(single.decoded).toEqual({
      kind: 'poll',
      question: 'Warna?',
      options: ['Merah', 'Biru'],
      selectableCount: 1,
    });
    // Votes are encrypted with the poll's secret, which travels with it.
    expect(single.message?.messageContextInfo?.messageSecret).toHaveLength(32);

    const multiple = await send({ kind: 'poll', question: 'Ukuran?', options: ['S', 'M', 'L'], multipleAnswers: true });
    expect(multiple.decoded).toEqual({
      kind: 'poll',
      question: 'Ukuran?',
      options: ['S', 'M', 'L'],
      selectableCount: 0,
    });
  });

  it('sends a reaction: the phone decodes a reactionMessage naming the key of the message reacted to', async () => {
    const { send } = await sessionWithFriend('15551120007', '15551120008');
    const original = await send({ kind: 'text', text: 'Pesanan dikirim' });
    const reaction = await send({ kind: 'reaction', messageId: original.id, emoji: '👍' });
    expect(reaction.message?.reactionMessage).toBeTruthy();
    expect(reaction.decoded).toMatchObject({ kind: 'reaction', emoji: '👍', key: { id: original.id, fromMe: true } });
  });

  it("reacts to a received message with its sender's key", async () => {
    const { friend, session, message } = await messageFromFriend('15551120009', '15551120010', 'Ada stok?');
    session.stored.set(message.messageId, {
      messageId: message.messageId,
      chat: message.chat,
      fromMe: false,
      raw: message.raw,
    });
    const messageId = session.connection.newMessageId();
    await session.connection.send(
      friend.jid,
      { kind: 'reaction', messageId: message.messageId, emoji: '❤️' },
      { messageId },
    );
    const reaction = await friend.waitForMessage((m) => m.id === messageId);
    expect(reaction.decoded).toMatchObject({
      kind: 'reaction',
      emoji: '❤️',
      key: { id: message.messageId, fromMe: false, remoteJid: friend.jid },
    });
  });

  it('sends an edit: the phone decodes a MESSAGE_EDIT protocolMessage naming its message, with the new text', async () => {
    const { send } = await sessionWithFriend('15551120011', '15551120012');
    const original = await send({ kind: 'text', text: 'Harga 10rb' });
    const edit = await send({ kind: 'edit', messageId: original.id, text: 'Harga 12rb' });
    expect(edit.decoded).toMatchObject({ kind: 'edit', text: 'Harga 12rb', key: { id: original.id, fromMe: true } });
  });

  it('sends a revoke: the phone decodes a REVOKE protocolMessage naming its message', async () => {
    const { send } = await sessionWithFriend('15551120013', '15551120014');
    const original = await send({ kind: 'text', text: 'Salah kirim' });
    const revoke = await send({ kind: 'revoke', messageId: original.id });
    expect(revoke.decoded).toMatchObject({ kind: 'revoke', key: { id: original.id, fromMe: true } });
  });

  it('forwards a stored message: the phone decodes its content marked forwarded', async () => {
    const { friend, session, message } = await messageFromFriend('15551120015', '15551120016', 'Info promo');
    const other = sim.phone('15551120017');
    const messageId = session.connection.newMessageId();
    await session.connection.send(
      other.jid,
      { kind: 'forward', message: { messageId: message.messageId, chat: friend.jid, fromMe: false, raw: message.raw } },
      { messageId },
    );
    const forwarded = await other.waitForMessage((m) => m.id === messageId);
    expect(forwarded.decoded).toEqual({ kind: 'text', text: 'Info promo' });
    expect(forwarded.message?.extendedTextMessage?.contextInfo?.isForwarded).toBe(true);
  });
});

describe('Connection.markRead over Baileys', () => {
  it("marks a received message read: the sending phone's message turns read", async () => {
    const { friend, session, message } = await messageFromFriend('15551120018', '15551120019', 'Sudah dibaca?');
    expect(friend.sent.get(message.messageId)?.status).not.toBe('read');
    await session.connection.markRead(message.chat, [message.messageId]);
    await session.until(() => (friend.sent.get(message.messageId)?.status === 'read' ? true : undefined), 'read');
  });
});

describe('Connection.sendPresence over Baileys', () => {
  it('shows composing, recording and paused in a chat, as the phone records them', async () => {
    const me = sim.phone('15551120020', { pushName: 'Toko' });
    const friend = sim.phone('15551120021');
    const session = await linkedSession(me);
    await session.connection.sendPresence('composing', friend.jid);
    await session.connection.sendPresence('recording', friend.jid);
    await session.connection.sendPresence('paused', friend.jid);
    // Baileys shows the account's own presence by itself at login: only the chat's states are ours.
    const inChat = () => me.presences.filter((presence) => presence.to === friend.jid);
    await session.until(() => (inChat().length >= 3 ? true : undefined), 'three chat states');
    expect(inChat().map(({ state, to }) => ({ state, to }))).toEqual([
      { state: 'composing', to: friend.jid },
      { state: 'recording', to: friend.jid },
      { state: 'paused', to: friend.jid },
    ]);
  });

  it("shows the account available when asked right after linking, waiting for the phone's first history sync to tell the device the account's name", async () => {
    // Baileys drops an availability without the name; answering that as done would show nothing.
    const me = sim.phone('15551120022', { pushName: 'Toko', initialSyncDelayMs: 1_500 });
    const session = await openSession();
    await me.scanQr((await session.state('qr')).qr);
    await session.state('connected');
    await session.connection.sendPresence('available');
    const shown = () => me.presences.some((presence) => presence.state === 'available' && presence.to === null);
    await session.until(() => (shown() ? true : undefined), 'available shown');
  });
});
