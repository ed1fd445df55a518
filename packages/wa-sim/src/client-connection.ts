import { decodeBinaryNode, encodeBinaryNode } from 'baileys';
import type { BinaryNode, KeyPair } from 'baileys';
import type { WebSocket } from 'ws';
import type { LinkedDevice } from './linked-device.js';
import { acceptHandshake } from './login.js';
import { NoiseResponder } from './noise-responder.js';
import type { PendingCodePairing } from './pairing.js';
import type { ServerCertificate } from './server-certificate.js';
import type { SimNetwork } from './sim-network.js';
import { routeStanza } from './stanza-router.js';

/** Where a connection is in its life. */
export type ConnectionPhase = 'handshake' | 'registering' | 'online' | 'closed';

/** What an unpaired companion told the server about itself when it registered. */
export interface CompanionRegistration {
  noiseKey: Buffer;
  registrationId: number;
  identityKey: Buffer;
  signedPreKey: { keyId: number; publicKey: Buffer; signature: Buffer };
  platform: string;
}

const FRAME_HEADER_BYTES = 3;
const SERVER_QUERY_TIMEOUT_MS = 10_000;

let serverTagCounter = 0;

/**
 * One WebSocket from a client: the Noise handshake, the framing, and the binary-node stream after it.
 * What the stanzas mean is decided elsewhere (`login.ts`, `stanza-router.ts`).
 */
export class ClientConnection {
  phase: ConnectionPhase = 'handshake';
  /** The linked device this connection is logged in as (phase `online`). */
  device: LinkedDevice | null = null;
  /** The companion being linked over this connection (phase `registering`). */
  registration: CompanionRegistration | null = null;
  /** A pairing-code linking this companion started (`companion_hello`), until it is finished. */
  pairingInProgress: PendingCodePairing | null = null;
  /** Runs once when the connection is gone, whatever closed it. */
  readonly onClose: Array<() => void> = [];

  private readonly noise: NoiseResponder;
  private inbound: Buffer = Buffer.alloc(0);
  private introSkipped = false;
  private sawHello = false;
  // Frames are handled strictly in order: decoding is async (inflate), and Baileys relies on order.
  private processing: Promise<void> = Promise.resolve();
  private readonly pendingQueries = new Map<
    string,
    { resolve: (node: BinaryNode) => void; reject: (error: Error) => void }
  >();

  constructor(
    readonly network: SimNetwork,
    private readonly socket: WebSocket,
    staticKey: KeyPair,
    certificate: ServerCertificate,
  ) {
    this.noise = new NoiseResponder(staticKey, certificate);
    socket.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      const chunk = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      this.processing = this.processing
        .then(() => this.receive(chunk))
        .catch((error: unknown) => {
          this.network.log('connection error', { error: String(error) });
          this.close();
        });
    });
    socket.on('close', () => this.closed());
    socket.on('error', () => this.close());
  }

  get isOpen(): boolean {
    return this.phase !== 'closed';
  }

  /** Sends a binary node over the established Noise transport. */
  send(node: BinaryNode): void {
    if (this.phase === 'closed' || !this.noise.established) return;
    this.network.log('send', { tag: node.tag, attrs: node.attrs });
    this.writeFrame(this.noise.seal(encodeBinaryNode(node)));
  }

  /** Sends a server-initiated `iq` and resolves with the client's answer. */
  query(node: BinaryNode, timeoutMs = SERVER_QUERY_TIMEOUT_MS): Promise<BinaryNode> {
    const id = node.attrs.id ?? `sim.${++serverTagCounter}`;
    return new Promise<BinaryNode>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingQueries.delete(id);
        reject(new Error(`no answer to server query ${id}`));
      }, timeoutMs);
      this.pendingQueries.set(id, {
        resolve: (answer) => (clearTimeout(timer), resolve(answer)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      this.send({ ...node, attrs: { ...node.attrs, id } });
    });
  }

  /** Ends the stream with a `stream:error` (what WhatsApp does for 401, 440, 515), then closes. */
  streamError(code: number | null, reason?: BinaryNode): void {
    this.send({
      tag: 'stream:error',
      attrs: code === null ? {} : { code: String(code) },
      ...(reason ? { content: [reason] } : {}),
    });
    this.close();
  }

  /** Refuses a login with a `failure` stanza (how WhatsApp answers unknown credentials), then closes. */
  failLogin(reason: number): void {
    this.send({ tag: 'failure', attrs: { reason: String(reason), location: 'sim' } });
    this.close();
  }

  /** Closes the socket; Baileys sees the close (or the stream error sent before it). */
  close(): void {
    if (this.phase === 'closed') return;
    this.socket.close();
    this.closed();
  }

  private closed(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    for (const pending of this.pendingQueries.values()) pending.reject(new Error('connection closed'));
    this.pendingQueries.clear();
    for (const callback of this.onClose.splice(0)) callback();
  }

  private async receive(chunk: Buffer): Promise<void> {
    this.inbound = Buffer.concat([this.inbound, chunk]);
    if (!this.introSkipped) {
      if (this.inbound.length < 4) return;
      // A client with routing info prefixes `ED` + 3-byte length + routing bytes before the WA header.
      let introLength = 4;
      if (this.inbound[0] === 0x45 && this.inbound[1] === 0x44) {
        if (this.inbound.length < 7) return;
        introLength = 7 + ((this.inbound[4]! << 16) | this.inbound.readUInt16BE(5)) + 4;
        if (this.inbound.length < introLength) return;
      }
      this.inbound = this.inbound.subarray(introLength);
      this.introSkipped = true;
    }
    while (this.inbound.length >= FRAME_HEADER_BYTES) {
      const size = (this.inbound[0]! << 16) | (this.inbound[1]! << 8) | this.inbound[2]!;
      if (this.inbound.length < FRAME_HEADER_BYTES + size) return;
      const frame = this.inbound.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + size);
      this.inbound = this.inbound.subarray(FRAME_HEADER_BYTES + size);
      await this.handleFrame(frame);
      if (this.phase === 'closed') return;
    }
  }

  private async handleFrame(frame: Buffer): Promise<void> {
    if (!this.noise.established) {
      if (!this.sawHello) {
        this.sawHello = true;
        this.writeFrame(this.noise.respondToHello(frame));
        return;
      }
      acceptHandshake(this, this.noise.finish(frame));
      return;
    }
    const node = await decodeBinaryNode(this.noise.open(frame));
    this.network.log('recv', { tag: node.tag, attrs: node.attrs });
    const pending = node.tag === 'iq' && node.attrs.id ? this.pendingQueries.get(node.attrs.id) : undefined;
    if (pending && (node.attrs.type === 'result' || node.attrs.type === 'error')) {
      this.pendingQueries.delete(node.attrs.id!);
      pending.resolve(node);
      return;
    }
    await routeStanza(this, node);
  }

  private writeFrame(payload: Buffer): void {
    const frame = Buffer.alloc(FRAME_HEADER_BYTES + payload.length);
    frame.writeUIntBE(payload.length, 0, FRAME_HEADER_BYTES);
    payload.copy(frame, FRAME_HEADER_BYTES);
    this.socket.send(frame);
  }
}
