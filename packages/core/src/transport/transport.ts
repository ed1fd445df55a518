/**
 * The WhatsApp port. Core drives sessions only through these interfaces; the Baileys transport
 * (`./baileys`) and the simulated network (`@kirim/core/testing`) implement them.
 *
 * Addresses are JIDs: `<digits>@s.whatsapp.net` for users, `<id>@g.us` for groups, `<id>@lid` for LIDs.
 */

/**
 * Where a transport keeps one session's credentials and keys, as text values by (kind, id).
 * The storage contract implements it per session, so any process can resume any session.
 */
export interface AuthStore {
  /** The values stored for these ids of `kind`; ids not stored are absent from the result. */
  get(kind: string, ids: string[]): Promise<Record<string, string>>;
  /** Writes all entries in one transaction; a null value deletes. Safe to repeat. */
  set(entries: Record<string, Record<string, string | null>>): Promise<void>;
  /** Removes everything stored for the session (after a logout). */
  clear(): Promise<void>;
}

/** A message as a transport needs it to quote it or to answer a retry request. */
export interface StoredMessage {
  messageId: string;
  /** The chat's JID. */
  chat: string;
  fromMe: boolean;
  /** The sender's JID in groups. */
  participant?: string;
  /** The transport's own serialisation of the message, as it gave it in {@link OutgoingResult.raw} or {@link IncomingMessage.raw}. */
  raw: string | null;
}

/** The link's state, as a transport reports it. */
export type LinkState =
  | { state: 'connecting' }
  | { state: 'qr'; qr: string }
  | { state: 'pairing_code'; code: string }
  | { state: 'connected'; phone: string; lid: string | null; name: string | null }
  /**
   * Closed. `attempts`: reconnect attempts since the link was last open, counted by the transport alone (the
   * session's `reconnect_attempts`); `retryAt`: when it tries again by itself, null when it does not (closed).
   */
  | { state: 'disconnected'; reason: string; attempts: number; retryAt: Date | null }
  /** Unlinked from the phone (or banned): credentials are void, the device must be linked again. */
  | { state: 'logged_out'; reason: string }
  /** Another client took over the session; the transport does not fight for it. */
  | { state: 'replaced'; reason: string }
  /** Gave up (QR refreshes exhausted, repeated failures). */
  | { state: 'failed'; reason: string };

/** Delivery progress of a sent message. Transports report only increases. */
export type ReceiptStatus = 'sent' | 'delivered' | 'read' | 'failed';

/** A sent message's new delivery status, as a transport reports it. */
export interface TransportReceipt {
  messageId: string;
  status: ReceiptStatus;
  /** The chat's JID. */
  chat: string;
}

/** A message received from WhatsApp. */
export interface IncomingMessage {
  messageId: string;
  /** The chat's JID (a user's or a group's). */
  chat: string;
  /** The sender's phone number (digits) where known. */
  fromPhone: string | null;
  /** The sender's LID where known. */
  fromLid: string | null;
  /** The sender's JID as WhatsApp addressed it. */
  from: string;
  fromMe: boolean;
  pushName: string | null;
  type: 'text' | 'image' | 'video' | 'audio' | 'document' | 'sticker' | 'location' | 'contact' | 'other';
  text: string | null;
  /** The id of the message this one quotes, if any. */
  quotedMessageId: string | null;
  timestamp: Date;
  raw: string | null;
}

/** A WhatsApp contact the session has seen. */
export interface SeenContact {
  jid: string;
  phone: string | null;
  lid: string | null;
  name: string | null;
}

/** A group the linked account is in. */
export interface GroupInfo {
  jid: string;
  subject: string;
  description: string | null;
  owner: string | null;
  participants: Array<{ jid: string; phone: string | null; lid: string | null; admin: boolean }>;
  createdAt: Date | null;
}

/** What a transport tells core about one session. Listeners must not throw. */
export interface TransportListener {
  onState(state: LinkState): void;
  onReceipt(receipt: TransportReceipt): void;
  onMessage(message: IncomingMessage): void;
  onContacts(contacts: SeenContact[]): void;
}

/** Media to send: the bytes are fetched by core (through the SSRF guard), never by the transport. */
export interface OutgoingMedia {
  /** `voice` is a voice note (Ogg/Opus audio shown as recorded); `sticker` a WebP sticker. */
  type: 'image' | 'video' | 'audio' | 'voice' | 'document' | 'sticker';
  data: Buffer;
  mimetype: string;
  filename?: string;
  caption?: string;
}

/** A contact card to send; the transport writes its vCard. */
export interface OutgoingContact {
  name: string;
  /** Digits with country code. */
  phone: string;
  organization?: string;
  email?: string;
}

/** A link's preview under a text, fetched by core (through the SSRF guard), never by the transport. */
export interface LinkPreview {
  /** The URL as it appears in the text. */
  url: string;
  title: string;
  description?: string;
  /** A small JPEG shown beside the title. */
  thumbnail?: Buffer;
}

/**
 * What a session sends: one kind of message each. Reactions, edits and revokes name the message they act on
 * by its WhatsApp id, in the chat they are sent to; the transport finds its key through `getMessage`.
 */
export type OutgoingContent =
  | { kind: 'text'; text: string; linkPreview?: LinkPreview }
  | { kind: 'media'; media: OutgoingMedia; viewOnce?: boolean }
  | { kind: 'location'; latitude: number; longitude: number; name?: string; address?: string }
  | { kind: 'contacts'; contacts: OutgoingContact[] }
  | { kind: 'poll'; question: string; options: string[]; multipleAnswers: boolean }
  /** An empty `emoji` removes the reaction. */
  | { kind: 'reaction'; messageId: string; emoji: string }
  /** Replaces the text of an own message. */
  | { kind: 'edit'; messageId: string; text: string }
  /** Deletes an own message for everyone. */
  | { kind: 'revoke'; messageId: string }
  | { kind: 'forward'; message: StoredMessage };

/** The kinds of {@link OutgoingContent}. */
export type OutgoingKind = OutgoingContent['kind'];

/** A chat presence (`composing`, `recording`, `paused`, in a chat) or the account's (`available`, `unavailable`). */
export type PresenceState = 'available' | 'unavailable' | 'composing' | 'recording' | 'paused';

/** Options of a send. */
export interface SendOptions {
  /** The id to send under: the outbox records it before sending, so a crash mid-send is recognisable. */
  messageId: string;
  quoted?: StoredMessage;
  /** JIDs mentioned (`@digits` in the text). */
  mentions?: string[];
}

/** The result of a send accepted by the link. */
export interface OutgoingResult {
  messageId: string;
  raw: string | null;
}

/** One session's link to WhatsApp. It reconnects by itself by close reason until closed or logged out. */
export interface Connection {
  /** A new message id in the transport's format, to record before sending. */
  newMessageId(): string;
  /** Sends one message of any kind to a user's or a group's JID; resolves once the link has taken it. */
  send(to: string, content: OutgoingContent, options: SendOptions): Promise<OutgoingResult>;
  /** Marks received messages of one chat read: their senders get read receipts. */
  markRead(chat: string, messageIds: string[]): Promise<void>;
  /** Shows a presence: in `chat` for `composing`/`recording`/`paused`, to every contact without one. */
  sendPresence(state: PresenceState, chat?: string): Promise<void>;
  /** Starts linking by pairing code for this phone (digits); resolves with the 8-character code. */
  requestPairingCode(phone: string): Promise<string>;
  listGroups(): Promise<GroupInfo[]>;
  /** Which of these phone numbers (digits) are on WhatsApp. */
  checkNumbers(phones: string[]): Promise<Array<{ phone: string; jid: string | null; exists: boolean }>>;
  /** Unlinks the device from the phone and closes; credentials become void. */
  logout(): Promise<void>;
  /** Closes the link, keeping credentials. */
  close(): Promise<void>;
}

/** Options for connecting one session. */
export interface ConnectOptions {
  sessionId: string;
  auth: AuthStore;
  listener: TransportListener;
  /** Serves stored messages for quotes and retry requests. */
  getMessage(messageId: string): Promise<StoredMessage | undefined>;
}

/** A way to reach WhatsApp. */
export interface Transport {
  /** A name for logs and the status page (`baileys`, `simulated`). */
  readonly name: string;
  /** Starts linking or resuming a session; state changes arrive through the listener. */
  connect(options: ConnectOptions): Promise<Connection>;
}
