import { KirimError } from '../errors.js';
import type {
  AuthStore,
  CallOffer,
  Connection,
  ContactPresence,
  ConnectOptions,
  GroupActions,
  GroupChange,
  IncomingMessage,
  LinkState,
  MessageUpdate,
  OutgoingContent,
  OutgoingResult,
  PresenceState,
  ProfileActions,
  SeenContact,
  SendOptions,
  StoredMessage,
  TransportReceipt,
} from '../transport/transport.js';
import type { Network } from './simulated-network.js';
import { isPhoneNumber } from './simulated-network-ids.js';
import type { Phone } from './simulated-network-phone.js';
import { simulatedProfiles } from './simulated-network-profiles.js';
import { simulatedGroups } from './simulated-network-groups.js';

// QR codes live as WhatsApp's do (BAILEYS.md): the first 60 s, each later one 20 s, six in all;
// when the last expires the link gives up.
const FIRST_QR_MS = 60_000;
const NEXT_QR_MS = 20_000;
const QR_CODES = 6;

// Capped exponential back-off between reconnect attempts.
const RECONNECT_FIRST_MS = 1_000;
const RECONNECT_MAX_MS = 30_000;

// The simulation's credentials have a kind of their own, so that a session switched between
// transports never mistakes Baileys' credentials for the simulation's or the other way round.
const CREDS_KIND = 'simulated';
const CREDS_ID = 'creds';

interface SimulatedCreds {
  phone: string;
  name: string | null;
}

/** Something the network tells a session; held while the session is not connected, like WhatsApp's offline queue. */
export type SessionEvent =
  | { kind: 'message'; message: IncomingMessage }
  | { kind: 'update'; update: MessageUpdate }
  | { kind: 'receipt'; receipt: TransportReceipt }
  | { kind: 'contacts'; contacts: SeenContact[] }
  | { kind: 'group'; change: GroupChange }
  | { kind: 'call'; call: CallOffer }
  | { kind: 'presence'; presence: ContactPresence };

/** What the network keeps about one session id, across its connections. */
export interface SessionRecord {
  sessionId: string;
  /** The newest connection opened for the session. */
  connection: SimulatedConnection | null;
  /** The account the session is linked to. */
  phone: Phone | null;
  slowMs: number;
  refusal: string | null;
  /** Reconnect attempts fail until this time (ms since the epoch). */
  downUntil: number;
  /** Events waiting for the session to be connected, oldest first. */
  pending: SessionEvent[];
}

/** One connection of a session to the simulated network. */
export class SimulatedConnection implements Connection {
  state: LinkState = { state: 'connecting' };
  /** Set once the connection is over (closed, logged out, replaced, failed): the link changes no more. */
  ended = false;
  /** Set by `close()`: not even the final state is reported. */
  closed = false;
  qr: string | null = null;
  pairing: { code: string; phone: string } | null = null;
  // Bumped on every change of course; an async step begun under an older epoch stops when it resumes.
  private epoch = 0;
  private readonly presenceSubscriptions = new Set<string>();
  private attempts = 0;
  readonly profiles: ProfileActions;
  readonly groups: GroupActions;

  constructor(
    private readonly network: Network,
    readonly record: SessionRecord,
    private readonly options: ConnectOptions,
  ) {
    this.groups = simulatedGroups(network, this);
    this.profiles = simulatedProfiles(network, this);
  }

  get auth(): AuthStore {
    return this.options.auth;
  }

  get connected(): boolean {
    return !this.ended && this.state.state === 'connected';
  }

  get awaitingLink(): boolean {
    return !this.ended && (this.state.state === 'qr' || this.state.state === 'pairing_code');
  }

  newMessageId(): string {
    return this.network.newMessageId();
  }

  send(to: string, content: OutgoingContent, options: SendOptions): Promise<OutgoingResult> {
    return this.network.sendFromSession(this, to, content, options);
  }

  async markRead(chat: string, messageIds: string[]): Promise<void> {
    this.network.readFromSession(this, chat, messageIds);
  }

  async sendPresence(state: PresenceState, chat?: string): Promise<void> {
    this.network.presenceFromSession(this, state, chat ?? null);
  }

  async requestPairingCode(phone: string): Promise<string> {
    // The stored status can still say `qr` when the link has just moved on: a conflict, as Baileys answers, not a 500.
    if (!this.awaitingLink)
      throw new KirimError('conflict', `The session is not waiting to be linked: it is ${this.state.state}`);
    if (!isPhoneNumber(phone)) throw new Error(`Not a phone number (digits with country code): ${phone}`);
    this.pairing = { code: this.network.newPairingCode(), phone };
    this.setState({ state: 'pairing_code', code: this.pairing.code });
    return this.pairing.code;
  }

  async refreshMedia(message: StoredMessage): Promise<string> {
    this.linkedPhone();
    return this.network.media.reupload(message);
  }

  async subscribePresence(jid: string): Promise<void> {
    this.linkedPhone();
    this.presenceSubscriptions.add(this.network.subscribeToPresence(this, jid));
  }

  /** Whether this link subscribed to the presence of phone `number` since it last connected. */
  subscribedTo(number: string): boolean {
    return this.presenceSubscriptions.has(number);
  }

  /** Tells a presence if the link is up now: WhatsApp drops presences for links that are down, never queues them. */
  tellPresence(presence: ContactPresence): void {
    if (this.connected && !this.closed) this.dispatch({ kind: 'presence', presence });
  }

  async rejectCall(callId: string): Promise<void> {
    this.network.calls.reject(this, callId);
  }

  async logout(): Promise<void> {
    this.network.unlink(this.record);
    await this.options.auth.clear();
    this.end({ state: 'logged_out', reason: 'logged out' });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.finish();
  }

  getMessage(messageId: string): ReturnType<ConnectOptions['getMessage']> {
    return this.options.getMessage(messageId);
  }

  /** The phone this connection sends as; throws as Baileys does when the socket is not open. */
  linkedPhone(): Phone {
    if (!this.connected || !this.record.phone) throw new Error('Connection Closed');
    return this.record.phone;
  }

  /** Connects: resumes from stored credentials, or waits to be linked by QR or pairing code. */
  open(): void {
    this.opening().catch((error: unknown) => {
      this.end({ state: 'failed', reason: error instanceof Error ? error.message : String(error) });
    });
  }

  /** Drops the link: reports `disconnected` and reconnects after back-off. */
  drop(reason: string): void {
    if (this.ended) return;
    const epoch = this.nextEpoch();
    const retryInMs = Math.min(RECONNECT_FIRST_MS * 2 ** this.attempts, RECONNECT_MAX_MS);
    this.attempts++;
    const retryAt = new Date(this.network.clock.now().getTime() + retryInMs);
    this.setState({ state: 'disconnected', reason, attempts: this.attempts, retryAt });
    void this.network.clock.sleep(retryInMs).then(() => {
      if (epoch === this.epoch) this.open();
    });
  }

  /** Links the waiting session to `phone`: writes the credentials, then reports `connected`. */
  async link(phone: Phone): Promise<void> {
    if (!this.awaitingLink) throw new Error(`Session ${this.record.sessionId} is not waiting to be linked`);
    if (phone.banned) throw new Error(`${phone.number} is banned`);
    const epoch = this.nextEpoch();
    const creds: SimulatedCreds = { phone: phone.number, name: phone.name };
    await this.options.auth.set({ [CREDS_KIND]: { [CREDS_ID]: JSON.stringify(creds) } });
    if (epoch === this.epoch) this.becomeConnected(phone);
  }

  /** Ends the connection in a final state, which is reported unless the connection was closed. */
  end(state: LinkState): void {
    if (this.ended) return;
    this.finish();
    this.setState(state);
  }

  /** Hands an event to the listener on a later microtask; one that finds the link down goes back to the network's queue. */
  dispatch(event: SessionEvent): void {
    queueMicrotask(() => {
      if (!this.connected || this.closed)
        return event.kind === 'presence' ? undefined : this.network.notify(this.record, event);
      const { listener } = this.options;
      if (event.kind === 'message') listener.onMessage(event.message);
      else if (event.kind === 'update') listener.onUpdate(event.update);
      else if (event.kind === 'receipt') listener.onReceipt(event.receipt);
      else if (event.kind === 'group') listener.onGroupChange(event.change);
      else if (event.kind === 'call') listener.onCall(event.call);
      else if (event.kind === 'presence') listener.onPresence(event.presence);
      else listener.onContacts(event.contacts);
    });
  }

  private async opening(): Promise<void> {
    const epoch = this.nextEpoch();
    this.setState({ state: 'connecting' });
    await this.network.hop();
    if (epoch !== this.epoch) return;
    if (this.network.clock.now().getTime() < this.record.downUntil) return this.drop('connection lost');
    const creds = await readCreds(this.options.auth);
    if (epoch !== this.epoch) return;
    if (!creds) return this.awaitLink(epoch);
    const phone = this.network.account(creds.phone, creds.name);
    if (phone.banned) {
      await this.options.auth.clear();
      return this.end({ state: 'logged_out', reason: 'banned' });
    }
    this.becomeConnected(phone);
  }

  private async awaitLink(epoch: number): Promise<void> {
    for (let shown = 0; shown < QR_CODES; shown++) {
      this.qr = this.network.newQr();
      // After a pairing code is requested the QR keeps rotating (old ones stop working) but is not shown:
      // the user is typing the code, and the window closes when the last QR expires, as with Baileys.
      if (!this.pairing) this.setState({ state: 'qr', qr: this.qr });
      if (shown === 0) this.network.scheduleAutoLink(this);
      await this.network.clock.sleep(shown === 0 ? FIRST_QR_MS : NEXT_QR_MS);
      if (epoch !== this.epoch) return;
    }
    const what = this.pairing ? 'pairing code was not entered' : 'QR code was not scanned';
    this.end({ state: 'failed', reason: `The ${what} in time` });
  }

  private becomeConnected(phone: Phone): void {
    this.attempts = 0;
    this.record.phone = phone;
    // As WhatsApp, which keeps presence subscriptions per socket: the engine subscribes again.
    this.presenceSubscriptions.clear();
    this.setState({ state: 'connected', phone: phone.number, lid: phone.lid, name: phone.name });
    this.dispatch({ kind: 'contacts', contacts: this.network.contactsOf(phone) });
    for (const event of this.record.pending.splice(0)) this.dispatch(event);
  }

  private nextEpoch(): number {
    this.qr = null;
    this.pairing = null;
    return ++this.epoch;
  }

  private finish(): void {
    this.ended = true;
    this.nextEpoch();
  }

  private setState(state: LinkState): void {
    this.state = state;
    queueMicrotask(() => {
      if (!this.closed) this.options.listener.onState(state);
    });
  }
}

async function readCreds(auth: AuthStore): Promise<SimulatedCreds | null> {
  const stored = (await auth.get(CREDS_KIND, [CREDS_ID]))[CREDS_ID];
  if (stored === undefined) return null;
  try {
    const creds = JSON.parse(stored) as Partial<SimulatedCreds>;
    return typeof creds.phone === 'string' && isPhoneNumber(creds.phone)
      ? { phone: creds.phone, name: creds.name ?? null }
      : null;
  } catch {
    // Unreadable credentials are as good as none: the session links again.
    return null;
  }
}
