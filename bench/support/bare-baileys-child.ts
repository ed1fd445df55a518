// Bare Baileys sockets, no Kirim: the reference side of bench/sessions.ts, in a process of its own so its
// memory and CPU are measured alone. Run as `node --expose-gc --import tsx bench/support/bare-baileys-child.ts`
// with an IPC channel; the parent holds wa-sim and "scans" the QR codes this process reports.
//
// Each socket gets what a careful Baileys user would give it and the same options Kirim passes:
// in-memory auth state (credentials and Signal keys as objects in a Map), a silent logger,
// markOnlineOnConnect and syncFullHistory off. After the pairing's 515 a new socket is made with the
// same auth state, as Baileys requires.
import type { AuthenticationState, SignalDataTypeMap, SocketConfig, WASocket } from 'baileys';
import type { ChildReply, ChildRequest } from './session-probe-protocol.js';

// libsignal prints session records (private keys included) with console.info: nothing of that here.
console.info = () => {};

const send = (reply: ChildReply) => process.send!(reply);
const beforeImportRss = process.memoryUsage().rss;
const baileys = await import('baileys');
const wsUrl = process.env.KIRIM_WA_WS_URL;
if (!wsUrl) throw new Error('KIRIM_WA_WS_URL is required');

const silent: SocketConfig['logger'] = {
  level: 'silent',
  child: () => silent,
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** A Signal key store over a Map, as the simplest bare Baileys program keeps one. */
function memoryAuthState(): AuthenticationState {
  const keys = new Map<string, unknown>();
  return {
    creds: baileys.initAuthCreds(),
    keys: {
      async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
        const found: { [id: string]: SignalDataTypeMap[T] } = {};
        for (const id of ids) {
          const value = keys.get(`${type}/${id}`);
          if (value !== undefined) found[id] = value as SignalDataTypeMap[T];
        }
        return found;
      },
      async set(data) {
        for (const [type, values] of Object.entries(data)) {
          for (const [id, value] of Object.entries(values ?? {})) {
            if (value === null || value === undefined) keys.delete(`${type}/${id}`);
            else keys.set(`${type}/${id}`, value);
          }
        }
      },
    },
  };
}

/** Live sockets by phone number (each replaced by its successor after the 515). */
const sockets = new Map<string, WASocket>();

function openSocket(
  number: string,
  auth: AuthenticationState,
  onQr: (qr: string) => void,
  onOpen: () => void,
): WASocket {
  const sock = baileys.makeWASocket({
    auth,
    logger: silent,
    markOnlineOnConnect: false,
    syncFullHistory: false,
    waWebSocketUrl: wsUrl,
  });
  sockets.set(number, sock);
  sock.ev.on('creds.update', (update) => Object.assign(auth.creds, update));
  sock.ev.on('connection.update', ({ connection, qr, lastDisconnect }) => {
    if (qr) onQr(qr);
    if (connection === 'open') onOpen();
    if (connection === 'close') {
      const code = (lastDisconnect?.error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode;
      // 515 after pairing: log in again with the same credentials.
      if (code === baileys.DisconnectReason.restartRequired && sockets.get(number) === sock)
        openSocket(number, auth, onQr, onOpen);
    }
  });
  return sock;
}

process.on('message', (request: ChildRequest) => {
  switch (request.cmd) {
    case 'probe': {
      // As bench/support/memory-probe.mjs: collect, let V8 give pages back, collect again, read.
      globalThis.gc?.();
      setTimeout(() => {
        globalThis.gc?.();
        const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
        const cpu = process.cpuUsage();
        send({
          type: 'probe',
          rss,
          heapUsed,
          heapTotal,
          external,
          arrayBuffers,
          cpuUs: cpu.user + cpu.system,
          beforeImportRss,
          gc: typeof globalThis.gc === 'function',
        });
      }, 1_000);
      return;
    }
    case 'warmup': {
      // One session linked and closed again before the baseline: what the first session costs once
      // (code compiled, lazy state built) is not counted per session.
      const { number } = request;
      openSocket(
        number,
        memoryAuthState(),
        (qr) => send({ type: 'qr', number, qr }),
        () => {
          const current = sockets.get(number);
          sockets.delete(number);
          void current?.end(undefined);
          send({ type: 'warm' });
        },
      );
      return;
    }
    case 'link':
      for (const number of request.numbers) {
        openSocket(
          number,
          memoryAuthState(),
          (qr) => send({ type: 'qr', number, qr }),
          () => send({ type: 'open', number }),
        );
      }
      return;
  }
});
process.on('disconnect', () => {
  for (const sock of sockets.values()) void sock.end(undefined);
  process.exit(0);
});
send({ type: 'ready' });
