/**
 * Test support for the Baileys transport (not a test file, not exported; only baileys-*.test.ts import it): sessions
 * on real Baileys against a fresh wa-sim each test, with listeners that record what they are told and ways to wait
 * for it. Real Baileys runs on wall time, so its waits are vitest's, not an injected clock's.
 */
import { startWaSim, type SimPhone, type WaSim } from '@kirim/wa-sim';
import { afterEach, beforeEach, vi } from 'vitest';
import { memoryAuthStore } from '../../testing/memory-auth-store.js';
import { recordingListener } from '../../testing/recording-listener.js';
import type { Connection, LinkState, StoredMessage, Transport } from '../transport.js';
import { createBaileysTransport, type BaileysTransportOptions } from './baileys-transport.js';

/** Records everything a connection reports, with ways to wait for it. */
function waitingListener() {
  const listener = recordingListener();
  const { states, receipts, messages, updates } = listener;
  const until = <T>(probe: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> =>
    vi.waitFor(
      () => {
        const value = probe();
        if (value === undefined)
          throw new Error(`timed out waiting for ${what}; states: ${JSON.stringify(states.map((s) => s.state))}`);
        return value;
      },
      { timeout: timeoutMs, interval: 10 },
    );
  return {
    listener,
    states,
    receipts,
    messages,
    updates,
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
    /** The `nth` update (0 the first) reported about the message with this id. */
    update: (messageId: string, nth = 0) =>
      until(() => updates.filter((u) => u.messageId === messageId)[nth], `update ${nth} of ${messageId}`),
  };
}

/** The stand-in of the running test (a fresh one each test). */
export let sim: WaSim;
let transport: Transport;
const connections: Connection[] = [];

/** A Baileys transport to {@link sim}, with short timers for tests; `options` override them. */
export function makeTransport(options: BaileysTransportOptions = {}): Transport {
  return createBaileysTransport({
    waWebSocketUrl: sim.url,
    mediaUrl: sim.media.url,
    connectTimeoutMs: 3_000,
    backoff: { minMs: 50, maxMs: 200 },
    ...options,
  });
}

/** A session on the transport, with its auth store, listener and message store. */
export async function openSession(auth = memoryAuthStore(), onTransport = transport) {
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
export async function linkedSession(phone: SimPhone) {
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
export async function messageFromFriend(
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
export async function resumedWhileRefused(number: string, options: BaileysTransportOptions) {
  const linked = await linkedSession(sim.phone(number));
  await linked.connection.close();
  await sim.refuseConnections(true);
  return { linked, session: await openSession(linked.auth, makeTransport(options)) };
}

/** Starts a fresh wa-sim before each test of the calling file, and closes it and every session after. */
export function useWaSim(): void {
  beforeEach(async () => {
    sim = await startWaSim();
    transport = makeTransport();
  });
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((connection) => connection.close()));
    await sim.close();
  });
}
