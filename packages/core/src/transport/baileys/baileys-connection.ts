import type {
  BinaryNode,
  ConnectionState,
  Contact,
  MessageUserReceiptUpdate,
  WAMessage,
  WAMessageKey,
  WAMessageUpdate,
  WASocket,
} from 'baileys';
import type { Clock } from '../../clock.js';
import { KirimError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type {
  Connection,
  ConnectOptions,
  LinkState,
  OutgoingContent,
  OutgoingResult,
  PresenceState,
  SendOptions,
} from '../transport.js';
import type { StoredAuthState } from './baileys-auth-state.js';
import { toBaileysLogger } from './baileys-logger.js';
import type { BaileysModule } from './baileys-module.js';
import { callListener, runHandler } from './contained-calls.js';
import { reuploadMedia } from './baileys-media.js';
import { baileysProfiles } from './baileys-profiles.js';
import { baileysGroups, reportGroupEvents } from './baileys-groups.js';
import { reportCalls } from './baileys-calls.js';
import { reportPresences } from './baileys-presence.js';
import { InboundEvents } from './inbound-events.js';
import { deserialiseMessage, serialiseMessage, userOf, withoutDevice } from './message-mapping.js';
import { baileysContent, quotableMessage } from './outgoing-content.js';
import { decideOnClose, ReconnectSchedule, type BackoffBounds, type GiveUpAfter } from './reconnect-policy.js';
import { SocketRecord } from './socket-record.js';

/** How long an availability waits for a newly linked device to learn the account's name. */
const NAME_WAIT_MS = 10_000;

/** Settings of a connection, defaults applied. */
export interface ConnectionSettings {
  waWebSocketUrl: string | undefined;
  browser: [string, string, string] | undefined;
  connectTimeoutMs: number;
  maxQrRefreshes: number;
  backoff: BackoffBounds;
  /** How long failed attempts (closes, connect timeouts) go on before the link is given up as `failed`. */
  giveUpAfter: GiveUpAfter;
  /** Where the time is read and the transport's own timers run. */
  clock: Clock;
  logger: Logger;
}

/**
 * One session's link through Baileys: it owns the successive sockets, reconnects by close code,
 * persists credentials, and turns Baileys' events into the port's listener calls. An error in any
 * handler is logged and contained: one session's crash never reaches another, nor the process.
 */
export class BaileysConnection implements Connection {
  private current: SocketRecord | null = null;
  /** Aborted once closed, logged out, replaced or failed: no socket is made any more, no retry is waited for. */
  private readonly lifetime = new AbortController();
  /** Aborts the wait for the next attempt, if one is scheduled; a newer schedule replaces it. */
  private retryWait: AbortController | undefined;
  /** The final state reported (logged_out, replaced, failed or the closed disconnection), if any. */
  private finalState: LinkState | null = null;

  private readonly retries: ReconnectSchedule;
  private qrShown = 0;
  private readonly inbound: InboundEvents;
  private readonly log: Logger;

  constructor(
    private readonly baileys: BaileysModule,
    private readonly auth: StoredAuthState,
    private readonly options: ConnectOptions,
    private readonly settings: ConnectionSettings,
  ) {
    this.log = settings.logger.child({ session: options.sessionId, transport: 'baileys' });
    this.retries = new ReconnectSchedule(settings.backoff);
    this.inbound = new InboundEvents({
      baileys,
      auth,
      listener: options.listener,
      getMessage: (messageId) => options.getMessage(messageId),
      clock: settings.clock,
      log: this.log,
    });
  }

  /** Opens the first socket. */
  start(): void {
    this.openSocket();
  }

  newMessageId(): string {
    return this.baileys.generateMessageIDV2(this.auth.state.creds.me?.id);
  }

  async send(to: string, content: OutgoingContent, options: SendOptions): Promise<OutgoingResult> {
    const sock = this.openSocketOrThrow();
    const message = await baileysContent(content, {
      baileys: this.baileys,
      chat: to,
      mentions: options.mentions,
      getMessage: (messageId) => this.options.getMessage(messageId),
    });
    this.inbound.sending(options.messageId);
    const quoted = options.quoted ? quotableMessage(this.baileys, options.quoted) : undefined;
    const sent = await sock.sendMessage(to, message, { messageId: options.messageId, ...(quoted ? { quoted } : {}) });
    if (!sent?.key.id) throw new KirimError('internal', 'Baileys returned no message');
    return { messageId: sent.key.id, raw: serialiseMessage(this.baileys, sent) };
  }

  readonly refreshMedia: Connection['refreshMedia'] = (m) => reuploadMedia(this.baileys, this.openSocketOrThrow(), m);
  readonly profiles = baileysProfiles(() => this.openSocketOrThrow());
  readonly groups = baileysGroups(() => this.openSocketOrThrow());
  readonly subscribePresence: Connection['subscribePresence'] = (jid) =>
    this.openSocketOrThrow().presenceSubscribe(jid);
  readonly rejectCall: Connection['rejectCall'] = (callId, from) => this.openSocketOrThrow().rejectCall(callId, from);
  async markRead(chat: string, messageIds: string[]): Promise<void> {
    const sock = this.openSocketOrThrow();
    // In a group the receipt names each message's sender, which only the stored message knows.
    const keys = await Promise.all(
      messageIds.map(async (id) => {
        const participant = (await this.options.getMessage(id))?.participant;
        return { remoteJid: chat, id, fromMe: false, ...(participant ? { participant } : {}) };
      }),
    );
    await sock.readMessages(keys);
  }

  async sendPresence(state: PresenceState, chat?: string): Promise<void> {
    const sock = this.openSocketOrThrow();
    // An availability carries the account's name, which a newly linked device learns only with the phone's first
    // history sync; until then Baileys drops the request with a warning, which would answer 200 for nothing.
    if ((state === 'available' || state === 'unavailable') && !(await this.accountNameWithin(sock, NAME_WAIT_MS))) {
      throw new KirimError(
        'unavailable',
        "WhatsApp has not yet sent this device the account's name, which an availability carries; try again in a moment",
      );
    }
    await sock.sendPresenceUpdate(state, chat);
  }

  /** Whether the account's name is known, waiting up to `ms` for it. */
  private async accountNameWithin(sock: WASocket, ms: number): Promise<boolean> {
    const known = () => Boolean(this.auth.state.creds.me?.name);
    if (known()) return true;
    const learned = new AbortController();
    const onCreds = () => known() && learned.abort();
    sock.ev.on('creds.update', onCreds);
    try {
      await this.settings.clock
        .sleep(ms, { signal: AbortSignal.any([learned.signal, this.lifetime.signal]) })
        .catch(() => undefined);
    } finally {
      sock.ev.off('creds.update', onCreds);
    }
    return known();
  }

  async requestPairingCode(phone: string): Promise<string> {
    if (this.auth.state.creds.account) throw new KirimError('conflict', 'this session is already linked');
    const record = this.current;
    if (!record || this.stopped) throw new KirimError('unavailable', 'the session is not connecting');
    // Baileys sends the request over the registration socket: it must have shown its first QR code.
    const shown = await record.showsQrWithin(this.settings.connectTimeoutMs);
    if (!shown || record !== this.current) throw new KirimError('unavailable', 'the session is not ready for linking');
    record.pairing = true;
    const code = await record.sock.requestPairingCode(phone.replace(/\D/g, ''));
    this.report({ state: 'pairing_code', code });
    return code;
  }

  async logout(): Promise<void> {
    if (this.finalState?.state === 'logged_out') return;
    const record = this.current;
    this.stop();
    if (record?.open) {
      try {
        // Unlinks the device on the phone; Baileys then closes with 401 (ignored: we are stopped).
        await record.sock.logout();
      } catch (error) {
        this.log.warn({ err: error }, 'logout request failed; credentials are wiped anyway');
      }
    }
    if (record) await record.end(this.log);
    await this.wipeCredentials('logout');
  }

  async close(): Promise<void> {
    const record = this.current;
    this.stop();
    if (record) await record.end(this.log);
    await this.auth.flushed();
    // Closing a session that already ended (logged out, replaced, failed) reports nothing new.
    if (!this.finalState)
      this.finish({ state: 'disconnected', reason: 'closed', attempts: this.retries.attempts, retryAt: null });
  }

  /** Reports a state after which this connection does nothing more. */
  private finish(state: LinkState): void {
    this.finalState = state;
    this.report(state);
  }

  private get stopped(): boolean {
    return this.lifetime.signal.aborted;
  }

  private stop(): void {
    this.lifetime.abort();
  }

  private openSocketOrThrow(): WASocket {
    const record = this.current;
    if (!record?.open) throw new KirimError('unavailable', 'the session is not connected');
    return record.sock;
  }

  private openSocket(): void {
    if (this.stopped) return;
    const sock = this.baileys.makeWASocket({
      auth: this.auth.state,
      logger: toBaileysLogger(this.log),
      markOnlineOnConnect: false,
      syncFullHistory: false,
      getMessage: (key) => this.storedContent(key),
      // Only set keys that have a value: Baileys spreads options over its defaults, so an explicit
      // `undefined` would erase the default.
      ...(this.settings.waWebSocketUrl ? { waWebSocketUrl: this.settings.waWebSocketUrl } : {}),
      ...(this.settings.browser ? { browser: this.settings.browser } : {}),
    });
    const record = new SocketRecord(sock, this.settings.clock);
    this.current = record;
    // A refused WebSocket upgrade leaves Baileys "connecting" forever, without any event.
    record.armWatchdog(this.settings.connectTimeoutMs, () =>
      this.guard('connect watchdog', () => this.onConnectTimeout(record)),
    );

    const live =
      <A extends unknown[]>(name: string, handler: (...args: A) => unknown) =>
      (...args: A) => {
        if (this.current !== record) return;
        this.guard(name, () => handler(...args));
      };
    sock.ev.on('connection.update', (update) => {
      if (update.connection === 'close') record.closed.resolve();
      live('connection.update', (u: Partial<ConnectionState>) => this.onConnectionUpdate(record, u))(update);
    });
    // Credentials are saved whichever socket changed them: it is the same object, mutated in place.
    sock.ev.on('creds.update', (update) =>
      this.guard('creds.update', () => {
        Object.assign(this.auth.state.creds, update);
        return this.auth.saveCreds();
      }),
    );
    sock.ev.on(
      'messages.upsert',
      live('messages.upsert', ({ messages }: { messages: WAMessage[] }) => this.inbound.onUpsert(sock, messages)),
    );
    sock.ev.on(
      'messages.update',
      live('messages.update', (updates: WAMessageUpdate[]) => this.inbound.onMessageUpdates(updates)),
    );
    sock.ev.on(
      'message-receipt.update',
      live('message-receipt.update', (updates: MessageUserReceiptUpdate[]) => this.inbound.onUserReceipts(updates)),
    );
    sock.ev.on(
      'contacts.upsert',
      live('contacts.upsert', (contacts: Contact[]) => this.inbound.onContacts(contacts)),
    );
    sock.ev.on(
      'contacts.update',
      live('contacts.update', (contacts: Partial<Contact>[]) => this.inbound.onContacts(contacts)),
    );
    reportGroupEvents(sock, this.baileys.WAMessageStubType, live, (change) =>
      this.emit('onGroupChange', () => this.options.listener.onGroupChange(change)),
    );
    reportCalls(sock, live, (call) => this.emit('onCall', () => this.options.listener.onCall(call)));
    reportPresences(sock, live, (presence) =>
      this.emit('onPresence', () => this.options.listener.onPresence(presence)),
    );
    // The server's ack of a sent stanza: the only "sent" signal (Baileys emits no status for it).
    sock.ws.on(
      'CB:ack,class:message',
      live('ack', (node: BinaryNode) => this.inbound.onServerAck(node)),
    );
  }

  private onConnectionUpdate(record: SocketRecord, update: Partial<ConnectionState>): void {
    if (update.qr) {
      record.disarmWatchdog();
      record.firstQr.resolve();
      if (record.pairing) return;
      this.qrShown += 1;
      if (this.qrShown > this.settings.maxQrRefreshes) {
        this.fail(record, 'qr_refreshes_exhausted');
        return;
      }
      this.report({ state: 'qr', qr: update.qr });
    }
    if (update.connection === 'connecting') this.report({ state: 'connecting' });
    if (update.connection === 'open') {
      record.disarmWatchdog();
      record.open = true;
      this.retries.reset();
      this.qrShown = 0;
      const me = this.auth.state.creds.me;
      this.report({
        state: 'connected',
        phone: me?.id ? userOf(me.id) : '',
        lid: me?.lid ? withoutDevice(me.lid) : null,
        name: me?.name && me.name !== '~' ? me.name : null,
      });
    }
    if (update.connection === 'close') {
      record.disarmWatchdog();
      record.open = false;
      this.current = null;
      // A Boom: the close code in `output`, the socket's own error (with its errno code) in `data`.
      const error = update.lastDisconnect?.error as
        { output?: { statusCode?: number }; data?: { code?: unknown } } | undefined;
      const networkErrorCode = typeof error?.data?.code === 'string' ? error.data.code : undefined;
      return void this.onSocketClosed(error?.output?.statusCode, networkErrorCode);
    }
  }

  private async onSocketClosed(statusCode: number | undefined, networkErrorCode: string | undefined): Promise<void> {
    if (this.stopped) return;
    const decision = decideOnClose(statusCode, networkErrorCode);
    this.log.info({ statusCode, networkErrorCode, decision: decision.action }, 'socket closed');
    switch (decision.action) {
      case 'restart':
        this.report({ state: 'connecting' });
        this.openSocket();
        return;
      case 'logged_out':
        this.stop();
        await this.wipeCredentials(decision.reason);
        return;
      case 'replaced':
        this.stop();
        this.finish({ state: 'replaced', reason: decision.reason });
        return;
      case 'retry':
        this.scheduleRetry(decision.reason);
        return;
    }
  }

  /** Tries again after the back-off, or gives up with `failed` once the attempts have gone on too long. */
  private scheduleRetry(reason: string): void {
    // A linked session waits out a network outage; one being linked has someone waiting for its QR code.
    const { linkedMs, unlinkedMs } = this.settings.giveUpAfter;
    const now = this.settings.clock.now().getTime();
    const delay = this.retries.next(now, this.auth.state.creds.account ? linkedMs : unlinkedMs);
    if (delay === null) {
      this.stop();
      this.finish({ state: 'failed', reason });
      return;
    }
    this.report({ state: 'disconnected', reason, attempts: this.retries.attempts, retryAt: new Date(now + delay) });
    // One retry pending at a time: two would each open a socket.
    this.retryWait?.abort();
    this.retryWait = new AbortController();
    this.settings.clock.sleep(delay, { signal: AbortSignal.any([this.lifetime.signal, this.retryWait.signal]) }).then(
      () => this.guard('reconnect', () => this.openSocket()),
      () => undefined,
    );
  }

  private onConnectTimeout(record: SocketRecord): void {
    if (this.current !== record || record.open) return;
    this.log.warn({ timeoutMs: this.settings.connectTimeoutMs }, 'no QR code nor login in time; ending the socket');
    // A server that never answers (an upgrade refused, a proxy eating the socket) is a failed attempt like
    // any other: retried, then given up as `failed`, never a hang. The socket is dropped first, so that
    // whatever Baileys reports about it later is ignored.
    this.current = null;
    void record.end(this.log);
    this.scheduleRetry('connect_timeout');
  }

  private fail(record: SocketRecord, reason: string): void {
    this.stop();
    this.current = null;
    void record.end(this.log);
    this.finish({ state: 'failed', reason });
  }

  private async wipeCredentials(reason: string): Promise<void> {
    // No write may land after the wipe, or it would resurrect part of what is cleared.
    this.auth.freeze();
    await this.auth.flushed();
    try {
      await this.options.auth.clear();
    } catch (error) {
      this.log.error({ err: error }, 'could not clear credentials after logout');
    }
    this.finish({ state: 'logged_out', reason });
  }

  /** What Baileys needs to answer a retry request: the stored message's content. */
  private async storedContent(key: WAMessageKey): Promise<NonNullable<WAMessage['message']> | undefined> {
    if (!key.id) return undefined;
    try {
      const stored = await this.options.getMessage(key.id);
      return stored?.raw ? (deserialiseMessage(this.baileys, stored.raw).message ?? undefined) : undefined;
    } catch (error) {
      this.log.warn({ err: error, messageId: key.id }, 'could not load a stored message for Baileys');
      return undefined;
    }
  }

  private report(state: LinkState): void {
    this.emit('onState', () => this.options.listener.onState(state));
  }

  private emit(name: string, call: () => void): void {
    callListener(this.log, name, call);
  }

  private guard(name: string, run: () => unknown): void {
    runHandler(this.log, name, run);
  }
}
