import type { KirimEvent } from '../events.js';
import type { Webhook, WebhookDelivery } from '../webhooks/webhook-schemas.js';
import type { Range, RecordChanges, Slice } from './repository-shapes.js';

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
  update(id: string, changes: RecordChanges<Webhook>): Promise<Webhook | undefined>;
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
