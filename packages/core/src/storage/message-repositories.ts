import type { Message, MessageFilter, MessageStatus } from '../messages/message-schemas.js';
import type { MessageUpdate } from '../transport/transport.js';
import type { NewMessage } from './outbox-repositories.js';
import type { Range, Slice } from './repository-shapes.js';

/** A receipt from WhatsApp for an outgoing message of a session. */
export interface Receipt {
  sessionId: string;
  messageId: string;
  status: MessageStatus;
}

/** A message receipts moved, with each status it went through, in order: the last is the one it has now. */
export interface ReceiptMove {
  message: Message;
  steps: MessageStatus[];
}
/** Messages, in and out. `(session_id, message_id)` is unique. */
export interface MessageRepository {
  /** Stores an incoming message unless the session already has its id; returns it with its new id, or undefined for a repeat. */
  insertIncoming(message: NewMessage): Promise<Message | undefined>;
  /** A session's message by WhatsApp id. */
  findByMessageId(sessionId: string, messageId: string): Promise<Message | undefined>;
  /** A user's message by WhatsApp id, in any of the user's sessions (the newest if several have it). */
  findOwned(userId: string, messageId: string): Promise<Message | undefined>;
  /**
   * Applies a reaction, edit, delete for everyone or poll vote to a session's stored message (`update.messageId`):
   * a member's reaction or vote replaces their earlier one, an empty emoji removes theirs. Returns the message as
   * changed, or undefined when the session has no such message.
   */
  applyUpdate(sessionId: string, update: MessageUpdate): Promise<Message | undefined>;
  /** Replaces a message's `raw` (its media was uploaded again: new keys and path). */
  updateRaw(sessionId: string, messageId: string, raw: string): Promise<void>;
  /** Deletes one stored message (`DELETE …?for=me`); false when there was none. */
  removeOne(sessionId: string, messageId: string): Promise<boolean>;
  /**
   * Applies receipts of any sessions, each message's in order: each moves its outgoing message up to the
   * receipt's status (never down; `failed` only before delivery). Returns the messages that moved with the
   * statuses they went through, and `held`: the receipts of rows another transaction holds, not applied,
   * for the caller to apply later.
   * Where several processes write, it never waits for a row lock: the caller's transaction may hold
   * others (the receipts' events are appended in it), and a concurrent send record could deadlock with it.
   */
  applyReceipts(receipts: Receipt[], at: string): Promise<{ moved: ReceiptMove[]; held: Receipt[] }>;
  /** A session's history, newest first. */
  list(userId: string, sessionId: string, filter: MessageFilter, range: Range): Promise<Slice<Message>>;
  /** How many messages are stored (status page). */
  count(): Promise<number>;
  /** Deletes a session's whole history. */
  removeForSession(sessionId: string): Promise<void>;
}
