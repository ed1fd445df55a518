import type {
  AnyMessageContent,
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
  GroupInfo,
  IncomingMessage,
  LinkState,
  OutgoingMedia,
  OutgoingResult,
  ReceiptStatus,
  SeenContact,
  SendOptions,
  StoredMessage,
} from '../transport.js';
import type { StoredAuthState } from './baileys-auth-state.js';
import { toBaileysLogger } from './baileys-logger.js';
import type { BaileysModule } from './baileys-module.js';
import {
  deserialiseMessage,
  isLidJid,
  isPhoneJid,
  RECEIPT_BY_STATUS,
  serialiseMessage,
  toIncomingMessage,
  userOf,
  withoutDevice,
  type SenderAddress,
} from './message-mapping.js';
import { decideOnClose, ReconnectSchedule, type BackoffBounds, type GiveUpAfter } from './reconnect-policy.js';

/** Settings of a connection, defaults applied. */
export interface ConnectionSettings {
  waWebSocketUrl: string | undefined;
  browser: [string, string, string] | undefined;
  connectTimeoutMs: number;
  maxQrRefreshes: number;
  backoff: BackoffBounds;
  /** How long failed attempts (closes, connect timeouts) go on before the link is given up as `failed`. */
  giveUpAfter: GiveUpAfter;
  /** Where the give-up time and next retry times are read from. */
  clock: Clock;
  logger: Logger;
}

/** How long `close()` waits for Baileys to confirm the socket closed. */
const CLOSE_WAIT_MS = 3_000;
/** Ids remembered for deduplication and receipt ranking (per connection). */
const REMEMBERED_IDS = 5_000;

/** Receipt progress; `failed` is terminal and only taken before delivery. */
const RECEIPT_RANK: Record<ReceiptStatus, number> = { sent: 1, delivered: 2, read: 3, failed: 10 };

/** A Map that forgets its oldest entries past a size: memory stays bounded on long-lived sessions. */
class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly limit: number) {
    super();
  }
  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.limit) this.delete(this.keys().next().value as K);
    return super.set(key, value);
  }
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** One Baileys socket and what is known about it. A socket is single-use: each reconnect makes a new one. */
interface SocketRecord {
  sock: WASocket;
  open: boolean;
  /** Resolves with the first QR code (pairing codes are requested only after it). */
  firstQr: ReturnType<typeof deferred<void>>;
  /** Resolves when Baileys reported the socket closed. */
  closed: ReturnType<typeof deferred<void>>;
  /** A pairing code was requested on this socket: its later QR codes are not shown. */
  pairing: boolean;
  watchdog: NodeJS.Timeout | undefined;
}

/**
 * One session's link through Baileys: it owns the successive sockets, reconnects by close code,
 * persists credentials, and turns Baileys' events into the port's listener calls. An error in any
 * handler is logged and contained: one session's crash never reaches another, nor the process.
 */
export class BaileysConnection implements Connection {
  private current: SocketRecord | null = null;
  /** Closed, logged out, replaced or failed: no socket is made any more. */
  private stopped = false;
  /** The final state reported (logged_out, replaced, failed or the closed disconnection), if any. */
  private finalState: LinkState | null = null;

  private readonly retries: ReconnectSchedule;
  private qrShown = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly seenIncoming = new BoundedMap<string, true>(REMEMBERED_IDS);
  private readonly ownSends = new BoundedMap<string, true>(REMEMBERED_IDS);
  private readonly receiptRanks = new BoundedMap<string, number>(REMEMBERED_IDS);
  private readonly log: Logger;

  constructor(
    private readonly baileys: BaileysModule,
    private readonly auth: StoredAuthState,
    private readonly options: ConnectOptions,
    private readonly settings: ConnectionSettings,
  ) {
    this.log = settings.logger.child({ session: options.sessionId, transport: 'baileys' });
    this.retries = new ReconnectSchedule(settings.backoff);
  }

  /** Opens the first socket. */
  start(): void {
    this.openSocket();
  }

  newMessageId(): string {
    return this.baileys.generateMessageIDV2(this.auth.state.creds.me?.id);
  }

  async sendText(to: string, text: string, options: SendOptions): Promise<OutgoingResult> {
    const content: AnyMessageContent = options.mentions?.length ? { text, mentions: options.mentions } : { text };
    return this.send(to, content, options);
  }

  async sendMedia(to: string, media: OutgoingMedia, options: SendOptions): Promise<OutgoingResult> {
    const caption = media.caption ? { caption: media.caption } : {};
    const mentions = options.mentions?.length ? { mentions: options.mentions } : {};
    let content: AnyMessageContent;
    switch (media.type) {
      case 'image':
        content = { image: media.data, mimetype: media.mimetype, ...caption, ...mentions };
        break;
      case 'video':
        content = { video: media.data, mimetype: media.mimetype, ...caption, ...mentions };
        break;
      case 'audio':
        content = { audio: media.data, mimetype: media.mimetype, ptt: false };
        break;
      case 'document':
        content = {
          document: media.data,
          mimetype: media.mimetype,
          fileName: media.filename ?? 'file',
          ...caption,
          ...mentions,
        };
        break;
    }
    return this.send(to, content, options);
  }

  async requestPairingCode(phone: string): Promise<string> {
    if (this.auth.state.creds.account) throw new KirimError('conflict', 'this session is already linked');
    const record = this.current;
    if (!record || this.stopped) throw new KirimError('unavailable', 'the session is not connecting');
    // Baileys sends the request over the registration socket: it must have shown its first QR code.
    const shown = await Promise.race([
      record.firstQr.promise.then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), this.settings.connectTimeoutMs).unref()),
    ]);
    if (!shown || record !== this.current) throw new KirimError('unavailable', 'the session is not ready for linking');
    record.pairing = true;
    const code = await record.sock.requestPairingCode(phone.replace(/\D/g, ''));
    this.report({ state: 'pairing_code', code });
    return code;
  }

  async listGroups(): Promise<GroupInfo[]> {
    const sock = this.openSocketOrThrow();
    const groups = await sock.groupFetchAllParticipating();
    return Object.values(groups).map((group) => ({
      jid: group.id,
      subject: group.subject,
      description: group.desc ?? null,
      owner: group.ownerPn ?? group.owner ?? null,
      participants: group.participants.map((participant) => {
        const phoneJid = isPhoneJid(participant.id) ? participant.id : participant.phoneNumber;
        const lidJid = isLidJid(participant.id) ? participant.id : participant.lid;
        return {
          jid: participant.id,
          phone: phoneJid ? userOf(phoneJid) : null,
          lid: lidJid ? withoutDevice(lidJid) : null,
          admin: participant.admin === 'admin' || participant.admin === 'superadmin',
        };
      }),
      createdAt: group.creation ? new Date(group.creation * 1000) : null,
    }));
  }

  async checkNumbers(phones: string[]): Promise<Array<{ phone: string; jid: string | null; exists: boolean }>> {
    const sock = this.openSocketOrThrow();
    const digits = phones.map((phone) => phone.replace(/\D/g, ''));
    const results = (await sock.onWhatsApp(...digits)) ?? [];
    return digits.map((phone) => {
      const found = results.find((result) => userOf(result.jid) === phone);
      return { phone, jid: found?.exists ? found.jid : null, exists: !!found?.exists };
    });
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
    if (record) await this.endSocket(record);
    await this.wipeCredentials('logout');
  }

  async close(): Promise<void> {
    const record = this.current;
    this.stop();
    if (record) await this.endSocket(record);
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

  private stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
  }

  private openSocketOrThrow(): WASocket {
    const record = this.current;
    if (!record?.open) throw new KirimError('unavailable', 'the session is not connected');
    return record.sock;
  }

  private async send(to: string, content: AnyMessageContent, options: SendOptions): Promise<OutgoingResult> {
    const sock = this.openSocketOrThrow();
    this.ownSends.set(options.messageId, true);
    const quoted = options.quoted ? this.quotable(options.quoted) : undefined;
    const sent = await sock.sendMessage(to, content, { messageId: options.messageId, ...(quoted ? { quoted } : {}) });
    if (!sent?.key.id) throw new KirimError('internal', 'Baileys returned no message');
    return { messageId: sent.key.id, raw: serialiseMessage(this.baileys, sent) };
  }

  /** Baileys needs the whole quoted message (key and content); a stored message without raw gets an empty body. */
  private quotable(stored: StoredMessage): WAMessage {
    if (stored.raw) return deserialiseMessage(this.baileys, stored.raw);
    return {
      key: {
        remoteJid: stored.chat,
        id: stored.messageId,
        fromMe: stored.fromMe,
        ...(stored.participant ? { participant: stored.participant } : {}),
      },
      message: { conversation: '' },
    };
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
    const record: SocketRecord = {
      sock,
      open: false,
      firstQr: deferred(),
      closed: deferred(),
      pairing: false,
      watchdog: undefined,
    };
    this.current = record;
    // A refused WebSocket upgrade leaves Baileys "connecting" forever, without any event.
    record.watchdog = setTimeout(
      () => this.guard('connect watchdog', () => this.onConnectTimeout(record)),
      this.settings.connectTimeoutMs,
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
      live('messages.upsert', ({ messages }: { messages: WAMessage[] }) => this.onUpsert(record, messages)),
    );
    sock.ev.on(
      'messages.update',
      live('messages.update', (updates: WAMessageUpdate[]) => this.onMessageUpdates(updates)),
    );
    sock.ev.on(
      'message-receipt.update',
      live('message-receipt.update', (updates: MessageUserReceiptUpdate[]) => this.onUserReceipts(updates)),
    );
    sock.ev.on(
      'contacts.upsert',
      live('contacts.upsert', (contacts: Contact[]) => this.onContacts(contacts)),
    );
    sock.ev.on(
      'contacts.update',
      live('contacts.update', (contacts: Partial<Contact>[]) => this.onContacts(contacts)),
    );
    // The server's ack of a sent stanza: the only "sent" signal (Baileys emits no status for it).
    sock.ws.on(
      'CB:ack,class:message',
      live('ack', (node: BinaryNode) => this.onServerAck(node)),
    );
  }

  private onConnectionUpdate(record: SocketRecord, update: Partial<ConnectionState>): void {
    if (update.qr) {
      clearTimeout(record.watchdog);
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
      clearTimeout(record.watchdog);
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
      clearTimeout(record.watchdog);
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
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.guard('reconnect', () => this.openSocket()), delay);
  }

  private onConnectTimeout(record: SocketRecord): void {
    if (this.current !== record || record.open) return;
    this.log.warn({ timeoutMs: this.settings.connectTimeoutMs }, 'no QR code nor login in time; ending the socket');
    // A server that never answers (an upgrade refused, a proxy eating the socket) is a failed attempt like
    // any other: retried, then given up as `failed`, never a hang. The socket is dropped first, so that
    // whatever Baileys reports about it later is ignored.
    this.current = null;
    void this.endSocket(record);
    this.scheduleRetry('connect_timeout');
  }

  private fail(record: SocketRecord, reason: string): void {
    this.stop();
    this.current = null;
    void this.endSocket(record);
    this.finish({ state: 'failed', reason });
  }

  private async endSocket(record: SocketRecord): Promise<void> {
    clearTimeout(record.watchdog);
    try {
      // `end` is async in Baileys 7: its rejection is logged as a throw is.
      record.sock.end(undefined).catch((error: unknown) => this.log.debug({ err: error }, 'ending socket'));
    } catch (error) {
      this.log.debug({ err: error }, 'ending socket');
    }
    await Promise.race([record.closed.promise, new Promise((resolve) => setTimeout(resolve, CLOSE_WAIT_MS).unref())]);
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

  private async onUpsert(record: SocketRecord, messages: WAMessage[]): Promise<void> {
    for (const message of messages) {
      const id = message.key.id;
      if (!id) continue;
      if (message.key.fromMe && this.ownSends.has(id)) {
        // Our own send echoed back. Receipts that arrived before this echo are folded into it: 1:1
        // receipts into its status, group receipts into its per-participant `userReceipt`.
        const chat = message.key.remoteJid ?? '';
        if (typeof message.status === 'number') this.onStatus(id, message.status, chat);
        for (const receipt of message.userReceipt ?? []) this.onUserReceipt(id, receipt, chat);
        continue;
      }
      // The same message can come as `append` (offline backlog) and `notify`: report it once.
      if (this.seenIncoming.has(id)) continue;
      this.seenIncoming.set(id, true);
      const incoming = await this.toIncoming(record.sock, message);
      if (incoming) this.emit('onMessage', () => this.options.listener.onMessage(incoming));
    }
  }

  private async toIncoming(sock: WASocket, message: WAMessage): Promise<IncomingMessage | null> {
    const key = message.key;
    const chat = key.remoteJid ?? '';
    const isGroup = chat.endsWith('@g.us');
    const me = this.auth.state.creds.me;
    const from = key.fromMe ? (me?.id ? withoutDevice(me.id) : chat) : ((isGroup ? key.participant : chat) ?? chat);
    const alternative = key.fromMe ? me?.lid : isGroup ? key.participantAlt : key.remoteJidAlt;
    const sender = await this.resolveSender(sock, from, alternative ?? undefined);
    const raw = serialiseMessage(this.baileys, message);
    return toIncomingMessage(this.baileys, message, sender, from, raw);
  }

  /** Both addresses of a sender: from the message's alternate address, else from Baileys' LID mapping store. */
  private async resolveSender(
    sock: WASocket,
    primary: string,
    alternative: string | undefined,
  ): Promise<SenderAddress> {
    let phone = isPhoneJid(primary) ? userOf(primary) : isPhoneJid(alternative) ? userOf(alternative) : null;
    let lid = isLidJid(primary) ? withoutDevice(primary) : isLidJid(alternative) ? withoutDevice(alternative) : null;
    try {
      if (!phone && lid) {
        const pn = await sock.signalRepository.lidMapping.getPNForLID(lid);
        // The store answers with a device suffix (`:0`): keep the number only.
        if (pn) phone = userOf(pn);
      } else if (phone && !lid) {
        const found = await sock.signalRepository.lidMapping.getLIDForPN(`${phone}@s.whatsapp.net`);
        if (found) lid = withoutDevice(found);
      }
    } catch (error) {
      this.log.debug({ err: error }, 'LID mapping lookup failed');
    }
    return { phone, lid };
  }

  private onMessageUpdates(updates: WAMessageUpdate[]): void {
    for (const { key, update } of updates) {
      if (key.fromMe && key.id && typeof update.status === 'number')
        this.onStatus(key.id, update.status, key.remoteJid ?? '');
    }
  }

  /** Group receipts come per participant: the first delivery or read moves the message. */
  private onUserReceipts(updates: MessageUserReceiptUpdate[]): void {
    for (const { key, receipt } of updates) {
      if (key.fromMe && key.id) this.onUserReceipt(key.id, receipt, key.remoteJid ?? '');
    }
  }

  private onUserReceipt(messageId: string, receipt: MessageUserReceiptUpdate['receipt'], chat: string): void {
    // A receipt folded from several carries several timestamps: delivered, then read, each raise once.
    if (receipt.receiptTimestamp) this.reportReceipt(messageId, 'delivered', chat);
    if (receipt.readTimestamp || receipt.playedTimestamp) this.reportReceipt(messageId, 'read', chat);
  }

  private onServerAck(node: BinaryNode): void {
    const { id, from, error } = node.attrs;
    if (id) this.reportReceipt(id, error ? 'failed' : 'sent', from ?? '');
  }

  private onStatus(messageId: string, status: number, chat: string): void {
    const receipt = RECEIPT_BY_STATUS[status];
    if (receipt) this.reportReceipt(messageId, receipt, chat);
  }

  /** Reports a receipt only if it raises the message's status (receipts come folded, repeated or out of order). */
  private reportReceipt(messageId: string, status: ReceiptStatus, chat: string): void {
    const current = this.receiptRanks.get(messageId) ?? 0;
    const rank = RECEIPT_RANK[status];
    if (rank <= current || (status === 'failed' && current >= RECEIPT_RANK.delivered)) return;
    this.receiptRanks.set(messageId, rank);
    this.emit('onReceipt', () => this.options.listener.onReceipt({ messageId, status, chat }));
  }

  private onContacts(contacts: Array<Partial<Contact>>): void {
    const seen: SeenContact[] = contacts.flatMap((contact) => {
      if (!contact.id) return [];
      const phoneJid = isPhoneJid(contact.id) ? contact.id : contact.phoneNumber;
      const lidJid = isLidJid(contact.id) ? contact.id : contact.lid;
      return [
        {
          jid: withoutDevice(contact.id),
          phone: phoneJid ? userOf(phoneJid) : null,
          lid: lidJid ? withoutDevice(lidJid) : null,
          name: contact.name ?? contact.notify ?? contact.verifiedName ?? null,
        },
      ];
    });
    if (seen.length) this.emit('onContacts', () => this.options.listener.onContacts(seen));
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

  /** Calls a listener; listeners must not throw, and if one does, the session goes on. */
  private emit(name: string, call: () => void): void {
    try {
      call();
    } catch (error) {
      this.log.error({ err: error, listener: name }, 'transport listener threw');
    }
  }

  /** Runs a handler, logging (never rethrowing) what it throws or rejects with. */
  private guard(name: string, run: () => unknown): void {
    try {
      const result = run();
      if (result instanceof Promise)
        result.catch((error) => this.log.error({ err: error, handler: name }, 'Baileys event handler failed'));
    } catch (error) {
      this.log.error({ err: error, handler: name }, 'Baileys event handler failed');
    }
  }
}
