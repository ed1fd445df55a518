import { systemClock, type Clock } from '../clock.js';
import type {
  ContactPresence,
  ConnectOptions,
  Connection,
  GroupInfo,
  IncomingMessage,
  LinkState,
  OutgoingContent,
  OutgoingKind,
  OutgoingMedia,
  OutgoingResult,
  PresenceState,
  ReceiptStatus,
  SeenContact,
  SendOptions,
  StoredMessage,
  Transport,
} from '../transport/transport.js';
import { SimulatedConnection, type SessionEvent, type SessionRecord } from './simulated-network-connection.js';
import { NetworkCalls, type SimulatedCalls } from './simulated-network-calls.js';
import {
  digitsFor,
  drawChars,
  isPhoneNumber,
  parseJid,
  secureRandom,
  seededRandom,
  userJid,
} from './simulated-network-ids.js';
import {
  Phone,
  type PhoneMessage,
  type PhoneMessageType,
  type PhoneSendOptions,
  type SimulatedPhone,
  type SimulatedPhoneOptions,
} from './simulated-network-phone.js';
import { SimulatedMediaHost } from './simulated-network-media.js';
import {
  memberChangesGroup,
  newSimulatedGroup,
  type MemberGroupChange,
  type SimulatedGroup as Group,
} from './simulated-network-groups.js';
import type { SimulatedNumberCheck } from './simulated-network-profiles.js';
import {
  incomingContent,
  incomingMedia,
  isAction,
  messageUpdate,
  type PollVoteContent,
  type WireAction,
} from './simulated-network-received.js';

/** Options of `createSimulatedNetwork`. */
export interface SimulatedNetworkOptions {
  /** Where time comes from; default the system clock. Pass a `ManualClock` and nothing timed happens until `advance`. */
  clock?: Clock;
  /** Links each new session to a generated phone this many ms after its first QR (the server's try-out mode); default null (never). */
  autoLinkAfterMs?: number | null;
  /** Time of each hop: a message reaching its recipient, a receipt coming back; default 0 (the next microtask). */
  latencyMs?: number;
  /**
   * Seed of LIDs and try-out phone numbers (default 1: the same on every start). Given, it also seeds
   * message ids, group JIDs, QR and pairing codes, so a run repeats exactly; otherwise those are random,
   * never repeated by a later start.
   */
  seed?: number;
}

/** A message a session sent over the network. */
export interface SimulatedSend {
  sessionId: string;
  /** The sending account's phone number. */
  from: string;
  /** The JID it was sent to. */
  to: string;
  messageId: string;
  /** The kind of content sent, as the session gave it. */
  kind: OutgoingKind;
  /** The content as the session gave it. */
  content: OutgoingContent;
  /** What the message is (a forward's: what it forwarded); an action (reaction, edit, revoke) is its kind. */
  type: PhoneMessageType | 'reaction' | 'edit' | 'revoke';
  /** The text, the media's caption, or an edit's new text. */
  text: string | null;
  media: OutgoingMedia | null;
  quotedId: string | null;
  mentions: string[];
  at: Date;
}

/** A presence a session showed. */
export interface SimulatedPresence {
  sessionId: string;
  state: PresenceState;
  /** The chat it was shown in; null for the account's own (`available`, `unavailable`). */
  chat: string | null;
  at: Date;
}

/** A session as the network sees it. */
export interface SimulatedSessionInfo {
  sessionId: string;
  /** The phone number it is linked to, if any. */
  phone: string | null;
  /** Its newest connection's state; `closed` once that connection was closed. */
  state: LinkState['state'] | 'closed';
}

/** A group to create; the owner and participants are phone numbers. */
export interface CreateGroupInput {
  subject: string;
  owner: string;
  participants: string[];
  description?: string | null;
}

/** A simulated WhatsApp network: a `Transport` to give the engine, phones to play, faults to inject. */
export interface SimulatedNetwork {
  /** The transport (`name` is `simulated`). */
  readonly transport: Transport;
  /** Every message sessions sent over the network, in order (truncate it freely). */
  readonly sent: SimulatedSend[];
  /** Every presence sessions showed, in order (truncate it freely). */
  readonly presences: SimulatedPresence[];
  /** Every number check sessions asked WhatsApp, in order (truncate it freely). */
  readonly numberChecks: SimulatedNumberCheck[];
  /**
   * The phone with this number (digits), created on first use with the given settings, or updated by them.
   * A number never mentioned behaves as a phone on WhatsApp: messages to it are delivered.
   */
  phone(number: string, options?: SimulatedPhoneOptions): SimulatedPhone;
  /** Creates a group and returns it as `connection.groups.list()` does; its JID is `<digits>@g.us`. */
  createGroup(input: CreateGroupInput): GroupInfo;
  /** Links the session waiting for a QR scan or pairing code to this phone, as a scan would. */
  link(sessionId: string, phone: string): Promise<void>;
  /** Every session that ever connected, in order of first connection. */
  sessions(): SimulatedSessionInfo[];
  /** Drops the session's link: `disconnected`, then reconnection after back-off; attempts keep failing for `downForMs` (default 0). */
  dropLink(sessionId: string, downForMs?: number): void;
  /** WhatsApp's copy of a message's media expires: downloads fail with `MediaGoneError` until the phone uploads it again. */
  expireMedia(messageId: string): void;
  /** How many times the phone was asked to upload a message's media again. */
  mediaReuploads(messageId: string): number;
  /** Unlinks the session from its phone: `logged_out`, and its AuthStore cleared. */
  logOut(sessionId: string): Promise<void>;
  /** Another client takes the session over: `replaced`; credentials are kept. */
  replace(sessionId: string): void;
  /** Makes each send of the session take `ms` of clock time (0 restores). */
  slowLink(sessionId: string, ms: number): void;
  /** Makes the session's sends reject with an Error carrying this message (null restores). */
  refuseSends(sessionId: string, reason: string | null): void;
  /** Bans a phone: its sessions are `logged_out` (reason `banned`) with credentials cleared, and it links no more. */
  ban(phone: string): Promise<void>;
  /** Takes a phone off line (messages to it wait) or back on line (they arrive). */
  setOnline(phone: string, online: boolean): void;
  /**
   * Delivers again every message and change the session was told of, as WhatsApp does when a device's
   * acknowledgements were lost (Baileys replays them after a reconnect): the engine must keep each once.
   */
  redeliver(sessionId: string): void;
  /** A member's phone changes a group as from WhatsApp (leaves it, or renames it): the members' sessions are told. */
  changeGroup(group: string, phone: string, change: MemberGroupChange): void;
  /** Phones calling the sessions' accounts; each call records whether the session rejected it. */
  readonly calls: SimulatedCalls;
}

/** Creates a simulated WhatsApp network; see {@link SimulatedNetworkOptions} for the defaults. */
export function createSimulatedNetwork(options: SimulatedNetworkOptions = {}): SimulatedNetwork {
  return new Network(options);
}

/** A message in flight: what was sent, by whom, to which chat. */
interface WireMessage {
  /** What was sent; a forward carries the forwarded message's content. */
  content: Exclude<OutgoingContent, { kind: 'forward' }> | PollVoteContent;
  forwarded: boolean;
  messageId: string;
  /** The JID the sender addressed. */
  to: string;
  group: string | null;
  from: Phone;
  fromSession: string | null;
  quotedId: string | null;
  mentions: string[];
  at: Date;
}

/** A message's content that shows as a message (not a poll vote, which only changes one). */
type ShownContent = Exclude<WireMessage['content'], PollVoteContent>;

/**
 * A session's sent message whose receipts are still to come, with how many recipients have yet to get and
 * to read it (each recipient acknowledges each once: it receives a message once and reads it once).
 */
interface Tracked {
  sessionId: string;
  chat: string;
  status: ReceiptStatus | null;
  undelivered: number;
  unread: number;
}

const RECEIPT_RANK: Record<ReceiptStatus, number> = { failed: 0, sent: 1, delivered: 2, read: 3 };
const DIGITS = '0123456789';
const HEX = '0123456789ABCDEF';
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
// The alphabet of WhatsApp's pairing codes: no 0, I, O or U, which are read wrongly.
const PAIRING_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTVWXYZ';

/** The network behind {@link SimulatedNetwork}; its extra members are for the connections and phones. */
export class Network implements SimulatedNetwork {
  readonly transport: Transport;
  readonly sent: SimulatedSend[] = [];
  readonly presences: SimulatedPresence[] = [];
  readonly numberChecks: SimulatedNumberCheck[] = [];
  readonly calls = new NetworkCalls(this, (sessionId) => this.record(sessionId));
  readonly clock: Clock;
  private readonly latencyMs: number;
  private readonly autoLinkAfterMs: number | null;
  private readonly seed: number;
  private readonly random: () => number;
  private readonly phones = new Map<string, Phone>();
  private readonly phonesByLid = new Map<string, Phone>();
  readonly groups = new Map<string, Group>();
  private readonly records = new Map<string, SessionRecord>();
  private readonly tracked = new Map<string, Tracked>();
  /** Messages waiting for their recipient to come back on line, by phone number. */
  private readonly held = new Map<string, WireMessage[]>();
  /** The messages and changes each session was told of, by session id, for `redeliver`. */
  private readonly told = new Map<string, SessionEvent[]>();
  /** The bytes of media sent, by message id: downloads and forwards find them here, since `raw` does not carry them. */
  readonly media = new SimulatedMediaHost();

  constructor(options: SimulatedNetworkOptions) {
    this.clock = options.clock ?? systemClock;
    this.latencyMs = options.latencyMs ?? 0;
    this.autoLinkAfterMs = options.autoLinkAfterMs ?? null;
    this.seed = options.seed ?? 1;
    // A stream seeded the same on every start would give a restarted server the ids it already stored.
    this.random = options.seed === undefined ? secureRandom() : seededRandom(options.seed);
    this.transport = {
      name: 'simulated',
      connect: (connectOptions) => this.connect(connectOptions),
      downloadMedia: async (message) => this.media.download(message),
    };
  }

  // ---- controls -------------------------------------------------------------------------------

  phone(number: string, options: SimulatedPhoneOptions = {}): SimulatedPhone {
    const phone = this.numbered(number);
    phone.configure(options);
    return phone;
  }

  createGroup(input: CreateGroupInput): GroupInfo {
    const members = [...new Set([input.owner, ...input.participants])];
    for (const number of members) this.numbered(number);
    const jid = this.newGroupJid();
    const group = newSimulatedGroup({
      jid,
      subject: input.subject,
      description: input.description ?? null,
      owner: input.owner,
      participants: members,
      createdAt: this.clock.now(),
    });
    this.groups.set(jid, group);
    return this.groupInfo(group);
  }

  async link(sessionId: string, phone: string): Promise<void> {
    const connection = this.record(sessionId).connection;
    if (!connection?.awaitingLink) throw new Error(`Session ${sessionId} is not waiting to be linked`);
    await connection.link(this.numbered(phone));
  }

  sessions(): SimulatedSessionInfo[] {
    return [...this.records.values()].map((record) => ({
      sessionId: record.sessionId,
      phone: record.phone?.number ?? null,
      state: !record.connection || record.connection.closed ? 'closed' : record.connection.state.state,
    }));
  }

  expireMedia(messageId: string): void {
    this.media.expire(messageId);
  }

  mediaReuploads(messageId: string): number {
    return this.media.reuploads(messageId);
  }

  dropLink(sessionId: string, downForMs = 0): void {
    const record = this.record(sessionId);
    if (!record.connection || record.connection.ended) throw new Error(`Session ${sessionId} has no open link to drop`);
    record.downUntil = this.clock.now().getTime() + downForMs;
    record.connection.drop('connection lost');
  }

  async logOut(sessionId: string): Promise<void> {
    const record = this.record(sessionId);
    this.unlink(record);
    await record.connection?.auth.clear();
    record.connection?.end({ state: 'logged_out', reason: 'unlinked from the phone' });
  }

  replace(sessionId: string): void {
    this.record(sessionId).connection?.end({ state: 'replaced', reason: 'another client took over the session' });
  }

  slowLink(sessionId: string, ms: number): void {
    this.record(sessionId).slowMs = ms;
  }

  refuseSends(sessionId: string, reason: string | null): void {
    this.record(sessionId).refusal = reason;
  }

  async ban(number: string): Promise<void> {
    const phone = this.numbered(number);
    phone.banned = true;
    for (const record of this.recordsOf(phone)) {
      this.unlink(record);
      await record.connection?.auth.clear();
      record.connection?.end({ state: 'logged_out', reason: 'banned' });
    }
  }

  setOnline(number: string, online: boolean): void {
    const phone = this.numbered(number);
    phone.online = online;
    if (!online) return;
    const waiting = this.held.get(number) ?? [];
    this.held.delete(number);
    for (const message of waiting) this.route(message, [phone]);
  }

  redeliver(sessionId: string): void {
    const record = this.record(sessionId);
    for (const event of this.told.get(sessionId) ?? []) this.notify(record, event);
  }

  changeGroup(group: string, phone: string, change: MemberGroupChange): void {
    memberChangesGroup(this, group, phone, change);
  }

  // ---- for connections and phones -------------------------------------------------------------

  /** The phone with this number, created (named `name`) if new. */
  account(number: string, name: string | null = null): Phone {
    let phone = this.phones.get(number);
    if (!phone) {
      phone = new Phone(this, number);
      phone.name = name;
      this.phones.set(number, phone);
    }
    return phone;
  }

  /** A phone's LID, derived from its number and the seed; from then on the phone is found by it. */
  assignLid(phone: Phone): string {
    const lid = `${digitsFor(`${this.seed}:lid:${phone.number}`, 15)}@lid`;
    this.phonesByLid.set(lid, phone);
    return lid;
  }

  /** Waits one hop of latency; with none, just lets the caller's own call finish first. */
  hop(): Promise<void> {
    return this.wait(this.latencyMs);
  }

  newMessageId(): string {
    return `3EB0${drawChars(this.random, HEX, 18)}`;
  }

  /** A group JID no group of this network has; drawn like message ids, so a restart never reissues a stored one. */
  newGroupJid(): string {
    let jid: string;
    do jid = `120363${drawChars(this.random, DIGITS.slice(1), 1)}${drawChars(this.random, DIGITS, 11)}@g.us`;
    while (this.groups.has(jid));
    return jid;
  }

  newPairingCode(): string {
    return drawChars(this.random, PAIRING_ALPHABET, 8);
  }

  newQr(): string {
    return `2@${drawChars(this.random, BASE64, 24)},${drawChars(this.random, BASE64, 43)}=,simulated`;
  }

  /** In try-out mode, links a session waiting for its first QR after `autoLinkAfterMs`: to the phone a pairing code was asked for, or to one made up from the session id. */
  scheduleAutoLink(connection: SimulatedConnection): void {
    if (this.autoLinkAfterMs === null) return;
    void this.wait(this.autoLinkAfterMs).then(() => {
      if (!connection.awaitingLink) return;
      const number =
        connection.pairing?.phone ?? `628${digitsFor(`${this.seed}:auto:${connection.record.sessionId}`, 9)}`;
      const phone = this.account(number, `Simulated ${number.slice(-4)}`);
      if (!phone.banned) return connection.link(phone);
    });
  }

  async linkByQr(phone: Phone, qr: string): Promise<void> {
    const connection = this.awaitingLink().find((c) => c.qr === qr);
    if (!connection) throw new Error('This QR code has expired or belongs to no session');
    await connection.link(phone);
  }

  async linkByPairingCode(phone: Phone, code: string): Promise<void> {
    const connection = this.awaitingLink().find((c) => c.pairing?.code === code.toUpperCase());
    if (!connection) throw new Error('This pairing code has expired or belongs to no session');
    if (connection.pairing?.phone !== phone.number)
      throw new Error(`This pairing code was requested for another number than ${phone.number}`);
    await connection.link(phone);
  }

  /** Forgets the session's link to its phone, and what was waiting for it. */
  unlink(record: SessionRecord): void {
    record.phone = null;
    record.pending.length = 0;
  }

  /** Tells a session something now if it is connected, or once it is. */
  notify(record: SessionRecord, event: SessionEvent): void {
    if (record.connection?.connected) record.connection.dispatch(event);
    else record.pending.push(event);
  }

  groupsOf(phone: Phone): GroupInfo[] {
    return [...this.groups.values()].filter((g) => g.participants.includes(phone.number)).map((g) => this.groupInfo(g));
  }

  lookUp(number: string): { phone: string; jid: string | null; exists: boolean } {
    // A number nobody declared counts as on WhatsApp, as `phone()` documents.
    const exists = isPhoneNumber(number) && (this.phones.get(number)?.reachable ?? true);
    return { phone: number, jid: exists ? userJid(number) : null, exists };
  }

  contactsOf(phone: Phone): SeenContact[] {
    return [...phone.contacts.keys()].flatMap((number) => this.seenContact(phone, number) ?? []);
  }

  contactAdded(phone: Phone, number: string): void {
    const contact = this.seenContact(phone, number);
    if (!contact) return;
    for (const record of this.recordsOf(phone)) this.notify(record, { kind: 'contacts', contacts: [contact] });
  }

  async sendFromSession(
    connection: SimulatedConnection,
    to: string,
    content: OutgoingContent,
    options: SendOptions,
  ): Promise<OutgoingResult> {
    const from = connection.linkedPhone();
    const { record } = connection;
    if (record.refusal !== null) throw new Error(record.refusal);
    const recipients = this.recipients(to, from);
    const quotedId = options.quoted ? await this.quotedId(options.quoted, connection) : null;
    const carried = content.kind === 'forward' ? await this.forwarded(content.message, connection) : content;
    if (record.slowMs > 0) {
      await this.clock.sleep(record.slowMs);
      connection.linkedPhone();
    }
    const message = this.wire(to, from, record.sessionId, options.messageId, carried, quotedId, options.mentions ?? []);
    message.forwarded = content.kind === 'forward';
    const { messageId, mentions, at } = message;
    this.sent.push({
      sessionId: record.sessionId,
      from: from.number,
      to,
      messageId,
      kind: content.kind,
      content,
      ...shownAs(carried),
      quotedId,
      mentions,
      at,
    });
    const reachable = recipients.reduce((count, phone) => count + (phone.reachable ? 1 : 0), 0);
    const tracked: Tracked = {
      sessionId: record.sessionId,
      chat: to,
      status: null,
      undelivered: reachable,
      unread: reachable,
    };
    this.tracked.set(messageId, tracked);
    // The server's acknowledgement comes back after one hop, never inside the send itself.
    void this.hop().then(() => this.raise(messageId, tracked, 'sent'));
    this.route(message, recipients);
    return { messageId, raw: rawOf(message, carried) };
  }

  sendFromPhone(phone: Phone, to: string, content: WireMessage['content'], options: PhoneSendOptions): string {
    if (!phone.reachable) throw new Error(`${phone.number} cannot send: it is not on WhatsApp or is banned`);
    const jid = this.addressOf(to);
    const message = this.wire(
      jid,
      phone,
      null,
      this.newMessageId(),
      content,
      options.quoted ?? null,
      options.mentions ?? [],
    );
    this.route(message, this.recipients(jid, phone));
    return message.messageId;
  }

  markRead(phone: Phone, message: PhoneMessage): void {
    message.read = true;
    this.phones.get(message.from)?.readReceipts.add(message.messageId);
    void this.hop().then(() => this.acknowledge(message.messageId, 'read'));
  }

  /** A session reads messages of a chat its phone received: each unread one is read as the phone would. */
  readFromSession(connection: SimulatedConnection, chat: string, messageIds: string[]): void {
    const phone = connection.linkedPhone();
    for (const messageId of messageIds) {
      const message = phone.inbox.find((m) => m.messageId === messageId && m.chat === chat);
      if (message && !message.read) this.markRead(phone, message);
    }
  }

  /** A phone's chat state in a chat (`to` as a phone names it): the chat's other accounts' connected sessions hear it. */
  chatStateFromPhone(phone: Phone, to: string, state: 'composing' | 'recording' | 'paused'): void {
    const chat = this.addressOf(to);
    const group = parseJid(chat)?.kind === 'group' ? chat : null;
    // Groups address their members by LID, one-to-one chats by phone number, as messages do.
    const from = group ? phone.lid : userJid(phone.number);
    const presence = { chat: group ?? from, from, fromPhone: phone.number, state, lastSeen: null };
    for (const recipient of this.recipients(chat, phone))
      for (const record of this.recordsOf(recipient)) record.connection?.tellPresence(presence);
  }

  /** A phone came online or went off line: sessions subscribed to it hear it. */
  availabilityFromPhone(phone: Phone): void {
    for (const record of this.records.values())
      if (record.connection?.subscribedTo(phone.number)) record.connection.tellPresence(this.availabilityOf(phone));
  }

  /**
   * A session subscribes to a user's presence (a phone or LID JID), told at once, or a group's (its member's chat
   * states come unasked; a group has no availability). Returns the phone's number, or the group's JID.
   */
  subscribeToPresence(connection: SimulatedConnection, jid: string): string {
    const [phone] = this.recipients(jid, connection.linkedPhone());
    if (parseJid(jid)?.kind === 'group') return jid;
    connection.tellPresence(this.availabilityOf(phone!));
    return phone!.number;
  }

  private availabilityOf(phone: Phone): ContactPresence {
    const jid = userJid(phone.number);
    const away = phone.availability === 'unavailable';
    return {
      chat: jid,
      from: jid,
      fromPhone: phone.number,
      state: phone.availability,
      lastSeen: away ? phone.lastSeen : null,
    };
  }

  presenceFromSession(connection: SimulatedConnection, state: PresenceState, chat: string | null): void {
    connection.linkedPhone();
    if (chat !== null && !parseJid(chat)) throw new Error(`Not a WhatsApp address: ${chat}`);
    this.presences.push({ sessionId: connection.record.sessionId, state, chat, at: this.clock.now() });
  }

  // ---- internals ------------------------------------------------------------------------------

  private async connect(options: ConnectOptions): Promise<Connection> {
    const record = this.record(options.sessionId, true);
    const previous = record.connection;
    const connection = new SimulatedConnection(this, record, options);
    record.connection = connection;
    // Two live connections for one session: the newer wins, as WhatsApp replaces the older socket.
    previous?.end({ state: 'replaced', reason: 'another connection was opened for this session' });
    queueMicrotask(() => connection.open());
    return connection;
  }

  /** Waits `ms` of clock time; zero waits only for the current call to finish, since a `ManualClock` would wait for `advance`. */
  private wait(ms: number): Promise<void> {
    return ms > 0 ? this.clock.sleep(ms) : Promise.resolve();
  }

  /** The phone with this number, which must be digits with a country code. */
  private numbered(number: string): Phone {
    if (!isPhoneNumber(number)) throw new Error(`Not a phone number (digits with country code): ${number}`);
    return this.account(number);
  }

  private record(sessionId: string, create = false): SessionRecord {
    let record = this.records.get(sessionId);
    if (!record && create) {
      record = { sessionId, connection: null, phone: null, slowMs: 0, refusal: null, downUntil: 0, pending: [] };
      this.records.set(sessionId, record);
    }
    if (!record) throw new Error(`No simulated session ${sessionId} has connected`);
    return record;
  }

  recordsOf(phone: Phone): SessionRecord[] {
    return [...this.records.values()].filter((record) => record.phone === phone);
  }

  private awaitingLink(): SimulatedConnection[] {
    return [...this.records.values()].flatMap((record) => (record.connection?.awaitingLink ? [record.connection] : []));
  }

  /** A phone's way of naming whom to write to: a session id, a phone number or a JID. */
  private addressOf(to: string): string {
    const record = this.records.get(to);
    if (record) {
      if (!record.phone) throw new Error(`Session ${to} is not linked to a phone`);
      return userJid(record.phone.number);
    }
    return isPhoneNumber(to) ? userJid(to) : to;
  }

  /** Who receives a message `from` sends to this JID; throws as WhatsApp refuses a bad address. */
  private recipients(to: string, from: Phone): Phone[] {
    const jid = parseJid(to);
    if (!jid) throw new Error(`Not a WhatsApp address: ${to}`);
    if (jid.kind === 'user') return [this.account(jid.phone)];
    if (jid.kind === 'lid') {
      const phone = this.phonesByLid.get(jid.lid);
      if (!phone) throw new Error(`Unknown LID: ${to}`);
      return [phone];
    }
    // As Baileys reports WhatsApp's answer to the group metadata query it makes before a group send.
    const group = this.groups.get(jid.jid);
    if (!group) throw iqError('item-not-found', 404);
    if (!group.participants.includes(from.number)) throw iqError('forbidden', 403);
    return group.participants.filter((number) => number !== from.number).map((number) => this.account(number));
  }

  private wire(
    to: string,
    from: Phone,
    fromSession: string | null,
    messageId: string,
    content: WireMessage['content'],
    quotedId: string | null,
    mentions: string[],
  ): WireMessage {
    const group = parseJid(to)?.kind === 'group' ? to : null;
    if (content.kind === 'media') this.media.keep(messageId, content.media);
    const at = this.clock.now();
    return { content, forwarded: false, messageId, to, group, from, fromSession, quotedId, mentions, at };
  }

  /** A forward carries the message's content, read from its `raw` as Baileys does (the media from the network). */
  private async forwarded(stored: StoredMessage, connection: SimulatedConnection): Promise<ShownContent> {
    const raw = stored.raw ?? (await connection.getMessage(stored.messageId))?.raw ?? null;
    const content = raw === null ? null : contentOfRaw(raw);
    if (!content) throw new Error(`Cannot forward ${stored.messageId}: no stored content of this transport for it`);
    if (content.kind !== 'media') return content;
    const media = this.media.bytes(stored.messageId);
    if (!media) throw new Error(`Cannot forward ${stored.messageId}: its media is not on this network`);
    return { ...content, media };
  }

  /**
   * The id of a quoted message. Baileys needs the whole message to quote (a key alone throws a
   * TypeError), so the simulation does too: the quote must carry, or `getMessage` must serve, the
   * `raw` this transport produced for it. That keeps the engine's message store honest.
   */
  private async quotedId(quoted: StoredMessage, connection: SimulatedConnection): Promise<string> {
    const raw = quoted.raw ?? (await connection.getMessage(quoted.messageId))?.raw ?? null;
    if (raw === null || idOfRaw(raw) !== quoted.messageId) {
      throw new TypeError(`Cannot quote ${quoted.messageId}: no stored content of this transport for it`);
    }
    return quoted.messageId;
  }

  /** Takes a message to each recipient after one hop; an off-line recipient's waits until it is back. */
  private route(message: WireMessage, recipients: Phone[]): void {
    for (const phone of recipients) {
      if (!phone.reachable) continue;
      // WhatsApp keeps a blocked number's 1:1 messages from the account that blocked it.
      if (!message.group && phone.blocked.has(message.from.number)) continue;
      if (!phone.online) {
        const waiting = this.held.get(phone.number);
        if (waiting) waiting.push(message);
        else this.held.set(phone.number, [message]);
        continue;
      }
      void this.hop().then(() => this.arrive(phone, message));
    }
  }

  /** A message reaches an account: its phone's inbox and its linked sessions, then the delivery receipt goes back. */
  private arrive(phone: Phone, message: WireMessage): void {
    const chat = message.group ?? userJid(message.from.number);
    const { content } = message;
    if (isAction(content)) {
      // An action shows on the message it names, not as a message of its own.
      if (content.kind !== 'poll_vote') applyAction(phone, message.from.number, chat, content);
      const update = messageUpdate(content, { ...this.sender(message), chat, at: message.at });
      for (const record of this.recordsOf(phone))
        if (record.sessionId !== message.fromSession) this.tell(record, { kind: 'update', update });
      void this.hop().then(() => this.acknowledge(message.messageId, 'delivered'));
      return;
    }
    const received: PhoneMessage = {
      messageId: message.messageId,
      chat,
      from: message.from.number,
      fromSession: message.fromSession,
      ...shownAs(content),
      type: content.kind === 'media' ? content.media.type : content.kind,
      content,
      forwarded: message.forwarded,
      quotedId: message.quotedId,
      mentions: message.mentions,
      reactions: {},
      edited: false,
      revoked: false,
      receivedAt: this.clock.now(),
      read: false,
    };
    phone.inbox.push(received);
    for (const record of this.recordsOf(phone)) {
      if (record.sessionId !== message.fromSession)
        this.tell(record, { kind: 'message', message: this.incoming(message, content, received.type, chat) });
    }
    void this.hop().then(() => this.acknowledge(message.messageId, 'delivered'));
    if (phone.autoRead) this.markRead(phone, received);
  }

  /** Tells a session of a message or change, keeping it to deliver again. */
  tell(record: SessionRecord, event: SessionEvent): void {
    const told = this.told.get(record.sessionId);
    if (told) told.push(event);
    else this.told.set(record.sessionId, [event]);
    this.notify(record, event);
  }

  /** Who sent a message, as a recipient's linked session is told. */
  private sender(message: WireMessage): { from: string; fromPhone: string; fromMe: false } {
    // Groups address their participants by LID nowadays, one-to-one chats by phone number.
    return {
      from: message.group ? message.from.lid : userJid(message.from.number),
      fromPhone: message.from.number,
      fromMe: false,
    };
  }

  private incoming(
    message: WireMessage,
    content: Exclude<WireMessage['content'], WireAction>,
    type: PhoneMessageType,
    chat: string,
  ): IncomingMessage {
    return {
      messageId: message.messageId,
      chat,
      ...this.sender(message),
      fromLid: message.from.lid,
      pushName: message.from.name,
      type: INCOMING_TYPE[type],
      text: shownAs(content).text,
      media: incomingMedia(content),
      content: incomingContent(content),
      quotedMessageId: message.quotedId,
      timestamp: message.at,
      raw: rawOf(message, content),
    };
  }

  /** A recipient got or read a tracked message; the receipt moves once every recipient has. */
  private acknowledge(messageId: string, status: 'delivered' | 'read'): void {
    const tracked = this.tracked.get(messageId);
    if (!tracked) return;
    const waiting = status === 'delivered' ? --tracked.undelivered : --tracked.unread;
    if (waiting === 0) this.raise(messageId, tracked, status);
  }

  /** Reports a receipt if it moves the message up; receipts never go down. */
  private raise(messageId: string, tracked: Tracked, status: ReceiptStatus): void {
    if (tracked.status !== null && RECEIPT_RANK[status] <= RECEIPT_RANK[tracked.status]) return;
    tracked.status = status;
    if (status === 'read') this.tracked.delete(messageId);
    const record = this.records.get(tracked.sessionId);
    if (record) this.notify(record, { kind: 'receipt', receipt: { messageId, status, chat: tracked.chat } });
  }

  private seenContact(phone: Phone, number: string): SeenContact | null {
    const contact = this.account(number);
    if (!contact.reachable) return null;
    return { jid: userJid(number), phone: number, lid: contact.lid, name: phone.contacts.get(number) ?? contact.name };
  }

  groupInfo(group: Group): GroupInfo {
    return {
      jid: group.jid,
      subject: group.subject,
      description: group.description,
      owner: userJid(group.owner),
      participants: group.participants.map((number) => ({
        jid: userJid(number),
        phone: number,
        lid: this.account(number).lid,
        admin: group.admins.has(number),
      })),
      createdAt: group.createdAt,
    };
  }
}

/** How an engine is told of a received message's type. */
const INCOMING_TYPE: Record<PhoneMessageType, IncomingMessage['type']> = {
  text: 'text',
  image: 'image',
  video: 'video',
  audio: 'audio',
  voice: 'voice',
  document: 'document',
  sticker: 'sticker',
  location: 'location',
  contacts: 'contact',
  poll: 'poll',
};

/** What a content shows as: its type (an action's is its kind), its text (a caption, an edit's new text), its media. */
function shownAs(content: ShownContent): Pick<SimulatedSend, 'type' | 'text' | 'media'> {
  const media = content.kind === 'media' ? content.media : null;
  const text = content.kind === 'text' || content.kind === 'edit' ? content.text : (media?.caption ?? null);
  return { type: content.kind === 'media' ? content.media.type : content.kind, text, media };
}

/** A reaction, edit or revoke arriving at a phone: applied to the message it names, if the phone has it. */
function applyAction(
  phone: Phone,
  actor: string,
  chat: string,
  action: Extract<OutgoingContent, { kind: 'reaction' | 'edit' | 'revoke' }>,
): void {
  const target = phone.inbox.find((m) => m.messageId === action.messageId && m.chat === chat);
  if (!target) return;
  if (action.kind === 'reaction') {
    if (action.emoji) target.reactions[actor] = action.emoji;
    else delete target.reactions[actor];
    return;
  }
  // Only a message's sender may edit or delete it for everyone; a phone ignores anyone else's.
  if (target.from !== actor) return;
  if (action.kind === 'edit') {
    target.text = action.text;
    target.edited = true;
  } else {
    target.text = null;
    target.media = null;
    target.revoked = true;
  }
}

/** The transport's own serialisation of a message, which it needs back to quote or forward it (media without bytes). */
function rawOf(message: WireMessage, content: ShownContent): string {
  const { messageId: id, to, from, quotedId, mentions } = message;
  const { type, text } = shownAs(content);
  const stored = content.kind === 'media' ? { ...content, media: { ...content.media, data: undefined } } : content;
  return JSON.stringify({ id, to, from: from.number, type, text, quotedId, mentions, content: stored });
}

function contentOfRaw(raw: string): ShownContent | null {
  try {
    const parsed = JSON.parse(raw) as { content?: ShownContent };
    return parsed.content ?? null;
  } catch {
    return null;
  }
}

function idOfRaw(raw: string): string | null {
  try {
    const parsed = JSON.parse(raw) as { id?: unknown };
    return typeof parsed.id === 'string' ? parsed.id : null;
  } catch {
    return null;
  }
}

/** An error as Baileys throws a WhatsApp IQ error: a Boom whose message is the error's text and `data` its code. */
export function iqError(text: string, code: number): Error {
  return Object.assign(new Error(text), { isBoom: true, data: code });
}
