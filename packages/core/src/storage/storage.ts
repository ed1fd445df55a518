import type { ApiToken, User } from '../accounts/account-schemas.js';
import type { Announcement } from '../announcements/announcement-schemas.js';
import type { ContactGroup } from '../contact-groups/contact-group-schemas.js';
import type { Contact, ContactFilter, ContactStatistics } from '../contacts/contact-schemas.js';
import type { Lead, LeadFilter, LeadStatistics, LeadStatus } from '../leads/lead-schemas.js';
import type { LeadTask, LeadTaskChanges, LeadTaskStatus } from '../leads/lead-task-schemas.js';
import type { Template } from '../templates/template-schemas.js';
import type { BulkBatch, BulkJob, SkippedRecipient, SkipReason } from '../bulk/bulk-schemas.js';
import type { Message, MessageFilter, MessageStatus } from '../messages/message-schemas.js';
import type { Pool } from '../pools/pool-schemas.js';
import type { Session, SessionContact } from '../sessions/session-schemas.js';
import type { WhatsappGroup } from '../whatsapp-groups/whatsapp-group-schemas.js';
import type { KirimEvent } from '../events.js';
import type { Webhook, WebhookDelivery } from '../webhooks/webhook-schemas.js';

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

/** How far searches count their matches before reporting a lower bound. */
export const SEARCH_COUNT_CAP = 1000;

/** Limit and offset of one page of a list. */
export interface Range {
  limit: number;
  offset: number;
}

/** Rows of one page and how many rows matched in all. */
export interface Slice<T> {
  items: T[];
  total: number;
  /** Set when counting stopped at a cap (broad searches): there are at least `total` matches. */
  totalIsLowerBound?: boolean;
}

/** Users. Emails are unique (stored lowercased); inserting a taken one throws `conflict`. */
export interface UserRepository {
  /** Stores a new user; `conflict` if the email is taken. */
  insert(user: User): Promise<User>;
  /** The user with this id, or undefined. */
  get(id: string): Promise<User | undefined>;
  /** The user with this (lowercased) email, or undefined. */
  getByEmail(email: string): Promise<User | undefined>;
  /** Users ordered by creation, oldest first. */
  list(range: Range): Promise<Slice<User>>;
  /** Applies the changes and returns the new record, or undefined if there is no such user. */
  update(id: string, changes: Partial<Omit<User, 'id' | 'created_at'>>): Promise<User | undefined>;
  /** Deletes the user and, by cascade, everything it owns. False if there was none. */
  remove(id: string): Promise<boolean>;
  /** How many users exist. */
  count(): Promise<number>;
}

/** API tokens, kept only as hashes. */
export interface ApiTokenRepository {
  /** Stores a token; `conflict` if its hash exists. */
  insert(token: ApiToken): Promise<ApiToken>;
  /** The token with this hash and its user, or undefined. */
  findByHash(hash: string): Promise<{ token: ApiToken; user: User } | undefined>;
  /** The user's tokens, newest first. */
  listByUser(userId: string): Promise<ApiToken[]>;
  /** Deletes the user's token `id`; false if the user has no such token. */
  remove(userId: string, id: string): Promise<boolean>;
  /** Records a use of the token. */
  touch(id: string, at: string): Promise<void>;
}

/** Announcements (global, managed by admins). */
export interface AnnouncementRepository {
  insert(announcement: Announcement): Promise<Announcement>;
  get(id: string): Promise<Announcement | undefined>;
  /** All announcements, newest first. */
  list(range: Range): Promise<Slice<Announcement>>;
  /** Active announcements whose window holds `now` (`starts_at <= now < expires_at`, open ends allowed), newest first. */
  listVisible(now: string): Promise<Announcement[]>;
  update(id: string, changes: Partial<Omit<Announcement, 'id' | 'created_at'>>): Promise<Announcement | undefined>;
  remove(id: string): Promise<boolean>;
}

/** Contacts. `(user_id, phone)` is unique: inserting a taken number throws `conflict`. Every method is scoped to one user. */
export interface ContactRepository {
  insert(contact: Contact): Promise<Contact>;
  /** Inserts many at once (imports); `conflict` if any number is taken. */
  insertMany(contacts: Contact[]): Promise<void>;
  get(userId: string, id: string): Promise<Contact | undefined>;
  /** The user's contacts with any of these numbers. */
  findByPhones(userId: string, phones: string[]): Promise<Contact[]>;
  /** The ids among `ids` that are the user's contacts. */
  ownedIds(userId: string, ids: string[]): Promise<string[]>;
  /**
   * One page: `search` matches name, phone, email or company (case-insensitive substring). With a search,
   * matches are counted only up to {@link SEARCH_COUNT_CAP} (then `totalIsLowerBound`): an exact count of a
   * broad match costs a scan of every matching row.
   */
  list(userId: string, filter: ContactFilter, range: Range): Promise<Slice<Contact>>;
  /** Every matching contact, oldest first, in batches: memory stays flat however many there are. */
  scan(userId: string, filter: ContactFilter, batchSize?: number): AsyncIterable<Contact[]>;
  /** Applies changes; undefined if the user has no such contact; `conflict` if the new phone is taken. */
  update(
    userId: string,
    id: string,
    changes: Partial<Omit<Contact, 'id' | 'user_id' | 'created_at'>>,
  ): Promise<Contact | undefined>;
  remove(userId: string, id: string): Promise<boolean>;
  /** Deletes the user's contacts among `ids`; returns the ids deleted. */
  removeMany(userId: string, ids: string[]): Promise<string[]>;
  /** Counts for the statistics route; `monthStart` bounds "added this month". */
  statistics(userId: string, monthStart: string): Promise<ContactStatistics>;
  /** Names of the extra fields the user's contacts carry, in the order first seen. */
  extraFieldNames(userId: string): Promise<string[]>;
}

/** Contact groups and their members. Every method is scoped to one user. */
export interface ContactGroupRepository {
  /** Stores a group (its `contacts_count` is ignored: it is counted). */
  insert(group: ContactGroup): Promise<ContactGroup>;
  get(userId: string, id: string): Promise<ContactGroup | undefined>;
  /** Groups by name, with member counts. */
  list(userId: string, filter: { search?: string; isActive?: boolean }, range: Range): Promise<Slice<ContactGroup>>;
  update(
    userId: string,
    id: string,
    changes: Partial<Pick<ContactGroup, 'name' | 'description' | 'color' | 'is_active' | 'updated_at'>>,
  ): Promise<ContactGroup | undefined>;
  /** Deletes the group and its memberships, not the contacts. */
  remove(userId: string, id: string): Promise<boolean>;
  /** Adds members (the caller has checked ownership); existing members are kept. Returns how many were new. */
  addMembers(groupId: string, contactIds: string[], at: string): Promise<number>;
  /** Removes members; returns how many were removed. */
  removeMembers(groupId: string, contactIds: string[]): Promise<number>;
  /** The group's members by name; only active ones with `activeOnly`. */
  members(userId: string, groupId: string, options?: { activeOnly?: boolean }): Promise<Contact[]>;
}

/** Message templates. Every method is scoped to one user. */
export interface TemplateRepository {
  insert(template: Template): Promise<Template>;
  get(userId: string, id: string): Promise<Template | undefined>;
  /** Newest first. */
  list(
    userId: string,
    filter: { search?: string; messageType?: string; isActive?: boolean },
    range: Range,
  ): Promise<Slice<Template>>;
  update(
    userId: string,
    id: string,
    changes: Partial<Omit<Template, 'id' | 'user_id' | 'created_at'>>,
  ): Promise<Template | undefined>;
  remove(userId: string, id: string): Promise<boolean>;
}

/**
 * Leads. `(user_id, phone)` is unique where phone is not null: inserting a taken number throws
 * `conflict`; leads without a phone never collide. Every method is scoped to one user.
 */
export interface LeadRepository {
  /** Stores a lead; `conflict` if the user already has a lead with its phone. */
  insert(lead: Lead): Promise<Lead>;
  /**
   * Stores a lead unless the user already has one with its phone: then stores nothing and returns
   * undefined. Never a `conflict`, so it is safe inside a transaction (a failed statement would abort it on PostgreSQL).
   */
  insertUnlessPhoneTaken(lead: Lead): Promise<Lead | undefined>;
  get(userId: string, id: string): Promise<Lead | undefined>;
  /** The user's lead with this (normalised) phone, or undefined. */
  getByPhone(userId: string, phone: string): Promise<Lead | undefined>;
  /** One page, newest first (`created_at` descending, then id). */
  list(userId: string, filter: LeadFilter, range: Range): Promise<Slice<Lead>>;
  /** Applies changes; undefined if the user has no such lead; `conflict` if the new phone is taken. */
  update(
    userId: string,
    id: string,
    changes: Partial<Omit<Lead, 'id' | 'user_id' | 'created_at'>>,
  ): Promise<Lead | undefined>;
  /** The ids among `ids` that are the user's leads. */
  ownedIds(userId: string, ids: string[]): Promise<string[]>;
  /** Sets the status of the user's leads among `ids`; returns how many were updated (others' ids are untouched). */
  setStatus(userId: string, ids: string[], status: LeadStatus, updatedAt: string): Promise<number>;
  remove(userId: string, id: string): Promise<boolean>;
  /** Counts by status and by source, and how many have a phone and a website. */
  statistics(userId: string): Promise<LeadStatistics>;
}

/** Lead scrape tasks and the leads each found. Reads are scoped to one user; claims span every user. */
export interface LeadTaskRepository {
  insert(task: LeadTask): Promise<LeadTask>;
  /** The user's task, or undefined (another user's too). */
  get(userId: string, id: string): Promise<LeadTask | undefined>;
  /** The user's tasks, newest first (`created_at` descending, then id). */
  list(userId: string, filter: { status?: LeadTaskStatus }, range: Range): Promise<Slice<LeadTask>>;
  /**
   * Claims the oldest task that is `queued`, or `running` under a lease that expired before `now` (its
   * process died): sets it `running` for `owner` until `leaseUntil`, counts the attempt, and sets
   * `started_at` if unset. Atomic: concurrent claimers never receive the same task (SKIP LOCKED on PostgreSQL).
   */
  claim(owner: string, now: string, leaseUntil: string): Promise<LeadTask | undefined>;
  /** Applies changes only while the task is `running` under `owner`'s lease; false (nothing changed) otherwise. */
  update(id: string, owner: string, changes: LeadTaskChanges): Promise<boolean>;
  /** Records that the task found the lead, at `position`; false (nothing stored) if it already had it. */
  addResult(
    taskId: string,
    leadId: string,
    result: { position: number; merged: boolean; created_at: string },
  ): Promise<boolean>;
  /** The leads the user's task found, in the order found; empty for another user's task. */
  results(userId: string, taskId: string): Promise<Lead[]>;
}

/** WhatsApp sessions and their leases. Leases make one process at a time drive a session. */
export interface SessionRepository {
  /** Stores a new session; `conflict` if the id is taken. */
  insert(session: Session): Promise<Session>;
  /** The user's session, or undefined. */
  get(userId: string, id: string): Promise<Session | undefined>;
  /** Any session by id (for the engine, not for users). */
  getById(id: string): Promise<Session | undefined>;
  /** The user's sessions, oldest first. */
  list(userId: string): Promise<Session[]>;
  /** All sessions, or only those with these ids (status pages). */
  listAll(): Promise<Session[]>;
  update(id: string, changes: Partial<Omit<Session, 'id' | 'user_id' | 'created_at'>>): Promise<void>;
  /** Deletes the session and, by cascade, its credentials, contacts and saved groups. */
  remove(id: string): Promise<boolean>;
  /**
   * Takes or renews the lease when it is free, expired or already `owner`'s: an atomic compare-and-set,
   * so two processes never both win. True if `owner` holds it afterwards.
   */
  acquireLease(id: string, owner: string, now: string, expiresAt: string): Promise<boolean>;
  /** Extends every lease `owner` holds; returns those sessions (with `desired`, to notice remote disconnects). */
  renewLeases(owner: string, expiresAt: string): Promise<Array<Pick<Session, 'id' | 'desired'>>>;
  /** Gives the lease up if `owner` holds it. */
  releaseLease(id: string, owner: string): Promise<void>;
  /** Sessions that should run but nobody drives (free or expired lease), oldest first. */
  listOrphaned(now: string, limit: number): Promise<Session[]>;
}

/** A session's credentials and keys (the transport's `AuthStore`), as text values by (kind, id). */
export interface SessionAuthRepository {
  get(sessionId: string, kind: string, ids: string[]): Promise<Record<string, string>>;
  /** Writes every entry in one transaction (null deletes); safe to repeat. */
  set(sessionId: string, entries: Record<string, Record<string, string | null>>): Promise<void>;
  clear(sessionId: string): Promise<void>;
  /** Whether anything is stored for the session. */
  has(sessionId: string): Promise<boolean>;
}

/** WhatsApp contacts a session has seen. */
export interface SessionContactRepository {
  /** Inserts or refreshes by JID; a null field never overwrites a known value. */
  upsertMany(contacts: SessionContact[]): Promise<void>;
  /** A page of the session's contacts by name, then JID. */
  list(sessionId: string, range: Range): Promise<Slice<SessionContact>>;
}

/** Saved copies of WhatsApp groups. */
export interface WhatsappGroupRepository {
  /** A session's saved groups by subject. */
  listBySession(userId: string, sessionId: string): Promise<WhatsappGroup[]>;
  /**
   * Makes the saved groups of a session exactly `groups` (matched by JID) in one transaction: new ones
   * added, known ones updated, missing ones removed. Returns the counts.
   */
  replaceForSession(
    userId: string,
    sessionId: string,
    groups: WhatsappGroup[],
  ): Promise<{ added: number; updated: number; removed: number }>;
  /** Deletes one of the user's saved groups; false if the user has none with this id. */
  remove(userId: string, id: string): Promise<boolean>;
}

/** Messages, in and out. `(session_id, message_id)` is unique. */
export interface MessageRepository {
  /** Stores an incoming message unless the session already has its id; returns it with its new id, or undefined for a repeat. */
  insertIncoming(message: Omit<Message, 'id'>): Promise<Message | undefined>;
  /** A session's message by WhatsApp id. */
  findByMessageId(sessionId: string, messageId: string): Promise<Message | undefined>;
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

/** An event as kept in the durable log: its sequence number and the process that published it. */
export interface StoredEvent {
  seq: number;
  origin: string;
  event: KirimEvent;
}

/** A row of the log as a relay reads it: its own process's events without their content. */
export type RelayedEvent = StoredEvent | { seq: number; origin: string; event: null };

/**
 * The durable event log: every published event, each with a sequence number larger than every row
 * appended before it (gaps are allowed: a rolled-back append may leave one).
 */
export interface EventRepository {
  /**
   * Appends events published by process `origin`, all or none, their sequence numbers in the order given
   * (readers learn them from `listAfter`). `conflict` if an id exists.
   */
  append(events: KirimEvent[], origin: string): Promise<void>;
  /** Events with `afterSeq < seq` (and `seq <= untilSeq` when given), by sequence, at most `limit`; only `userId`'s when given. */
  listAfter(afterSeq: number, options: { limit: number; userId?: string; untilSeq?: number }): Promise<StoredEvent[]>;
  /**
   * What a process's relay reads: the events after `afterSeq`, by sequence, at most `limit`, those that
   * `origin` (the relay's process) appended with `event: null`, since it has them already.
   */
  listForRelay(afterSeq: number, origin: string, limit: number): Promise<RelayedEvent[]>;
  /** The largest sequence number, 0 when the log is empty. */
  lastSeq(): Promise<number>;
  /** Deletes events whose timestamp is before `before`; returns how many. */
  pruneBefore(before: string): Promise<number>;
}

/** Webhook subscriptions. Reads by user are scoped to that user. */
export interface WebhookRepository {
  insert(webhook: Webhook): Promise<Webhook>;
  /** The user's webhook, or undefined (another user's too). */
  get(userId: string, id: string): Promise<Webhook | undefined>;
  /** Any user's webhook by id (the delivery loop). */
  getById(id: string): Promise<Webhook | undefined>;
  /** The user's webhooks, oldest first. */
  list(userId: string): Promise<Webhook[]>;
  /** The user's active webhooks subscribed to `eventType` or to `*`. */
  listActiveFor(userId: string, eventType: string): Promise<Webhook[]>;
  update(id: string, changes: Partial<Omit<Webhook, 'id' | 'user_id' | 'created_at'>>): Promise<Webhook | undefined>;
  /** Deletes the user's webhook and its deliveries; false if the user has none with this id. */
  remove(userId: string, id: string): Promise<boolean>;
}

/** Webhook deliveries: the durable queue of attempts. */
export interface WebhookDeliveryRepository {
  insertMany(deliveries: WebhookDelivery[]): Promise<void>;
  /** A delivery of the webhook, or undefined. */
  get(webhookId: string, id: string): Promise<WebhookDelivery | undefined>;
  /** The webhook's deliveries, newest first. */
  list(webhookId: string, range: Range): Promise<Slice<WebhookDelivery>>;
  /**
   * Claims up to `limit` due deliveries (`pending` or `failed`, `next_attempt_at <= now`, unclaimed or
   * with an expired claim), oldest due first, for `claimer` until `claimUntil`. Atomic: concurrent
   * claimers never receive the same delivery (SKIP LOCKED on PostgreSQL).
   */
  claimDue(now: string, claimer: string, claimUntil: string, limit: number): Promise<WebhookDelivery[]>;
  /** Records an attempt's outcome and clears the claim, only while `claimer` still holds it; false if it lost the claim. */
  finish(
    id: string,
    claimer: string,
    changes: Partial<Omit<WebhookDelivery, 'id' | 'webhook_id' | 'user_id' | 'created_at'>>,
  ): Promise<boolean>;
  /** Releases every claim `claimer` holds (on stop), leaving those deliveries due as they were. */
  releaseClaims(claimer: string): Promise<number>;
  /** Applies changes regardless of any claim (a redeliver); undefined if there is no such delivery. */
  update(
    id: string,
    changes: Partial<Omit<WebhookDelivery, 'id' | 'webhook_id' | 'user_id' | 'created_at'>>,
  ): Promise<WebhookDelivery | undefined>;
  /** Marks every `pending` or `failed` delivery of the webhook `dead` with `reason`; returns how many. */
  killOpen(webhookId: string, reason: string, at: string): Promise<number>;
  /** Deletes `delivered` and `dead` deliveries last updated before `before`; returns how many. */
  pruneFinishedBefore(before: string): Promise<number>;
}

/** A message row to queue: everything but the id the database gives it. */
export type NewMessage = Omit<Message, 'id'>;

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

/**
 * The whole storage contract. One repository per area, a transaction, migrations and close.
 * An adapter proves itself with `runStorageConformance` from `@kirim/core/testing`.
 */
export interface Storage {
  /** The adapter's name, for status pages and logs (`sqlite`, `postgres`, ...). */
  readonly dialect: string;
  readonly users: UserRepository;
  readonly apiTokens: ApiTokenRepository;
  readonly announcements: AnnouncementRepository;
  readonly contacts: ContactRepository;
  readonly contactGroups: ContactGroupRepository;
  readonly templates: TemplateRepository;
  readonly sessions: SessionRepository;
  readonly sessionAuth: SessionAuthRepository;
  readonly sessionContacts: SessionContactRepository;
  readonly whatsappGroups: WhatsappGroupRepository;
  readonly messages: MessageRepository;
  readonly outbox: OutboxRepository;
  readonly pools: PoolRepository;
  readonly bulkJobs: BulkJobRepository;
  readonly optOuts: OptOutRepository;
  readonly leads: LeadRepository;
  readonly leadTasks: LeadTaskRepository;
  readonly events: EventRepository;
  readonly webhooks: WebhookRepository;
  readonly webhookDeliveries: WebhookDeliveryRepository;
  /** Runs `work` in one transaction: all its writes land, or none do if it throws. */
  transaction<T>(work: (tx: Storage) => Promise<T>): Promise<T>;
  /** Brings the schema up to date; safe to run again, and from several processes at once. */
  migrate(): Promise<void>;
  /** Closes connections; the storage is unusable afterwards. */
  close(): Promise<void>;
}
