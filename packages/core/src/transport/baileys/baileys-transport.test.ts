import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { linkedSession, makeTransport, messageFromFriend, openSession, sim, useWaSim } from './use-wa-sim.js';

useWaSim();

describe('createBaileysTransport against wa-sim', () => {
  it('links by QR code: reports the QR, then connected with the phone number and LID', async () => {
    const phone = sim.phone('15551110001', { pushName: 'Owner' });
    const session = await openSession();
    const { qr } = await session.state('qr');
    await phone.scanQr(qr);
    const connected = await session.state('connected');
    // The name arrives with the phone's first messages, so it may or may not be known yet.
    expect(connected).toMatchObject({ state: 'connected', phone: '15551110001', lid: phone.lidJid });
    // Restart after pairing is silent: no disconnection is reported.
    expect(session.states.some((s) => s.state === 'disconnected')).toBe(false);
    expect(session.auth.rows.has('creds/creds')).toBe(true);
  });

  it('links by pairing code and reports the code', async () => {
    const phone = sim.phone('15551110002');
    const session = await openSession();
    await session.state('qr');
    const code = await session.connection.requestPairingCode('+1 555 111 0002');
    expect(await session.state('pairing_code')).toEqual({ state: 'pairing_code', code });
    await phone.enterPairingCode(code);
    expect((await session.state('connected')).phone).toBe('15551110002');
  });

  it('reports sent, delivered and read for a text, in that order and once each', async () => {
    const me = sim.phone('15551110003');
    const friend = sim.phone('15551110004');
    const session = await linkedSession(me);
    const messageId = session.connection.newMessageId();

    const result = await session.connection.send(friend.jid, { kind: 'text', text: 'hello' }, { messageId });
    expect(result.messageId).toBe(messageId);
    expect((await friend.waitForMessage((m) => m.id === messageId)).text).toBe('hello');
    await session.until(() => (session.receipts.some((r) => r.status === 'read') ? true : undefined), 'read receipt');
    expect(session.receipts).toEqual([
      { messageId, status: 'sent', chat: friend.jid },
      { messageId, status: 'delivered', chat: friend.jid },
      { messageId, status: 'read', chat: friend.jid },
    ]);
  });

  it('reports an inbound message exactly once, with the sender phone and LID', async () => {
    const { me, friend, session, message } = await messageFromFriend('15551110005', '15551110006', 'hi there', {
      pushName: 'Friend',
    });
    expect(message).toMatchObject({
      chat: friend.jid,
      from: friend.jid,
      fromPhone: friend.number,
      fromLid: friend.lidJid,
      fromMe: false,
      pushName: 'Friend',
      type: 'text',
      text: 'hi there',
      quotedMessageId: null,
    });
    expect(message.raw).toBeTypeOf('string');
    // A later message proves the first one had every chance to be reported twice.
    const next = await friend.sendText(me.number, 'second');
    await session.message(next);
    // Each exactly once, and nothing else: the phone's history-sync notification is not a message.
    expect(session.messages.map((m) => m.messageId)).toEqual([message.messageId, next]);
  });

  it('resolves the phone number of a LID-addressed sender', async () => {
    const { friend, message } = await messageFromFriend('15551110007', '15551110008', 'from a lid', {
      addressing: 'lid',
    });
    expect(message).toMatchObject({ chat: friend.lidJid, fromPhone: friend.number, fromLid: friend.lidJid });
  });

  it('reports messages queued while offline (append) once the session resumes', async () => {
    const me = sim.phone('15551110009');
    const friend = sim.phone('15551110010');
    const first = await linkedSession(me);
    await first.connection.close();
    // The stand-in drops what it sends into a socket it has not yet seen close (it keeps no unacknowledged
    // queue): wait until it counts the device offline, so the message is queued for the next login.
    await first.until(
      () => ([...me.devices.values()].every((device) => !device.online) ? true : undefined),
      'the device offline',
    );

    const id = await friend.sendText(me.number, 'while you were away');
    const resumed = await openSession(first.auth);
    const message = await resumed.message(id);
    expect(message.text).toBe('while you were away');
  });

  it('logout() unlinks the device on the phone, reports logged_out and clears the auth store', async () => {
    const me = sim.phone('15551110013');
    const session = await linkedSession(me);
    await session.connection.logout();
    expect(await session.state('logged_out')).toEqual({ state: 'logged_out', reason: 'logout' });
    expect(session.auth.rows.size).toBe(0);
    expect(me.devices.size).toBe(0);
  });

  it('resumes from the stored auth after close: connected again without a QR code', async () => {
    const me = sim.phone('15551110014');
    const first = await linkedSession(me);
    await first.connection.close();
    expect(first.states.at(-1)).toEqual({ state: 'disconnected', reason: 'closed', attempts: 0, retryAt: null });

    const resumed = await openSession(first.auth, makeTransport());
    expect((await resumed.state('connected')).phone).toBe('15551110014');
    expect(resumed.states.some((s) => s.state === 'qr')).toBe(false);
  });

  it('quotes a stored message: the quote reaches the phone with the quoted id', async () => {
    const { me, friend, session, message: inbound } = await messageFromFriend('15551110015', '15551110016', 'ask');
    const inboundId = inbound.messageId;
    session.stored.set(inbound.messageId, {
      messageId: inbound.messageId,
      chat: inbound.chat,
      fromMe: false,
      raw: inbound.raw,
    });

    const replyId = session.connection.newMessageId();
    await session.connection.send(
      friend.jid,
      { kind: 'text', text: 'answer' },
      {
        messageId: replyId,
        quoted: session.stored.get(inboundId),
      },
    );
    const reply = await friend.waitForMessage((m) => m.id === replyId);
    expect(reply.text).toBe('answer');
    expect(reply.message?.extendedTextMessage?.contextInfo?.stanzaId).toBe(inboundId);

    // A friend's reply quoting ours is reported with the quoted id.
    const answerId = await friend.sendText(me.number, 'thanks', {
      quoted: { id: replyId, text: 'answer', participant: me.jid },
    });
    const answer = await session.message(answerId);
    expect(answer.quotedMessageId).toBe(replyId);
  });

  it("lists groups with each participant's phone and LID, and checks numbers", async () => {
    const me = sim.phone('15551110018');
    const other = sim.phone('15551110019');
    const group = sim.createGroup('Team', other, [me]);
    const session = await linkedSession(me);

    expect(await session.connection.groups.list()).toEqual([
      {
        jid: group.jid,
        subject: 'Team',
        description: null,
        owner: other.jid,
        participants: [
          { jid: other.lidJid, phone: other.number, lid: other.lidJid, admin: true },
          { jid: me.lidJid, phone: me.number, lid: me.lidJid, admin: false },
        ],
        createdAt: expect.any(Date),
      },
    ]);
    expect(await session.connection.profiles.checkNumbers(['+1 555 111 0019', '15559999999'])).toEqual([
      { phone: '15551110019', jid: other.jid, exists: true, lid: other.lidJid },
      { phone: '15559999999', jid: null, exists: false, lid: null },
    ]);
  });

  it('sends to a group and reports its receipts', async () => {
    const me = sim.phone('15551110020');
    const alice = sim.phone('15551110021');
    const group = sim.createGroup('Team', alice, [me]);
    const session = await linkedSession(me);
    const messageId = session.connection.newMessageId();
    await session.connection.send(group.jid, { kind: 'text', text: 'hi team' }, { messageId });
    expect((await alice.waitForMessage((m) => m.id === messageId)).text).toBe('hi team');
    await session.until(() => (session.receipts.some((r) => r.status === 'read') ? true : undefined), 'read receipt');
    expect(session.receipts.map((r) => r.status)).toEqual(['sent', 'delivered', 'read']);
  });

  it('refuses to send while not connected', async () => {
    const session = await openSession();
    await session.state('qr');
    await expect(
      session.connection.send('15550000000@s.whatsapp.net', { kind: 'text', text: 'x' }, { messageId: 'X' }),
    ).rejects.toMatchObject({
      code: 'unavailable',
    });
  });
});

describe('the Baileys transport modules', () => {
  it('import baileys only as types: the package itself is loaded inside connect', () => {
    const directory = new URL('.', import.meta.url);
    const sources = readdirSync(directory).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));
    const valueImports = sources.filter((file) =>
      /^import\s+(?!type\b)[^;]*from\s+'baileys'/m.test(readFileSync(new URL(file, directory), 'utf8')),
    );
    expect(sources).toContain('baileys-transport.ts');
    expect(valueImports).toEqual([]);
  });
});
