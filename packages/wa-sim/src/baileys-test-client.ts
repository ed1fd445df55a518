/**
 * Test support (not exported): a real, unmodified Baileys socket pointed at a simulator, with an
 * in-memory auth state and helpers to wait for its events.
 */
import makeWASocket, {
  initAuthCreds,
  type AuthenticationState,
  type ConnectionState,
  type SignalDataSet,
  type SocketConfig,
  type WAMessage,
  type WAMessageUpdate,
} from 'baileys';
import { silentLogger } from './silent-logger.js';
import type { SimPhone } from './sim-phone.js';
import type { WaSim } from './wa-sim.js';

export type BaileysSocket = ReturnType<typeof makeWASocket>;

/** BAILEYS_DEBUG=1 prints Baileys' own info/warn/error lines (debugging the simulator). */
const debugLogger: SocketConfig['logger'] = {
  level: 'info',
  child: () => debugLogger,
  trace() {},
  debug() {},
  info: (obj, msg) => process.stderr.write(`[baileys info] ${msg ?? ''} ${typeof obj === 'string' ? obj : ''}\n`),
  warn: (obj, msg) => process.stderr.write(`[baileys warn] ${msg ?? ''} ${JSON.stringify(obj)?.slice(0, 500)}\n`),
  error: (obj, msg) =>
    process.stderr.write(
      `[baileys error] ${msg ?? ''} ${JSON.stringify(obj, Object.getOwnPropertyNames(obj ?? {}))?.slice(0, 1500)}\n`,
    ),
};

/** Credentials and keys kept in memory, surviving sockets (what a real store does on disk). */
export function memoryAuthState(): AuthenticationState {
  const data = new Map<string, unknown>();
  return {
    creds: initAuthCreds(),
    keys: {
      get(type, ids) {
        const found: Record<string, unknown> = {};
        for (const id of ids) {
          const value = data.get(`${type}/${id}`);
          if (value !== undefined) found[id] = value;
        }
        return found as never;
      },
      set(entries: SignalDataSet) {
        for (const [type, values] of Object.entries(entries)) {
          for (const [id, value] of Object.entries(values ?? {})) {
            if (value === null || value === undefined) data.delete(`${type}/${id}`);
            else data.set(`${type}/${id}`, value);
          }
        }
      },
    },
  };
}

/** A Baileys socket and everything it emitted, with waiting helpers. */
export interface TestClient {
  sock: BaileysSocket;
  auth: AuthenticationState;
  updates: Array<Partial<ConnectionState>>;
  upserts: Array<{ type: string; messages: WAMessage[] }>;
  messageUpdates: WAMessageUpdate[];
  /** Resolves with the first connection update (past or future) matching the predicate. */
  waitForUpdate(
    predicate: (update: Partial<ConnectionState>) => boolean,
    timeoutMs?: number,
  ): Promise<Partial<ConnectionState>>;
  /** Resolves with the next QR code. */
  nextQr(timeoutMs?: number): Promise<string>;
  /** Resolves once the connection is open. */
  opened(timeoutMs?: number): Promise<void>;
  /** Resolves with the close status code. */
  closed(timeoutMs?: number): Promise<number | undefined>;
  /** Polls until the condition holds. */
  until(condition: () => boolean, timeoutMs?: number): Promise<void>;
  end(): void;
}

/** Connects unmodified Baileys to the simulator (optionally resuming an auth state). */
export function connectBaileys(sim: WaSim, auth: AuthenticationState = memoryAuthState()): TestClient {
  const sock = makeWASocket({
    auth,
    waWebSocketUrl: sim.url,
    logger: process.env.BAILEYS_DEBUG ? debugLogger : silentLogger,
    markOnlineOnConnect: false,
    syncFullHistory: false,
    connectTimeoutMs: 5_000,
  });
  const updates: Array<Partial<ConnectionState>> = [];
  const upserts: TestClient['upserts'] = [];
  const messageUpdates: WAMessageUpdate[] = [];
  const listeners = new Set<() => void>();
  const notify = (): void => listeners.forEach((listener) => listener());
  sock.ev.on('connection.update', (update) => {
    updates.push(update);
    notify();
  });
  sock.ev.on('messages.upsert', ({ type, messages }) => {
    upserts.push({ type, messages });
    notify();
  });
  sock.ev.on('messages.update', (list) => {
    messageUpdates.push(...list);
    notify();
  });

  const until = <T>(probe: () => T | undefined, what: string, timeoutMs = 5_000): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const value = probe();
        if (value === undefined) return;
        listeners.delete(check);
        clearTimeout(timer);
        clearInterval(poll);
        resolve(value);
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        clearInterval(poll);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      // Some conditions depend on state outside the events (the simulator's phones): poll too.
      const poll = setInterval(check, 20);
      listeners.add(check);
      check();
    });

  const waitForUpdate: TestClient['waitForUpdate'] = (predicate, timeoutMs) =>
    until(() => updates.find(predicate), 'connection update', timeoutMs);

  return {
    sock,
    auth,
    updates,
    upserts,
    messageUpdates,
    waitForUpdate,
    nextQr: async (timeoutMs) => (await waitForUpdate((update) => !!update.qr, timeoutMs)).qr!,
    opened: async (timeoutMs) => void (await waitForUpdate((update) => update.connection === 'open', timeoutMs)),
    closed: async (timeoutMs) => {
      const update = await waitForUpdate((u) => u.connection === 'close', timeoutMs);
      return (update.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode;
    },
    until: (condition, timeoutMs) =>
      until(() => (condition() ? true : undefined), 'condition', timeoutMs).then(() => undefined),
    end: () => sock.end(undefined),
  };
}

/**
 * Links a new Baileys device to the phone by QR code and returns its logged-in client, once Baileys has processed
 * the phone's initial history sync (until then it holds every event back). `connect` makes each socket (a test
 * keeps them to end them).
 */
export async function linkBaileys(
  phone: SimPhone,
  connect: (auth?: AuthenticationState) => TestClient,
): Promise<TestClient> {
  const pairing = connect();
  await phone.scanQr(await pairing.nextQr());
  await pairing.closed();
  const linked = connect(pairing.auth);
  await linked.opened();
  await linked.until(() => linked.auth.creds.accountSyncCounter > 0);
  return linked;
}
