import type { BulkBatch, BulkJob, SkippedRecipient, SkipReason } from '../bulk/bulk-schemas.js';
import type { Message, MessageStatus } from '../messages/message-schemas.js';
import type { Pool } from '../pools/pool-schemas.js';
import type { Range, Slice } from './repository-shapes.js';

/** What storage keeps of a message as it lives: its status history, reactions, votes, edit and delete. */
type MessageLife = 'status_history' | 'reactions' | 'poll_votes' | 'edited_at' | 'revoked_at';

/** A message row to store: everything but the id the database gives it and its life (empty); no `content` is null. */
export type NewMessage = Omit<Message, 'id' | 'content' | MessageLife> & Partial<Pick<Message, 'content'>>;

/** What the dispatcher decides for one claimed row. */
export type ClaimDecision =
  /** Send it now through this session under this WhatsApp id (recorded before sending). */
  | { send: { session_id: string; message_id: string } }
  /** Do not send: fail it with this reason (a lapsed plan, an opt-out). */
  | { fail: string }
  /** Leave it queued (no budget left this round). */
  | { skip: true };

/** One round's claim: which sessions and pools this process may send for, and how many rows for each. */
export interface ClaimRequest {
  owner: string;
  now: string;
  /** Sessions this process drives and may send for now, with how many rows each may take. */
  sessions: Array<{ id: string; limit: number }>;
  /** Pools with members here that may send now, with how many rows each may take. */
  pools: Array<{ id: string; limit: number }>;
}

/** The result of sending one claimed row. */
export type SendOutcome =
  /** Sent at `at`; `delivered` or `read` when its receipts came before the send was recorded. */
  | { id: number; status: 'sent' | 'delivered' | 'read'; at: string; raw: string | null }
  | { id: number; status: 'failed'; at: string; error: string }
  /** Put back for another try at `not_before`; `release` also lets any pool member take it (a fresh WhatsApp id then). */
  | { id: number; status: 'queued'; at: string; not_before: string; error: string; release?: boolean };

/**
 * The outbox: outgoing message rows from queued to a final state. Claims are atomic (row locks skipped
 * by other claimers on PostgreSQL; one writer on SQLite), so no row is handed to two senders.
 */
export interface OutboxRepository {
  /** Queues rows in one transaction; returns their ids in order. `conflict` on a repeated idempotency key. */
  enqueue(rows: NewMessage[]): Promise<number[]>;
  /** The user's message with this idempotency key. */
  findByIdempotencyKey(userId: string, key: string): Promise<Message | undefined>;
  /** The user's message by id. */
  get(userId: string, id: number): Promise<Message | undefined>;
  /** Many messages by id (any user: for the engine's waiters). */
  getMany(ids: number[]): Promise<Message[]>;
  /**
   * In one transaction: takes the due queued rows (`not_before` passed) of the given sessions and
   * pools, oldest first, asks `decide` what to do with each, and records the decisions (`sending`,
   * claimed by `owner`, with session and WhatsApp id; or `failed`). Returns the rows to send.
   */
  claim(request: ClaimRequest, decide: (row: Message) => ClaimDecision): Promise<Message[]>;
  /** Whether any queued row is due at `now` (one indexed look-up: the dispatcher's idle check). */
  hasDue(now: string): Promise<boolean>;
  /**
   * Records send results in one transaction, each only on a row still being sent (`sending`, or
   * `unknown`; a row a receipt already moved keeps its status but gets its send time and raw message).
   * Returns the ids of the rows it moved, in the outcomes' order.
   */
  complete(outcomes: SendOutcome[]): Promise<number[]>;
  /**
   * After taking a session over: its rows left `sending` by another owner are requeued when they never
   * got a WhatsApp id (never handed to WhatsApp), else marked `unknown`. Returns how many of each.
   */
  recover(sessionId: string, owner: string, at: string): Promise<{ requeued: number; unknown: number }>;
  /** Requeues `unknown` rows no receipt has settled since `before`, keeping their WhatsApp ids. Returns how many. */
  requeueUnknown(before: string, at: string): Promise<number>;
  /** Cancels a recipient's still-queued bulk rows (they opted out); returns how many. */
  cancelForRecipient(userId: string, phone: string, reason: string, at: string): Promise<number>;
  /** Cancels the still-queued rows of a job (or one row by id); returns how many. */
  cancelQueued(userId: string, target: { jobId: string } | { id: number }, at: string): Promise<number>;
  /** How many rows of a job are in each status. */
  countByStatus(jobId: string): Promise<Partial<Record<MessageStatus, number>>>;
  /** Whether any row of a job is still being worked on (queued, sending or unknown). */
  hasActive(jobId: string): Promise<boolean>;
  /** Sends of a session since a time (for the daily cap). */
  sentSince(sessionId: string, since: string): Promise<number>;
  /** A user's scheduled messages, newest first. */
  listScheduled(userId: string, range: Range): Promise<Slice<Message>>;
  /** Queued rows in all, and how many of them are scheduled (status page). */
  pendingCounts(): Promise<{ queued: number; scheduled: number }>;
  /** The newest outgoing message to each phone, and whether each replied after it (leads sync). */
  latestExchanges(
    userId: string,
    phones: string[],
  ): Promise<Array<{ phone: string; status: MessageStatus; replied: boolean }>>;
}

/** Send pools and their members; a pool's members are in the order they joined (those joining together by session id). */
export interface PoolRepository {
  /** Stores the pool with its members in one transaction: `conflict` if the id is taken, `not_found` (nothing stored) if a member is no session. */
  insert(pool: Pool): Promise<Pool>;
  get(userId: string, id: string): Promise<Pool | undefined>;
  /** The user's pools, oldest first. */
  list(userId: string): Promise<Pool[]>;
  update(
    userId: string,
    id: string,
    changes: Partial<Pick<Pool, 'name' | 'strategy' | 'settings' | 'updated_at'>>,
  ): Promise<Pool | undefined>;
  /** Deletes the user's pool and its memberships; a removed session leaves every pool it was in. */
  remove(userId: string, id: string): Promise<boolean>;
  /** Adds members (ownership checked by the caller); existing ones are kept. */
  addMembers(poolId: string, sessionIds: string[], at: string): Promise<void>;
  removeMembers(poolId: string, sessionIds: string[]): Promise<void>;
  /** Every pool having any of these sessions as a member, with its members. */
  poolsOfSessions(sessionIds: string[]): Promise<Pool[]>;
}

/** Bulk jobs. */
export interface BulkJobRepository {
  insert(job: BulkJob): Promise<BulkJob>;
  get(userId: string, id: string): Promise<BulkJob | undefined>;
  list(userId: string, range: Range): Promise<Slice<BulkJob>>;
  update(
    id: string,
    changes: Partial<Pick<BulkJob, 'status' | 'started_at' | 'completed_at' | 'updated_at'>>,
  ): Promise<void>;
  /** Jobs queued or running (status page). */
  countActive(): Promise<number>;
  /** Stores recipients to expand later. */
  insertBatches(batches: BulkBatch[]): Promise<void>;
  /**
   * Removes and returns the oldest batch nobody else is expanding (one a call), to expand in the caller's
   * transaction: if it rolls back, the batch is back. With `jobId`, every batch of that job, waiting for
   * one being expanded elsewhere to be done (cancel).
   */
  takeBatches(jobId?: string): Promise<BulkBatch[]>;
  /** Recipients of the job in batches not yet expanded. */
  unexpanded(jobId: string): Promise<number>;
  /** Stores the recipients a job left out when it was accepted, in the given order. */
  insertSkipped(jobId: string, skipped: SkippedRecipient[]): Promise<void>;
  /**
   * A page of the recipients the job skipped: those stored by `insertSkipped` in their order, then its rows
   * failed as not on WhatsApp (error `not_on_whatsapp: …`) or cancelled as opted out (error `opted_out: …`),
   * by id, as `not_on_whatsapp` / `opted_out` with their phone (index null); `total` counts them all.
   */
  skipped(jobId: string, range: Range): Promise<Slice<SkippedRecipient>>;
  /** How many recipients {@link BulkJobRepository.skipped} lists, by reason (reasons with none may be absent). */
  skippedCounts(jobId: string): Promise<Partial<Record<SkipReason, number>>>;
}

/** Recipients who asked a user to stop messaging them. */
export interface OptOutRepository {
  /** Records that the phone opted out of the user's messages; a repeat is no error. */
  add(userId: string, phone: string, reason: string, at: string): Promise<void>;
  /** Which of these phones opted out of the user's messages. */
  filter(userId: string, phones: string[]): Promise<Set<string>>;
}
