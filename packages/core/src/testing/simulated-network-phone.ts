import type { BusinessProfile, OutgoingContent, OutgoingMedia, StructuredContent } from '../transport/transport.js';
import type { Network } from './simulated-network.js';
import type { WireAction } from './simulated-network-received.js';

/** Settings of a simulated phone; each one given replaces the current value. */
export interface SimulatedPhoneOptions {
  /** The account's display name (push name); default none. */
  name?: string | null;
  /** Whether the number has a WhatsApp account; default true. */
  onWhatsApp?: boolean;
  /** Whether the phone reads every message as soon as it arrives; default false. */
  autoRead?: boolean;
  /** The account's about text; default none. */
  about?: string | null;
  /** Its profile picture's URL; default none. */
  picture?: string | null;
  /** Its business profile; default none (not a business). */
  business?: BusinessProfile | null;
}

/** What a message is, as a phone shows it. */
export type PhoneMessageType = 'text' | OutgoingMedia['type'] | 'location' | 'contacts' | 'poll';

/** A message as a simulated phone received it. */
export interface PhoneMessage {
  messageId: string;
  /** The chat as this phone sees it: the sender's JID, or the group's. */
  chat: string;
  /** The sender's phone number. */
  from: string;
  /** The session that sent it, when a linked device did. */
  fromSession: string | null;
  type: PhoneMessageType;
  /** The text (as last edited), or the media's caption; null once revoked. */
  text: string | null;
  media: OutgoingMedia | null;
  /** The content as sent (a forward's is the forwarded message's); edits and revokes do not change it. */
  content: OutgoingContent;
  forwarded: boolean;
  quotedId: string | null;
  mentions: string[];
  /** Reactions to it: the reacting phone number → its emoji (a removed reaction is deleted). */
  reactions: Record<string, string>;
  /** Set once its sender edited it. */
  edited: boolean;
  /** Set once its sender deleted it for everyone. */
  revoked: boolean;
  receivedAt: Date;
  read: boolean;
}

/** Options of a message a phone sends. */
export interface PhoneSendOptions {
  /** The id of the message quoted. */
  quoted?: string;
  /** JIDs mentioned. */
  mentions?: string[];
}

/** A phone on the simulated network: it links sessions, receives their messages and writes to them. */
export interface SimulatedPhone {
  /** Digits with country code. */
  readonly number: string;
  /** The account's LID (`<digits>@lid`), derived from the number and the network's seed. */
  readonly lid: string;
  name: string | null;
  onWhatsApp: boolean;
  autoRead: boolean;
  about: string | null;
  picture: string | null;
  business: BusinessProfile | null;
  /** The picture a linked session last set for the account (a JPEG). */
  readonly pictureJpeg: Buffer | null;
  /** The numbers this account blocks. */
  readonly blocked: ReadonlySet<string>;
  /** False while taken off line (`network.setOnline`): messages to it wait. */
  readonly online: boolean;
  /** True once banned (`network.ban`). */
  readonly banned: boolean;
  /** Messages received, oldest first (truncate it freely). */
  readonly inbox: PhoneMessage[];
  /** Saved contacts: number → saved name. */
  readonly contacts: ReadonlyMap<string, string | null>;
  /** Ids of messages this phone sent that a recipient has read (a session's `markRead` or a phone's `read`). */
  readonly readReceipts: ReadonlySet<string>;
  /** Scans a session's QR string, linking that session to this phone; rejects an expired or unknown QR. */
  scanQr(qr: string): Promise<void>;
  /** Enters a pairing code that a session requested for this number, linking that session. */
  enterPairingCode(code: string): Promise<void>;
  /** Sends a text to a session id, a phone number, a user JID or a group JID; returns the message id. */
  send(to: string, text: string, options?: PhoneSendOptions): string;
  /** Sends media like `send`; returns the message id. */
  sendMedia(to: string, media: OutgoingMedia, options?: PhoneSendOptions): string;
  /** Sends a location, contact cards or a poll like `send`; returns the message id. */
  sendContent(to: string, content: StructuredContent, options?: PhoneSendOptions): string;
  /** Reacts to a message it received or sent; an empty emoji takes its reaction back. */
  react(messageId: string, emoji: string): void;
  /** Edits the text (or caption) of a message it sent. */
  edit(messageId: string, text: string): void;
  /** Deletes a message it sent, for everyone. */
  revoke(messageId: string): void;
  /** Votes on a poll it received or sent: the option names chosen, replacing its earlier vote (none withdraws it). */
  vote(pollId: string, selected: string[]): void;
  /** Answers a received message (or message id) in its chat, quoting it; returns the new message id. */
  reply(message: PhoneMessage | string, text: string, options?: Omit<PhoneSendOptions, 'quoted'>): string;
  /** Reads a received message, sending its read receipt; false if it is not in the inbox or already read. */
  read(messageId: string): boolean;
  /** Saves a contact; linked sessions are told about it. */
  addContact(number: string, name?: string | null): void;
  /**
   * Types (`composing`), records a voice note (`recording`) or stops (`paused`) in its chat with a session's account
   * (a session id, number or JID) or in a group: sessions of the chat's other accounts connected now are told.
   */
  showChatState(to: string, state: 'composing' | 'recording' | 'paused'): void;
  /** Comes online or goes off line, as sessions subscribed to its presence are told (then with when last seen). */
  setAvailability(state: 'available' | 'unavailable'): void;
  /** As contacts see it; `unavailable` until first set. */
  readonly availability: 'available' | 'unavailable';
  /** When it was last online; null if never. */
  readonly lastSeen: Date | null;
}

/** The network's phone: the public interface plus the state the network drives. */
export class Phone implements SimulatedPhone {
  name: string | null = null;
  onWhatsApp = true;
  autoRead = false;
  about: string | null = null;
  picture: string | null = null;
  business: BusinessProfile | null = null;
  pictureJpeg: Buffer | null = null;
  readonly blocked = new Set<string>();
  online = true;
  banned = false;
  readonly inbox: PhoneMessage[] = [];
  readonly contacts = new Map<string, string | null>();
  readonly readReceipts = new Set<string>();
  availability: 'available' | 'unavailable' = 'unavailable';
  lastSeen: Date | null = null;

  private assignedLid: string | undefined;
  /** What this phone sent, by message id: where to, and what (to act on it later). */
  private readonly sent = new Map<string, { to: string; content: OutgoingContent }>();

  constructor(
    private readonly network: Network,
    readonly number: string,
  ) {}

  // Derived when first asked for: a bulk send to thousands of new numbers never needs their LIDs.
  get lid(): string {
    return (this.assignedLid ??= this.network.assignLid(this));
  }

  /** Whether messages can reach this account at all (they still wait while it is off line). */
  get reachable(): boolean {
    return this.onWhatsApp && !this.banned;
  }

  configure(options: SimulatedPhoneOptions): void {
    if (options.name !== undefined) this.name = options.name;
    if (options.onWhatsApp !== undefined) this.onWhatsApp = options.onWhatsApp;
    if (options.autoRead !== undefined) this.autoRead = options.autoRead;
    if (options.about !== undefined) this.about = options.about;
    if (options.picture !== undefined) this.picture = options.picture;
    if (options.business !== undefined) this.business = options.business;
  }

  scanQr(qr: string): Promise<void> {
    return this.network.linkByQr(this, qr);
  }

  enterPairingCode(code: string): Promise<void> {
    return this.network.linkByPairingCode(this, code);
  }

  send(to: string, text: string, options: PhoneSendOptions = {}): string {
    return this.sendMessage(to, { kind: 'text', text }, options);
  }

  sendMedia(to: string, media: OutgoingMedia, options: PhoneSendOptions = {}): string {
    return this.sendMessage(to, { kind: 'media', media }, options);
  }

  sendContent(to: string, content: StructuredContent, options: PhoneSendOptions = {}): string {
    return this.sendMessage(to, content, options);
  }

  react(messageId: string, emoji: string): void {
    this.act({ kind: 'reaction', messageId, emoji }, this.sentOrReceived(messageId).chat);
  }

  edit(messageId: string, text: string): void {
    this.act({ kind: 'edit', messageId, text }, this.ownMessage(messageId).to);
  }

  revoke(messageId: string): void {
    this.act({ kind: 'revoke', messageId }, this.ownMessage(messageId).to);
  }

  vote(pollId: string, selected: string[]): void {
    const { chat, content } = this.sentOrReceived(pollId);
    if (content.kind !== 'poll') throw new Error(`${pollId} is not a poll`);
    const unknown = selected.filter((option) => !content.options.includes(option));
    if (unknown.length > 0) throw new Error(`The poll ${pollId} has no option ${unknown.join(', ')}`);
    this.act({ kind: 'poll_vote', messageId: pollId, selected }, chat);
  }

  reply(message: PhoneMessage | string, text: string, options: Omit<PhoneSendOptions, 'quoted'> = {}): string {
    const original = typeof message === 'string' ? this.inbox.find((m) => m.messageId === message) : message;
    if (!original) throw new Error(`${this.number} has no message ${String(message)} to reply to`);
    return this.send(original.chat, text, { ...options, quoted: original.messageId });
  }

  read(messageId: string): boolean {
    const message = this.inbox.find((m) => m.messageId === messageId);
    if (!message || message.read) return false;
    this.network.markRead(this, message);
    return true;
  }

  addContact(number: string, name: string | null = null): void {
    this.contacts.set(number, name);
    this.network.contactAdded(this, number);
  }

  showChatState(to: string, state: 'composing' | 'recording' | 'paused'): void {
    this.network.chatStateFromPhone(this, to, state);
  }

  setAvailability(state: 'available' | 'unavailable'): void {
    if (this.availability === 'available') this.lastSeen = this.network.clock.now();
    this.availability = state;
    this.network.availabilityFromPhone(this);
  }

  private sendMessage(to: string, content: Exclude<OutgoingContent, { kind: 'forward' }>, options: PhoneSendOptions) {
    const messageId = this.network.sendFromPhone(this, to, content, options);
    this.sent.set(messageId, { to, content });
    return messageId;
  }

  private act(action: WireAction, chat: string): void {
    this.network.sendFromPhone(this, chat, action, {});
  }

  private ownMessage(messageId: string): { to: string; content: OutgoingContent } {
    const own = this.sent.get(messageId);
    if (!own) throw new Error(`${this.number} did not send ${messageId}: only its sender edits or deletes it`);
    return own;
  }

  /** A message this phone sent or received, with its chat (as this phone addresses it) and content. */
  private sentOrReceived(messageId: string): { chat: string; content: OutgoingContent } {
    const own = this.sent.get(messageId);
    if (own) return { chat: own.to, content: own.content };
    const received = this.inbox.find((m) => m.messageId === messageId);
    if (!received) throw new Error(`${this.number} has no message ${messageId}`);
    return received;
  }
}
