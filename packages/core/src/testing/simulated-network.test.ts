import { describe, expect, it } from 'vitest';
import type { StoredMessage } from '../transport/transport.js';
import { KirimError } from '../errors.js';
import { memoryAuthStore } from './memory-auth-store.js';
import { ALICE, BUDI, CITRA, lastState, simulate, stateNames, stored } from './simulated-network-test-kit.js';

describe('SimulatedNetwork linking', () => {
  it('shows a QR to a session without credentials and connects it when a phone scans it', async () => {
    const { network, open, settle } = simulate();
    const alice = network.phone(ALICE, { name: 'Alice' });
    alice.addContact(BUDI, 'Budi Office');
    const { events, auth } = await open('s1');

    expect(network.transport.name).toBe('simulated');
    expect(stateNames(events)).toEqual(['connecting', 'qr']);
    const qr = (lastState(events) as { qr: string }).qr;

    await alice.scanQr(qr);
    await settle();

    expect(lastState(events)).toEqual({ state: 'connected', phone: ALICE, lid: alice.lid, name: 'Alice' });
    expect(alice.lid).toMatch(/^\d{15}@lid$/);
    expect(auth.rows.size).toBeGreaterThan(0);
    expect(events.contacts).toEqual([
      [{ jid: `${BUDI}@s.whatsapp.net`, phone: BUDI, lid: network.phone(BUDI).lid, name: 'Budi Office' }],
    ]);
    expect(network.sessions()).toEqual([{ sessionId: 's1', phone: ALICE, state: 'connected' }]);
  });

  it('resumes a linked session from its stored credentials without a QR', async () => {
    const { network, open, linked } = simulate();
    const first = await linked('s1', ALICE);
    await first.connection.close();

    const again = await open('s1', memoryAuthStore(first.auth.rows));

    expect(stateNames(again.events)).toEqual(['connecting', 'connected']);
    expect(lastState(again.events)).toMatchObject({ state: 'connected', phone: ALICE });
    expect(network.sessions()).toEqual([{ sessionId: 's1', phone: ALICE, state: 'connected' }]);
  });

  it('resumes from stored credentials on a fresh network, as the server does after a restart', async () => {
    const before = simulate();
    const { auth } = await before.linked('s1', ALICE);

    const after = simulate();
    const { events } = await after.open('s1', memoryAuthStore(auth.rows));

    expect(lastState(events)).toEqual({
      state: 'connected',
      phone: ALICE,
      lid: after.network.phone(ALICE).lid,
      name: null,
    });
  });

  it('refreshes the QR every 20 s after the first lived 60 s, and fails when the sixth expires', async () => {
    const { clock, open } = simulate();
    const { events } = await open('s1');

    await clock.advance(59_999);
    expect(stateNames(events)).toEqual(['connecting', 'qr']);
    await clock.advance(1);
    expect(stateNames(events)).toEqual(['connecting', 'qr', 'qr']);
    await clock.advance(4 * 20_000);
    const qrs = events.states.flatMap((s) => (s.state === 'qr' ? [s.qr] : []));
    expect(qrs).toHaveLength(6);
    expect(new Set(qrs).size).toBe(6);
    await clock.advance(20_000);

    expect(lastState(events)).toEqual({ state: 'failed', reason: 'The QR code was not scanned in time' });
    await clock.advance(600_000);
    expect(events.states).toHaveLength(8);
  });

  it('refuses a QR that a newer one has replaced', async () => {
    const { clock, network, open } = simulate();
    const { events } = await open('s1');
    const firstQr = (lastState(events) as { qr: string }).qr;
    await clock.advance(60_000);

    await expect(network.phone(ALICE).scanQr(firstQr)).rejects.toThrow(/expired/);
    await network.phone(ALICE).scanQr((lastState(events) as { qr: string }).qr);
  });

  it('links by a pairing code entered on the phone it was requested for', async () => {
    const { network, open, settle } = simulate();
    const { connection, events } = await open('s1');

    const code = await connection.requestPairingCode(ALICE);
    await settle();

    expect(code).toMatch(/^[1-9A-HJ-NP-TV-Z]{8}$/);
    expect(lastState(events)).toEqual({ state: 'pairing_code', code });
    await expect(network.phone(BUDI).enterPairingCode(code)).rejects.toThrow(/another number/);
    await network.phone(ALICE).enterPairingCode(code);
    await settle();
    expect(lastState(events)).toMatchObject({ state: 'connected', phone: ALICE });
  });

  it('rejects a pairing code request once the session is linked', async () => {
    const { linked } = simulate();
    const { connection } = await linked('s1', ALICE);

    await expect(connection.requestPairingCode(ALICE)).rejects.toThrow(/not waiting/);
  });

  it('answers a pairing code request on a link that has moved on with a conflict naming its state, as Baileys does, not a plain Error the API answered 500', async () => {
    const { network, open } = simulate();
    const { connection, events } = await open('s1');
    expect(lastState(events).state).toBe('qr');
    // The engine has not heard yet (its stored status still says qr); the link has moved on.
    network.dropLink('s1');

    const refusal = await connection.requestPairingCode(ALICE).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(KirimError);
    expect(refusal).toMatchObject({
      code: 'conflict',
      message: 'The session is not waiting to be linked: it is disconnected',
    });
  });

  it('links each new session automatically in try-out mode, to a phone derived from the session id', async () => {
    const run = async () => {
      const { clock, open } = simulate({ autoLinkAfterMs: 3_000 });
      const { events } = await open('try-out');
      await clock.advance(2_999);
      expect(stateNames(events)).toEqual(['connecting', 'qr']);
      await clock.advance(1);
      return lastState(events);
    };

    const linkedState = await run();
    expect(linkedState).toMatchObject({ state: 'connected', phone: expect.stringMatching(/^628\d{9}$/) });
    expect(await run()).toEqual(linkedState);
  });

  it('links to the phone a pairing code was requested for in try-out mode', async () => {
    const { clock, open } = simulate({ autoLinkAfterMs: 3_000 });
    const { connection, events } = await open('s1');
    await connection.requestPairingCode(ALICE);

    await clock.advance(3_000);

    expect(lastState(events)).toMatchObject({ state: 'connected', phone: ALICE });
  });
});

describe('SimulatedNetwork sending', () => {
  it('resolves a send with the given id, then reports sent, delivered after the latency and read when the recipient reads', async () => {
    const { clock, network, linked } = simulate({ latencyMs: 100 });
    const { connection, events } = await linked('s1', ALICE);
    const messageId = connection.newMessageId();

    const result = await connection.send(`${BUDI}@s.whatsapp.net`, { kind: 'text', text: 'Halo' }, { messageId });

    expect(result.messageId).toBe(messageId);
    expect(messageId).toMatch(/^3EB0[0-9A-F]{18}$/);
    expect(events.receipts).toEqual([]);
    await clock.advance(100);
    expect(events.receipts.map((r) => r.status)).toEqual(['sent']);
    const budi = network.phone(BUDI);
    expect(budi.inbox).toMatchObject([
      { messageId, from: ALICE, fromSession: 's1', chat: `${ALICE}@s.whatsapp.net`, text: 'Halo' },
    ]);
    await clock.advance(100);
    expect(events.receipts.map((r) => r.status)).toEqual(['sent', 'delivered']);

    expect(budi.read(messageId)).toBe(true);
    expect(budi.read(messageId)).toBe(false);
    await clock.advance(100);
    expect(events.receipts).toEqual([
      { messageId, status: 'sent', chat: `${BUDI}@s.whatsapp.net` },
      { messageId, status: 'delivered', chat: `${BUDI}@s.whatsapp.net` },
      { messageId, status: 'read', chat: `${BUDI}@s.whatsapp.net` },
    ]);
    expect(network.sent).toEqual([
      {
        sessionId: 's1',
        from: ALICE,
        to: `${BUDI}@s.whatsapp.net`,
        messageId,
        kind: 'text',
        content: { kind: 'text', text: 'Halo' },
        type: 'text',
        text: 'Halo',
        media: null,
        quotedId: null,
        mentions: [],
        at: expect.any(Date),
      },
    ]);
  });

  it('sends media with its caption and mentions', async () => {
    const { network, linked, settle } = simulate();
    const { connection } = await linked('s1', ALICE);
    const media = { type: 'image' as const, data: Buffer.from('png'), mimetype: 'image/png', caption: 'Lihat' };

    await connection.send(
      `${BUDI}@s.whatsapp.net`,
      { kind: 'media', media },
      {
        messageId: 'M1',
        mentions: [`${BUDI}@s.whatsapp.net`],
      },
    );
    await settle();

    expect(network.sent[0]).toMatchObject({
      type: 'image',
      text: 'Lihat',
      media,
      mentions: [`${BUDI}@s.whatsapp.net`],
    });
    expect(network.phone(BUDI).inbox[0]).toMatchObject({ type: 'image', text: 'Lihat', media });
  });

  it('keeps a message to a number not on WhatsApp at sent, and answers checkNumbers by onWhatsApp', async () => {
    const { clock, network, linked } = simulate();
    network.phone(CITRA, { onWhatsApp: false });
    const { connection, events } = await linked('s1', ALICE);

    await connection.send(`${CITRA}@s.whatsapp.net`, { kind: 'text', text: 'Halo' }, { messageId: 'M1' });
    await clock.advance(60_000);

    expect(events.receipts.map((r) => r.status)).toEqual(['sent']);
    expect(network.phone(CITRA).inbox).toEqual([]);
    expect(await connection.profiles.checkNumbers([CITRA, BUDI, 'not-a-number'])).toEqual([
      { phone: CITRA, jid: null, exists: false, lid: null },
      { phone: BUDI, jid: `${BUDI}@s.whatsapp.net`, exists: true, lid: network.phone(BUDI).lid },
      { phone: 'not-a-number', jid: null, exists: false, lid: null },
    ]);
  });

  it('rejects a send to something that is not a WhatsApp address', async () => {
    const { linked } = simulate();
    const { connection } = await linked('s1', ALICE);

    await expect(connection.send(BUDI, { kind: 'text', text: 'Halo' }, { messageId: 'M1' })).rejects.toThrow(
      /Not a WhatsApp address/,
    );
  });

  it('holds messages to an off-line phone and delivers them when it comes back', async () => {
    const { network, linked, settle } = simulate();
    const { connection, events } = await linked('s1', ALICE);
    network.setOnline(BUDI, false);

    await connection.send(`${BUDI}@s.whatsapp.net`, { kind: 'text', text: 'Halo' }, { messageId: 'M1' });
    await settle();
    expect(events.receipts.map((r) => r.status)).toEqual(['sent']);
    expect(network.phone(BUDI).online).toBe(false);

    network.setOnline(BUDI, true);
    await settle();
    expect(network.phone(BUDI).inbox.map((m) => m.messageId)).toEqual(['M1']);
    expect(events.receipts.map((r) => r.status)).toEqual(['sent', 'delivered']);
  });

  it('reads messages as they arrive on a phone with autoRead', async () => {
    const { network, linked, settle } = simulate();
    network.phone(BUDI, { autoRead: true });
    const { connection, events } = await linked('s1', ALICE);

    await connection.send(`${BUDI}@s.whatsapp.net`, { kind: 'text', text: 'Halo' }, { messageId: 'M1' });
    await settle();

    expect(events.receipts.map((r) => r.status)).toEqual(['sent', 'delivered', 'read']);
  });

  it("delivers a phone's message with the sender's phone and LID, and carries quotes both ways", async () => {
    const { network, linked, settle } = simulate();
    const budi = network.phone(BUDI, { name: 'Budi' });
    const { connection, events } = await linked('s1', ALICE);

    const askId = budi.send('s1', 'Ada stok?');
    await settle();
    const [ask] = events.messages;
    expect(ask).toMatchObject({
      messageId: askId,
      chat: `${BUDI}@s.whatsapp.net`,
      from: `${BUDI}@s.whatsapp.net`,
      fromPhone: BUDI,
      fromLid: budi.lid,
      fromMe: false,
      pushName: 'Budi',
      type: 'text',
      text: 'Ada stok?',
      quotedMessageId: null,
    });

    await connection.send(ask.chat, { kind: 'text', text: 'Ada' }, { messageId: 'A1', quoted: stored(ask) });
    await settle();
    const [answer] = budi.inbox;
    expect(answer).toMatchObject({ messageId: 'A1', text: 'Ada', quotedId: askId });
    expect(network.sent[0].quotedId).toBe(askId);

    budi.reply(answer, 'Terima kasih');
    await settle();
    expect(events.messages[1]).toMatchObject({ text: 'Terima kasih', quotedMessageId: 'A1' });
  });

  it('quotes through getMessage when the quote has no content, and rejects a quote nothing can serve', async () => {
    const messages = new Map<string, StoredMessage>();
    const { network, linked, settle } = simulate();
    const { connection, events } = await linked('s1', ALICE, async (id) => messages.get(id));
    network.phone(BUDI).send('s1', 'Ada stok?');
    await settle();
    const ask = stored(events.messages[0]);
    messages.set(ask.messageId, ask);

    await connection.send(ask.chat, { kind: 'text', text: 'Ada' }, { messageId: 'A1', quoted: { ...ask, raw: null } });
    await expect(
      connection.send(
        ask.chat,
        { kind: 'text', text: 'Ada' },
        { messageId: 'A2', quoted: { ...ask, messageId: 'UNKNOWN', raw: null } },
      ),
    ).rejects.toThrow(TypeError);
    expect(network.sent.map((s) => s.quotedId)).toEqual([ask.messageId]);
  });

  it('delivers a group message to every other participant and reports read once all have read', async () => {
    const { network, linked, settle } = simulate();
    const group = network.createGroup({ subject: 'Tim', owner: ALICE, participants: [BUDI, CITRA] });
    const { connection, events } = await linked('s1', ALICE);

    await connection.send(group.jid, { kind: 'text', text: 'Rapat jam 3' }, { messageId: 'G1' });
    await settle();

    expect(group.jid).toMatch(/^120363\d{12}@g\.us$/);
    for (const number of [BUDI, CITRA]) {
      expect(network.phone(number).inbox).toMatchObject([{ messageId: 'G1', chat: group.jid, from: ALICE }]);
    }
    expect(network.phone(ALICE).inbox).toEqual([]);
    expect(events.receipts.map((r) => r.status)).toEqual(['sent', 'delivered']);
    network.phone(BUDI).read('G1');
    await settle();
    expect(events.receipts.map((r) => r.status)).toEqual(['sent', 'delivered']);
    network.phone(CITRA).read('G1');
    await settle();
    expect(events.receipts.map((r) => r.status)).toEqual(['sent', 'delivered', 'read']);
  });

  it("delivers a participant's group message to the session, addressed by LID", async () => {
    const { network, linked, settle } = simulate();
    const group = network.createGroup({ subject: 'Tim', owner: BUDI, participants: [ALICE] });
    const { events } = await linked('s1', ALICE);

    network.phone(BUDI).send(group.jid, 'Halo tim');
    await settle();

    expect(events.messages[0]).toMatchObject({
      chat: group.jid,
      from: network.phone(BUDI).lid,
      fromPhone: BUDI,
      text: 'Halo tim',
    });
  });

  it('lists only the groups the linked phone is in, and refuses sends to the others', async () => {
    const { network, linked } = simulate();
    const mine = network.createGroup({ subject: 'Tim', owner: BUDI, participants: [ALICE], description: 'kerja' });
    const other = network.createGroup({ subject: 'Lain', owner: BUDI, participants: [CITRA] });
    const { connection } = await linked('s1', ALICE);

    expect(await connection.groups.list()).toEqual([mine]);
    expect(mine.participants).toEqual([
      { jid: `${BUDI}@s.whatsapp.net`, phone: BUDI, lid: network.phone(BUDI).lid, admin: true },
      { jid: `${ALICE}@s.whatsapp.net`, phone: ALICE, lid: network.phone(ALICE).lid, admin: false },
    ]);
    // As Baileys reports WhatsApp's answer to its group metadata query: a Boom `forbidden` with code 403.
    await expect(connection.send(other.jid, { kind: 'text', text: 'Halo' }, { messageId: 'M1' })).rejects.toMatchObject(
      {
        message: 'forbidden',
        isBoom: true,
        data: 403,
      },
    );
  });

  it('passes messages between two linked sessions', async () => {
    const { linked, settle } = simulate();
    const one = await linked('s1', ALICE);
    const two = await linked('s2', BUDI);

    await one.connection.send(`${BUDI}@s.whatsapp.net`, { kind: 'text', text: 'Halo' }, { messageId: 'M1' });
    await settle();

    expect(two.events.messages).toMatchObject([{ messageId: 'M1', fromPhone: ALICE, text: 'Halo' }]);
    expect(one.events.messages).toEqual([]);
  });
});
