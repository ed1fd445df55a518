/**
 * The WhatsApp port. Core drives sessions only through these interfaces; the Baileys transport
 * (`./baileys`) and the simulated network (`@kirim/core/testing`) implement them.
 *
 * Addresses are JIDs: `<digits>@s.whatsapp.net` for users, `<id>@g.us` for groups, `<id>@lid` for LIDs.
 */
import type { Readable } from 'node:stream';
import type {
  GroupChange,
  GroupMetadata,
  GroupSettingsChange,
  ParticipantAction,
  ParticipantStatus,
} from './group-types.js';

export type * from './group-types.js';

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

/** What a received message is. */
export type IncomingType =
  'text' | 'image' | 'video' | 'audio' | 'voice' | 'document' | 'sticker' | 'location' | 'contact' | 'poll' | 'other';

/**
 * The media a received message carries, as WhatsApp described it. The bytes stay on WhatsApp's media hosts
 * until asked for ({@link Transport.downloadMedia}); the keys to fetch and decrypt them are in the message's `raw`.
 */
export interface IncomingMedia {
  mimetype: string | null;
  /** Bytes, as WhatsApp announced them. */
  size: number | null;
  filename: string | null;
  /** An audio's or video's length. */
  seconds: number | null;
}

/** A received location, contact cards or poll: the same fields as sending one. */
export type StructuredContent = Extract<OutgoingContent, { kind: 'location' | 'contacts' | 'poll' }>;

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
  type: IncomingType;
  /** A text's text, or a media message's caption. */
  text: string | null;
  /** Media messages' media; null for the rest. */
  media: IncomingMedia | null;
  /** A location's, contact cards' or poll's fields; null for the rest. */
  content: StructuredContent | null;
  /** The id of the message this one quotes, if any. */
  quotedMessageId: string | null;
  timestamp: Date;
  raw: string | null;
}

/**
 * A change a chat member made to a message already there (sent or received): a reaction (an empty `emoji`
 * removes it), an edit of its text, a delete for everyone, or a vote on a poll (`selected`: the option
 * names, the vote decrypted; an empty list withdraws the vote). `messageId` names the message changed.
 */
export type MessageUpdate = {
  messageId: string;
  /** The chat's JID. */
  chat: string;
  /** Who made the change, as WhatsApp addressed them. */
  from: string;
  /** Their phone number (digits) where known. */
  fromPhone: string | null;
  /** Made by the linked account itself (on this or another of its devices). */
  fromMe: boolean;
  at: Date;
} & (
  | { kind: 'reaction'; emoji: string }
  | { kind: 'edit'; text: string }
  | { kind: 'revoke' }
  | { kind: 'poll_vote'; selected: string[] }
);

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

/** An incoming call being offered to the linked account (WhatsApp's `offer`). */
export interface CallOffer {
  callId: string;
  /** The caller's JID as WhatsApp addressed it. */
  from: string;
  /** The caller's phone number (digits) where known. */
  fromPhone: string | null;
  isVideo: boolean;
  isGroup: boolean;
  at: Date;
}

/**
 * A contact's presence as WhatsApp relays it: their availability (to a session subscribed to them), or their chat
 * state while they type or record in a chat with the account (no subscription needed).
 */
export interface ContactPresence {
  /** The chat: the contact's JID, or the group's where a member types in it. */
  chat: string;
  /** The contact's JID as WhatsApp addressed them. */
  from: string;
  /** The contact's phone number (digits) where known. */
  fromPhone: string | null;
  state: PresenceState;
  /** When the contact was last online, where WhatsApp tells it (with `unavailable`). */
  lastSeen: Date | null;
}

/** What a linked account does with groups, live over its link. Groups are named by their `…@g.us` JID. */
export interface GroupActions {
  /** The groups the linked account is in. */
  list(): Promise<GroupInfo[]>;
  /** Creates a group with these members (user JIDs); the account is its super-admin. */
  create(subject: string, participants: string[]): Promise<GroupMetadata>;
  /** A group's metadata as WhatsApp has it now. */
  metadata(group: string): Promise<GroupMetadata>;
  /** Changes a group's subject, description and settings, each as its own request. */
  update(group: string, change: GroupSettingsChange): Promise<void>;
  /** Adds, removes, promotes or demotes members (user JIDs); WhatsApp answers for each. */
  updateParticipants(group: string, action: ParticipantAction, participants: string[]): Promise<ParticipantStatus[]>;
  /** The group's invite code (the part after `https://chat.whatsapp.com/`). */
  inviteCode(group: string): Promise<string>;
  /** Revokes the invite code and resolves with the new one. */
  revokeInvite(group: string): Promise<string>;
  /** Leaves the group. */
  leave(group: string): Promise<void>;
}

/** What a transport tells core about one session. Listeners must not throw. */
export interface TransportListener {
  onState(state: LinkState): void;
  onReceipt(receipt: TransportReceipt): void;
  onMessage(message: IncomingMessage): void;
  /** A reaction, edit, delete or poll vote on a message. */
  onUpdate(update: MessageUpdate): void;
  onContacts(contacts: SeenContact[]): void;
  /** Members added, removed, promoted or demoted, or a group's info or settings changed. */
  onGroupChange(change: GroupChange): void;
  /** Someone calls the linked account. */
  onCall(call: CallOffer): void;
  /** A contact's availability or chat state changed. */
  onPresence(presence: ContactPresence): void;
}

/** Media to send: the bytes are fetched by core (through the SSRF guard), never by the transport. */
export interface OutgoingMedia {
  /** `voice` is a voice note (Ogg/Opus audio shown as recorded); `sticker` a WebP sticker. */
  type: 'image' | 'video' | 'audio' | 'voice' | 'document' | 'sticker';
  data: Buffer;
  mimetype: string;
  filename?: string;
  caption?: string;
  /** A voice note's length, shown by phones before it plays. */
  seconds?: number;
  /** A voice note's waveform: 64 loudness samples, 0 to 100, drawn by phones. */
  waveform?: Uint8Array;
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

/** Whether a phone number is on WhatsApp, and as whom. */
export interface NumberCheck {
  /** Digits with country code. */
  phone: string;
  exists: boolean;
  /** Its user JID, when on WhatsApp. */
  jid: string | null;
  /** Its LID, when WhatsApp told it. */
  lid: string | null;
}

/** A business account's public profile. */
export interface BusinessProfile {
  description: string | null;
  category: string | null;
  email: string | null;
  website: string | null;
  address: string | null;
}

/** A contact's public profile, as far as their privacy settings show it. */
export interface ContactProfile {
  pictureUrl: string | null;
  about: string | null;
  /** Null when the account is not a business. */
  business: BusinessProfile | null;
}

/** Changes to the linked account's own profile; absent fields stay as they are. */
export interface OwnProfileChanges {
  name?: string;
  about?: string;
  /** A JPEG. */
  picture?: Buffer;
}

/** What a linked session asks of WhatsApp about numbers and profiles, and its blocklist. */
export interface ProfileActions {
  /** Which of these phone numbers (digits) are on WhatsApp, in the order given. */
  checkNumbers(phones: string[]): Promise<NumberCheck[]>;
  /** A user's public profile by JID. */
  profile(jid: string): Promise<ContactProfile>;
  /** Changes the linked account's own name, about text or picture. */
  updateOwn(changes: OwnProfileChanges): Promise<void>;
  /** Blocks (`block`) or unblocks (`unblock`) a user's JID. */
  setBlocked(jid: string, action: 'block' | 'unblock'): Promise<void>;
  /** The user JIDs the account blocks. */
  blocklist(): Promise<string[]>;
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
  /**
   * Asks WhatsApp for a contact's availability (a user JID): it is told as `onPresence` now and at each change, until
   * the link closes (a new link subscribes again).
   */
  subscribePresence(jid: string): Promise<void>;
  /** Starts linking by pairing code for this phone (digits); resolves with the 8-character code. */
  requestPairingCode(phone: string): Promise<string>;
  /** Groups: list, create, metadata, settings, members, invite link, leave. */
  readonly groups: GroupActions;
  /** Numbers, contacts' profiles, the account's own profile and its blocklist. */
  readonly profiles: ProfileActions;
  /**
   * Asks the phone to upload a received message's media again (WhatsApp's copy expired) and resolves with the
   * message's new `raw`, whose keys and path fetch the new copy.
   */
  refreshMedia(message: StoredMessage): Promise<string>;
  /** Declines an offered call (`from`: the caller's JID as the offer named it). */
  rejectCall(callId: string, from: string): Promise<void>;
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
  /** Every connection of the session (the WhatsApp socket, media) goes through this proxy (`http://`, `https://`, `socks5://`). */
  proxyUrl?: string;
}

/** A way to reach WhatsApp. */
export interface Transport {
  /** A name for logs and the status page (`baileys`, `simulated`). */
  readonly name: string;
  /** Starts linking or resuming a session; state changes arrive through the listener. */
  connect(options: ConnectOptions): Promise<Connection>;
  /**
   * A received message's media, fetched from WhatsApp's media hosts and decrypted, from its `raw` alone: no link
   * is needed, so any process sharing the database serves it. Rejects with a {@link MediaGoneError} when
   * WhatsApp no longer has it (see {@link Connection.refreshMedia}). `proxyUrl`: the session's proxy, fetched through.
   */
  downloadMedia(message: StoredMessage, options?: { proxyUrl?: string }): Promise<MediaDownload>;
}

/** A received message's media bytes, decrypted as they stream. */
export interface MediaDownload {
  data: Readable;
  mimetype: string;
  filename: string | null;
}

/** WhatsApp's media hosts no longer have a message's media (it expired): the phone must upload it again. */
export class MediaGoneError extends Error {
  constructor(messageId: string) {
    super(`WhatsApp no longer has the media of message ${messageId}`);
    this.name = 'MediaGoneError';
  }
}
