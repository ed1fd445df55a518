import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import {
  MediaGoneError,
  type AuthStore,
  type Connection,
  type ConnectOptions,
  type MediaDownload,
  type StoredMessage,
  type Transport,
  type TransportListener,
} from '../transport/transport.js';
import { iqErrorCode } from '../transport/iq-error.js';
import type { SimulatedNetwork } from './simulated-network.js';

/**
 * The simulated network as a loopback service, so that real server processes share one WhatsApp
 * peer that outlives them: a crash test kills a server and counts, at the network, what reached
 * each recipient. One JSON message per WebSocket frame; requests carry an id, answers repeat it.
 * Each side serves the other's calls: the server process asks the network to send, the network asks
 * the server process for credentials (its AuthStore) and stored messages.
 */
type Frame =
  | { t: 'call'; rid: number; cid?: number; method: string; args: unknown[] }
  // `iqCode`: the error was WhatsApp refusing a query (a Boom whose `data` is the IQ error code); rebuilt as such.
  | { t: 'result'; rid: number; value?: unknown; error?: string; iqCode?: number }
  | { t: 'event'; cid: number; kind: keyof TransportListener; payload: unknown };

const PROFILE_METHODS = ['checkNumbers', 'profile', 'updateOwn', 'setBlocked', 'blocklist'] as const;
const GROUP_METHODS = [
  'list',
  'create',
  'metadata',
  'update',
  'updateParticipants',
  'inviteCode',
  'revokeInvite',
  'leave',
];

const CONNECTION_METHODS = new Set([
  'send',
  'markRead',
  'sendPresence',
  'subscribePresence',
  'requestPairingCode',
  ...GROUP_METHODS.map((method) => `groups.${method}`),
  ...PROFILE_METHODS.map((method) => `profiles.${method}`),
  'refreshMedia',
  'rejectCall',
  'logout',
  'close',
]);

// Buffers and Dates do not survive JSON as themselves; tag them on the way out and rebuild them on the way in.
const encode = (value: unknown) =>
  JSON.stringify(value, function (key, v) {
    const raw = (this as Record<string, unknown>)[key];
    if (Buffer.isBuffer(raw)) return { $buffer: raw.toString('base64') };
    if (raw instanceof Date) return { $date: raw.toISOString() };
    return v;
  });
const decode = (text: string) =>
  JSON.parse(text, (_key, v) =>
    v && typeof v === 'object'
      ? '$buffer' in v
        ? Buffer.from(v.$buffer, 'base64')
        : '$date' in v
          ? new Date(v.$date)
          : v
      : v,
  );

/** One side of the wire: numbered calls with answers, and a handler for the other side's calls. */
class Peer {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(
    private readonly socket: WebSocket,
    private readonly serve: (call: Extract<Frame, { t: 'call' }>) => Promise<unknown>,
    private readonly onEvent: (event: Extract<Frame, { t: 'event' }>) => void = () => {},
  ) {
    socket.on('message', (data) => void this.receive(decode(data.toString())));
    socket.on('close', () => {
      for (const { reject } of this.pending.values()) reject(new Error('Connection Closed'));
      this.pending.clear();
    });
  }

  call(method: string, args: unknown[], cid?: number): Promise<unknown> {
    if (this.socket.readyState !== WebSocket.OPEN) return Promise.reject(new Error('Connection Closed'));
    const rid = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(rid, { resolve, reject });
      this.socket.send(encode({ t: 'call', rid, cid, method, args }));
    });
  }

  emit(cid: number, kind: keyof TransportListener, payload: unknown): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(encode({ t: 'event', cid, kind, payload }));
  }

  private async receive(frame: Frame): Promise<void> {
    if (frame.t === 'event') return this.onEvent(frame);
    if (frame.t === 'result') {
      const waiter = this.pending.get(frame.rid);
      this.pending.delete(frame.rid);
      const iq = frame.iqCode === undefined ? {} : { isBoom: true, data: frame.iqCode };
      if (frame.error !== undefined) waiter?.reject(Object.assign(new Error(frame.error), iq));
      else waiter?.resolve(frame.value);
      return;
    }
    try {
      const value = await this.serve(frame);
      if (this.socket.readyState === WebSocket.OPEN)
        this.socket.send(encode({ t: 'result', rid: frame.rid, value: value ?? null }));
    } catch (error) {
      if (this.socket.readyState === WebSocket.OPEN)
        this.socket.send(
          encode({ t: 'result', rid: frame.rid, error: (error as Error).message, iqCode: iqErrorCode(error) }),
        );
    }
  }
}

/** A message's media over the wire: its bytes, or `gone` when WhatsApp's copy expired. */
type ServedMedia = { gone: true } | ({ gone?: false; data: Buffer } & Pick<MediaDownload, 'mimetype' | 'filename'>);

async function servedMedia(network: SimulatedNetwork, message: StoredMessage): Promise<ServedMedia> {
  try {
    const { data, mimetype, filename } = await network.transport.downloadMedia(message);
    return { data: await buffer(data), mimetype, filename };
  } catch (error) {
    if (error instanceof MediaGoneError) return { gone: true };
    throw error;
  }
}

/** Serves `network` on `ws://127.0.0.1:<port>`; a server process reaches it with {@link connectRemoteNetwork}. */
export async function serveSimulatedNetwork(
  network: SimulatedNetwork,
  options: { port?: number } = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: options.port ?? 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  server.on('connection', (socket) => {
    const connections = new Map<number, Connection>();
    const peer: Peer = new Peer(socket, async ({ method, args, cid }) => {
      if (method === 'downloadMedia') return servedMedia(network, args[0] as StoredMessage);
      if (method === 'connect') {
        const [id, sessionId] = args as [number, string];
        const auth: AuthStore = {
          get: (kind, ids) => peer.call('auth.get', [kind, ids], id) as Promise<Record<string, string>>,
          set: (entries) => peer.call('auth.set', [entries], id) as Promise<void>,
          clear: () => peer.call('auth.clear', [], id) as Promise<void>,
        };
        const listener = Object.fromEntries(
          (
            [
              'onState',
              'onReceipt',
              'onMessage',
              'onUpdate',
              'onContacts',
              'onCall',
              'onGroupChange',
              'onPresence',
            ] as const
          ).map((kind) => [kind, (payload: unknown) => peer.emit(id, kind, payload)]),
        ) as unknown as TransportListener;
        connections.set(
          id,
          await network.transport.connect({
            sessionId,
            auth,
            listener,
            getMessage: (messageId) =>
              peer.call('getMessage', [messageId], id) as ReturnType<ConnectOptions['getMessage']>,
          }),
        );
        return null;
      }
      const connection = connections.get(cid!);
      if (!connection || !CONNECTION_METHODS.has(method)) throw new Error(`no ${method} on connection ${cid}`);
      // `feature.method` calls a method of a feature object (`profiles.checkNumbers`).
      const [feature, name] = method.includes('.') ? method.split('.') : [undefined, method];
      const owner = (feature ? (connection as unknown as Record<string, unknown>)[feature] : connection) as Record<
        string,
        (...a: unknown[]) => Promise<unknown>
      >;
      return owner[name!]!(...args);
    });
    // The server process died or hung up: its links drop, as a WhatsApp socket would.
    socket.on('close', () => {
      for (const connection of connections.values()) void connection.close().catch(() => {});
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

/** A transport reaching a simulated network served by {@link serveSimulatedNetwork} (`KIRIM_TRANSPORT=remote-simulated`). */
export function connectRemoteNetwork(url: string): Transport {
  let peer: Promise<Peer> | undefined;
  let nextConnection = 1;
  const local = new Map<number, ConnectOptions>();

  const open = () =>
    new Promise<Peer>((resolve, reject) => {
      const socket = new WebSocket(url);
      const created = new Peer(
        socket,
        async ({ method, args, cid }) => {
          const options = local.get(cid!);
          if (!options) throw new Error(`unknown connection ${cid}`);
          if (method === 'auth.get') return options.auth.get(...(args as [string, string[]]));
          if (method === 'auth.set')
            return options.auth.set(...(args as [Record<string, Record<string, string | null>>]));
          if (method === 'auth.clear') return options.auth.clear();
          if (method === 'getMessage') return (await options.getMessage(args[0] as string)) ?? null;
          throw new Error(`unknown call ${method}`);
        },
        ({ cid, kind, payload }) => (local.get(cid)?.listener[kind] as ((p: unknown) => void) | undefined)?.(payload),
      );
      socket.once('open', () => resolve(created));
      socket.once('error', reject);
      socket.once('close', () => (peer = undefined));
    });

  return {
    name: 'remote-simulated',
    async downloadMedia(message) {
      const answer = (await (await (peer ??= open())).call('downloadMedia', [message])) as ServedMedia;
      if (answer.gone) throw new MediaGoneError(message.messageId);
      return { data: Readable.from([answer.data]), mimetype: answer.mimetype, filename: answer.filename };
    },
    async connect(options) {
      const wire = await (peer ??= open());
      const cid = nextConnection++;
      local.set(cid, options);
      await wire.call('connect', [cid, options.sessionId]);
      const call =
        (method: string) =>
        (...args: unknown[]) =>
          wire.call(method, args, cid);
      return {
        // The same shape as the network's own ids; any unique id is accepted.
        newMessageId: () => `3EB0${randomBytes(9).toString('hex').toUpperCase()}`,
        send: call('send'),
        markRead: call('markRead'),
        sendPresence: call('sendPresence'),
        subscribePresence: call('subscribePresence'),
        requestPairingCode: call('requestPairingCode'),
        groups: Object.fromEntries(GROUP_METHODS.map((method) => [method, call(`groups.${method}`)])),
        profiles: Object.fromEntries(PROFILE_METHODS.map((method) => [method, call(`profiles.${method}`)])),
        refreshMedia: call('refreshMedia'),
        rejectCall: call('rejectCall'),
        logout: call('logout'),
        close: async () => {
          await call('close')().catch(() => {});
          local.delete(cid);
        },
      } as unknown as Connection;
    },
  };
}
