import { readdirSync, readFileSync } from 'node:fs';
import { startWaSim, type SimPhone, type WaSim } from '@kirim/wa-sim';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../testing/manual-clock.js';
import { memoryAuthStore } from '../../testing/memory-auth-store.js';
import { recordingListener } from '../../testing/recording-listener.js';
import type { Connection, LinkState, StoredMessage, Transport } from '../transport.js';
import { createBaileysTransport, type BaileysTransportOptions } from './baileys-transport.js';

/** Records everything a connection reports, with ways to wait for it. */
function waitingListener() {
  const listener = recordingListener();
  const { states, receipts, messages } = listener;
  const until = async <T>(probe: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; states: ${JSON.stringify(states.map((s) => s.state))}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return {
    listener,
    states,
    receipts,
    messages,
    until,
    /** The first state (after `from`, an index into `states`) of this kind. */
    state: <K extends LinkState['state']>(kind: K, from = 0) =>
      until(
        () => states.slice(from).find((s): s is Extract<LinkState, { state: K }> => s.state === kind),
        `state ${kind}`,
      ),
    /** The incoming message with this id, once reported. */
    message: (messageId: string) =>
      until(() => messages.find((m) => m.messageId === messageId), `message ${messageId}`),
  };
}

let sim: WaSim;
let transport: Transport;
const connections: Connection[] = [];

function makeTransport(options: BaileysTransportOptions = {}): Transport {
  return createBaileysTransport({
    waWebSocketUrl: sim.url,
    connectTimeoutMs: 3_000,
    backoff: { minMs: 50, maxMs: 200 },
    ...options,
  });
}

/** A session on the transport, with its auth store, listener and message store. */
async function openSession(auth = memoryAuthStore(), onTransport = transport) {
  const recorder = waitingListener();
  const stored = new Map<string, StoredMessage>();
  const connection = await onTransport.connect({
    sessionId: 'session-1',
    auth,
    listener: recorder.listener,
    getMessage: async (id) => stored.get(id),
  });
  connections.push(connection);
  return { connection, auth, stored, ...recorder };
}

/**
 * Links a new session to the phone by QR code and waits until it is connected and Baileys has done
 * its initial sync (the stored credentials count it): until then Baileys holds events back and folds
 * them, so a delivered receipt could be folded into the read one.
 */
async function linkedSession(phone: SimPhone) {
  const session = await openSession();
  const { qr } = await session.state('qr');
  await phone.scanQr(qr);
  await session.state('connected');
  await session.until(() => {
    const creds = session.auth.rows.get('creds/creds');
    return creds && (JSON.parse(creds) as { accountSyncCounter?: number }).accountSyncCounter ? true : undefined;
  }, 'initial sync');
  return session;
}

/** A session linked to phone `meNumber`, which has received `text` from a friend (phone `friendNumber`). */
async function messageFromFriend(
  meNumber: string,
  friendNumber: string,
  text: string,
  friendOptions?: Parameters<WaSim['phone']>[1],
) {
  const me = sim.phone(meNumber);
  const friend = sim.phone(friendNumber, friendOptions);
  const session = await linkedSession(me);
  const message = await session.message(await friend.sendText(me.number, text));
  return { me, friend, session, message };
}

/** A session linked to phone `number`, closed, and opened again on `options` while WhatsApp refuses connections. */
async function resumedWhileRefused(number: string, options: BaileysTransportOptions) {
  const linked = await linkedSession(sim.phone(number));
  await linked.connection.close();
  await sim.refuseConnections(true);
  return { linked, session: await openSession(linked.auth, makeTransport(options)) };
}

beforeEach(async () => {
  sim = await startWaSim();
  transport = makeTransport();
});

afterEach(async () => {
  await Promise.all(connections.splice(0).map((connection) => connection.close()));
  await sim.close();
});

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

    const result = await session.connection.sendText(friend.jid, 'hello', { messageId });
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

  it('reconnects at once after a restart-required (515) and reports connected again', async () => {
    const me = sim.phone('15551110011');
    const session = await linkedSession(me);
    const before = session.states.length;
    sim.restartRequired(me.number);
    await session.state('connected', before);
    expect(session.states.slice(before).map((s) => s.state)).toEqual(['connecting', 'connecting', 'connected']);
  });

  it('reports logged_out and clears the auth store when the phone unlinks the device', async () => {
    const me = sim.phone('15551110012');
    const session = await linkedSession(me);
    sim.logout(me.number);
    expect(await session.state('logged_out')).toEqual({ state: 'logged_out', reason: 'logged_out' });
    expect(session.auth.rows.size).toBe(0);
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
    await session.connection.sendText(friend.jid, 'answer', {
      messageId: replyId,
      quoted: session.stored.get(inboundId),
    });
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

  it('reports replaced (440) and does not reconnect', async () => {
    const me = sim.phone('15551110017');
    const session = await linkedSession(me);
    sim.replace(me.number);
    expect(await session.state('replaced')).toEqual({ state: 'replaced', reason: 'connection_replaced' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sim.openConnections).toBe(0);
  });

  it('ends a socket stuck connecting (refused upgrade) and retries with back-off', async () => {
    sim.refuseUpgrades(503);
    const session = await openSession(memoryAuthStore(), makeTransport({ connectTimeoutMs: 200 }));
    const disconnected = await session.state('disconnected');
    expect(disconnected.reason).toBe('connect_timeout');
    expect(disconnected.attempts).toBe(1);
    expect(disconnected.retryAt).toBeInstanceOf(Date);
    sim.refuseUpgrades(false);
    await session.state('qr');
  });

  it('ends in failed, not a hang, when the upgrade keeps being refused', async () => {
    sim.refuseUpgrades(503);
    const session = await openSession(
      memoryAuthStore(),
      makeTransport({ connectTimeoutMs: 150, giveUpAfter: { unlinkedMs: 600 } }),
    );
    expect(await session.state('failed')).toEqual({ state: 'failed', reason: 'connect_timeout' });
    expect(session.states.filter((s) => s.state === 'disconnected').length).toBeGreaterThan(0);
    sim.refuseUpgrades(false);
  });

  it('says connection_refused, not timed_out, while WhatsApp refuses connections, and gives a linked session up as failed after its give-up time instead of retrying for ever', async () => {
    const { linked, session } = await resumedWhileRefused('15551110030', {
      giveUpAfter: { linkedMs: 1_000, unlinkedMs: 1 },
    });

    expect(await session.state('failed')).toEqual({ state: 'failed', reason: 'connection_refused' });
    const retries = session.states.filter(
      (s): s is Extract<LinkState, { state: 'disconnected' }> => s.state === 'disconnected',
    );
    expect(retries.length).toBeGreaterThan(1);
    expect(retries.every((s) => s.reason === 'connection_refused' && s.retryAt !== null)).toBe(true);
    expect(retries.map((s) => s.attempts)).toEqual(retries.map((_, i) => i + 1));
    await sim.refuseConnections(false);
    const again = await openSession(linked.auth, makeTransport());
    await again.state('connected');
  });

  it('reads the give-up time and each retryAt from its injected clock, not Date.now(): it retries until that clock passes the give-up time', async () => {
    const clock = new ManualClock();
    // The connect watchdog runs on this clock too: set past the give-up time, so that only refusals end attempts.
    const { session } = await resumedWhileRefused('15551110031', {
      clock,
      connectTimeoutMs: 120_000,
      giveUpAfter: { linkedMs: 60_000 },
    });

    // Each retry waits its back-off on this clock, which moves only to each retryAt in turn: three attempts fail
    // well within the give-up time.
    const retries: LinkState[] = [];
    for (let from = 0; retries.length < 3;) {
      const retry = await session.state('disconnected', from);
      from = session.states.indexOf(retry) + 1;
      // Each retryAt is the clock's now plus a back-off within the bounds (50 .. 200 ms, half of it jitter).
      const wait = retry.retryAt!.getTime() - clock.now().getTime();
      expect(wait).toBeGreaterThanOrEqual(25);
      expect(wait).toBeLessThanOrEqual(200);
      retries.push(retry);
      await clock.set(retry.retryAt!);
    }
    expect(session.states.some((s) => s.state === 'failed')).toBe(false);

    await clock.advance(60_000);
    expect(await session.state('failed')).toEqual({ state: 'failed', reason: 'connection_refused' });
    await sim.refuseConnections(false);
  });

  it('waits out each reconnect back-off on its injected clock, not a timer of its own: the next attempt starts when that clock reaches retryAt, however far off in real time', async () => {
    const clock = new ManualClock();
    const { session } = await resumedWhileRefused('15551110032', {
      clock,
      connectTimeoutMs: 120_000,
      backoff: { minMs: 60_000, maxMs: 60_000 },
    });

    const first = await session.state('disconnected');
    // At least 30 s away in real time: only this clock can bring the next attempt within the wait.
    expect(first.retryAt!.getTime() - clock.now().getTime()).toBeGreaterThanOrEqual(30_000);
    await clock.set(first.retryAt!);
    const second = await session.state('disconnected', session.states.indexOf(first) + 1);
    expect([first.attempts, second.attempts]).toEqual([1, 2]);
    expect(second.reason).toBe('connection_refused');
    await sim.refuseConnections(false);
  });

  it('ends a socket stuck connecting once its injected clock passes connectTimeoutMs, not a timer of its own, then links after the back-off on that clock', async () => {
    sim.refuseUpgrades(503);
    const clock = new ManualClock();
    const session = await openSession(memoryAuthStore(), makeTransport({ clock, connectTimeoutMs: 60_000 }));

    await clock.advance(60_000);
    const disconnected = await session.state('disconnected');
    expect(disconnected).toMatchObject({ reason: 'connect_timeout', attempts: 1 });
    const wait = disconnected.retryAt!.getTime() - clock.now().getTime();
    expect(wait).toBeGreaterThanOrEqual(25);
    expect(wait).toBeLessThanOrEqual(200);
    sim.refuseUpgrades(false);
    await clock.set(disconnected.retryAt!);
    await session.state('qr');
  });

  it('fails after the QR refresh cap instead of showing QR codes forever', async () => {
    const session = await openSession(memoryAuthStore(), makeTransport({ maxQrRefreshes: 0 }));
    expect(await session.state('failed')).toEqual({ state: 'failed', reason: 'qr_refreshes_exhausted' });
    expect(session.states.some((s) => s.state === 'qr')).toBe(false);
  });

  it("lists groups with each participant's phone and LID, and checks numbers", async () => {
    const me = sim.phone('15551110018');
    const other = sim.phone('15551110019');
    const group = sim.createGroup('Team', other, [me]);
    const session = await linkedSession(me);

    expect(await session.connection.listGroups()).toEqual([
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
    expect(await session.connection.checkNumbers(['+1 555 111 0019', '15559999999'])).toEqual([
      { phone: '15551110019', jid: other.jid, exists: true },
      { phone: '15559999999', jid: null, exists: false },
    ]);
  });

  it('sends to a group and reports its receipts', async () => {
    const me = sim.phone('15551110020');
    const alice = sim.phone('15551110021');
    const group = sim.createGroup('Team', alice, [me]);
    const session = await linkedSession(me);
    const messageId = session.connection.newMessageId();
    await session.connection.sendText(group.jid, 'hi team', { messageId });
    expect((await alice.waitForMessage((m) => m.id === messageId)).text).toBe('hi team');
    await session.until(() => (session.receipts.some((r) => r.status === 'read') ? true : undefined), 'read receipt');
    expect(session.receipts.map((r) => r.status)).toEqual(['sent', 'delivered', 'read']);
  });

  it('refuses to send while not connected', async () => {
    const session = await openSession();
    await session.state('qr');
    await expect(
      session.connection.sendText('15550000000@s.whatsapp.net', 'x', { messageId: 'X' }),
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
