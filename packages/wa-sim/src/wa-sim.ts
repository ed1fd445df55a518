import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Curve } from 'baileys';
import { WebSocketServer } from 'ws';
import { ClientConnection } from './client-connection.js';
import type { MediaHost } from './media-host.js';
import { silenceLibsignalConsole } from './silence-libsignal.js';
import { issueServerCertificate } from './server-certificate.js';
import type { AddressingMode, SimGroup } from './sim-group.js';
import { SimNetwork, type SimLogger } from './sim-network.js';
import type { SimPhone, SimPhoneOptions } from './sim-phone.js';

/** Options of {@link startWaSim}. */
export interface WaSimOptions {
  /** TCP port on 127.0.0.1; default 0 (any free port, see `url`). */
  port?: number;
  /** Answer every WebSocket upgrade with this HTTP status instead of 101 (e.g. 503). Default: accept. */
  refuseUpgrade?: number | false;
  /** QR refs a registering companion gets (one QR code each). Default 6, like WhatsApp. */
  qrRefCount?: number;
  /** Receives diagnostic events (stanzas in and out, logins, pairings). Default: none. */
  log?: SimLogger;
  /**
   * Drop console output that comes from libsignal (it prints session key material with
   * `console.info`). It patches the global console, only for calls made from libsignal. Default true.
   */
  silenceLibsignal?: boolean;
}

/** A running simulator. */
export interface WaSim {
  /** `ws://127.0.0.1:<port>`: pass it to Baileys as `waWebSocketUrl`. */
  readonly url: string;
  readonly port: number;
  /** WhatsApp's media hosts: pass `media.url` to Kirim as `KIRIM_WA_MEDIA_URL`; see uploads, expire files. */
  readonly media: MediaHost;
  /** The account (and phone) of a number, created on first use. */
  phone(number: string, options?: SimPhoneOptions): SimPhone;
  /** Every account created so far. */
  phones(): SimPhone[];
  /** Creates a group; the creator is its super-admin. Addressing defaults to `lid`, as on WhatsApp. */
  createGroup(
    subject: string,
    creator: SimPhone | string,
    members: Array<SimPhone | string>,
    addressing?: AddressingMode,
  ): SimGroup;
  /** A group by JID. */
  group(jid: string): SimGroup | undefined;
  /** Unlinks every device of the account (`stream:error` 401 to those connected). */
  logout(number: string): void;
  /** Tells the account's connected devices their session was taken over (440). */
  replace(number: string): void;
  /** Tells the account's connected devices to reconnect (515). */
  restartRequired(number: string): void;
  /** From now on, answer upgrades with this HTTP status (or accept them again with `false`). */
  refuseUpgrades(status: number | false): void;
  /**
   * WhatsApp unreachable: with `true`, drops every connection and stops listening, so connecting is
   * refused (`ECONNREFUSED`); with `false`, listens again on the same port. Resolves once in effect.
   */
  refuseConnections(refuse: boolean): Promise<void>;
  /** How many client WebSockets are open. */
  readonly openConnections: number;
  /** Closes every connection and the listening socket. */
  close(): Promise<void>;
}

/**
 * Starts a local WhatsApp Web stand-in on 127.0.0.1 that unmodified Baileys connects to through its
 * `waWebSocketUrl` option: Noise handshake, QR and pairing-code linking, login, pre-keys, device lists,
 * 1:1 and group messages with acks and receipts, inbound messages, groups, and session errors.
 */
export async function startWaSim(options: WaSimOptions = {}): Promise<WaSim> {
  if (options.silenceLibsignal !== false) silenceLibsignalConsole();
  const network = new SimNetwork({ qrRefCount: options.qrRefCount ?? 6, log: options.log ?? (() => {}) });
  const staticKey = Curve.generateKeyPair();
  const certificate = issueServerCertificate(staticKey);
  let refusal: number | false = options.refuseUpgrade ?? false;

  const httpServer = createServer((_request, response) => {
    response.writeHead(426, { 'content-type': 'text/plain' }).end('wa-sim speaks WebSocket only\n');
  });
  const webSockets = new WebSocketServer({ noServer: true });
  const rawSockets = new Set<Socket>();
  httpServer.on('connection', (socket) => {
    rawSockets.add(socket);
    socket.on('close', () => rawSockets.delete(socket));
  });

  httpServer.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    if (refusal !== false) {
      // Baileys keeps waiting on a refused upgrade (it listens to `unexpected-response`): the case a
      // gateway's connect watchdog must catch. Leave the socket open, as a stuck proxy would.
      socket.write(`HTTP/1.1 ${refusal} Refused by wa-sim\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    webSockets.handleUpgrade(request, socket, head, (webSocket) => {
      // The connection wires itself to the socket's events; the network reaches it through its device.
      new ClientConnection(network, webSocket, staticKey, certificate);
    });
  });

  const listen = (onPort: number) =>
    new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(onPort, '127.0.0.1', () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
  // As a network failure does: no goodbye, the sockets just die.
  const dropConnections = () => {
    for (const client of webSockets.clients) client.terminate();
    for (const socket of rawSockets) socket.destroy();
  };
  await listen(options.port ?? 0);
  await network.media.listen();
  const { port } = httpServer.address() as AddressInfo;
  let refusingConnections = false;

  const accountOf = (number: string): SimPhone => {
    const phone = network.findAccount(number);
    if (!phone) throw new Error(`${number} is not on the simulated network`);
    return phone;
  };
  const asPhone = (phone: SimPhone | string): SimPhone => (typeof phone === 'string' ? network.phone(phone) : phone);

  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    media: network.media,
    phone: (number, phoneOptions) => network.phone(number, phoneOptions),
    phones: () => network.allPhones(),
    createGroup: (subject, creator, members, addressing) =>
      network.createGroup(subject, asPhone(creator), members.map(asPhone), addressing),
    group: (jid) => network.groups.get(jid),
    logout: (number) => accountOf(number).logoutDevices(),
    replace: (number) => accountOf(number).replaceSession(),
    restartRequired: (number) => accountOf(number).requireRestart(),
    refuseUpgrades: (status) => {
      refusal = status;
    },
    refuseConnections: async (refuse) => {
      if (refuse === refusingConnections) return;
      refusingConnections = refuse;
      if (!refuse) return listen(port);
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      dropConnections();
      await closed;
    },
    get openConnections() {
      return webSockets.clients.size;
    },
    close: async () => {
      network.closeAll();
      dropConnections();
      if (!refusingConnections) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      webSockets.close();
      await network.media.close();
    },
  };
}
