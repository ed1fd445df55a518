import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Actor } from '../actor.js';
import { startLoop, type BackgroundLoop } from '../background.js';
import type { Clock } from '../clock.js';
import type { EventRecorder, KirimEvent } from '../events.js';
import type { Logger } from '../logger.js';
import type { RelayedEvent, Storage, StoredEvent } from '../storage/storage.js';
import { GroupCommit } from '../group-commit.js';
import { parse } from '../validation.js';

/** Options of the durable event log. */
export interface EventLogOptions {
  /** How often the relay reads events other processes appended; default 250 ms. */
  pollMs?: number;
  /** How long events are kept for `Last-Event-ID` resume; default 24 h. */
  retentionMs?: number;
  /** How often old events are pruned; default 10 min. */
  pruneEveryMs?: number;
  /** How long the relay waits for a missing sequence number to commit before taking it for a rolled-back append; default 2 s. */
  gapWaitMs?: number;
}

/** The event log's defaults: relay poll 250 ms, events kept 24 h, pruned every 10 min, a missing sequence number awaited 2 s. */
export const DEFAULT_EVENT_LOG_OPTIONS: Readonly<Required<EventLogOptions>> = {
  pollMs: 250,
  retentionMs: 24 * 3_600_000,
  pruneEveryMs: 10 * 60_000,
  gapWaitMs: 2_000,
};

/** One event of the live stream, with its sequence number (the SSE `id`). */
export interface StreamedEvent {
  seq: number;
  event: KirimEvent;
}

/** Extra writes made in the transaction that appends events (webhook deliveries). */
export type EventRecordHook = (tx: Storage, events: KirimEvent[]) => Promise<void>;

/** The live event stream of the SSE route: a user's events, resumable from the durable log. */
export interface EventStreams {
  /**
   * Streams the actor's events (admins too see only their own) to `listener`, in sequence order:
   * with `last_event_id`, first those after it still in the log, then live ones. `onEnd` runs when the
   * engine ends every stream (shutdown). Returns the unsubscribe; throws `validation` for a bad `last_event_id`.
   */
  subscribe(
    actor: Actor,
    input: unknown,
    listener: (event: StreamedEvent) => void,
    onEnd?: () => void,
  ): Promise<() => void>;
  /** How many streams are open in this process. */
  openStreams(): number;
  /** Ends every open stream (a server shutting down does not wait for its clients to leave). */
  endStreams(): void;
}

/** The durable event log: the bus's recorder, the relay of other processes' events, and the live streams. */
export interface EventLog extends EventStreams, EventRecorder {
  /** Tags this process's rows (and its webhook claims). */
  readonly instanceId: string;
  /** Adds writes made in the same transaction as each append (webhook deliveries use it). */
  onRecord(hook: EventRecordHook): void;
  /** Runs `listener` once recorded events have committed (the webhook deliverer wakes on it). */
  onCommitted(listener: () => void): void;
  /** Runs `listener` for each event another process appended (the engine delivers them to its bus). */
  onRelayed(listener: (event: KirimEvent) => void): void;
  /** Starts the relay (from the end of the log) and the pruning of old events. */
  start(): Promise<void>;
  /** Stops the relay and the pruning; streams get no more events. */
  stop(): Promise<void>;
}

const streamSchema = z.object({
  last_event_id: z
    .union([z.number(), z.string().trim().regex(/^\d+$/, 'must be the id of an event received').transform(Number)])
    .pipe(z.number().int().min(0))
    .optional(),
});

// Events read a query (relay, replay).
const BATCH = 500;
// Events written a transaction: a burst (a dispatcher round, a flush of receipts) is thousands.
const WRITE_BATCH = 5000;

/**
 * The durable, cross-process side of the event bus. `record` appends an event (with `onRecord`'s writes,
 * in one transaction); the relay reads the log in sequence order, handing `onRelayed` listeners the
 * events other processes appended and feeding every event to live streams.
 */
export function createEventLog(deps: {
  storage: Storage;
  clock: Clock;
  logger: Logger;
  options?: EventLogOptions;
}): EventLog {
  const { storage, clock, logger } = deps;
  const pollMs = deps.options?.pollMs ?? DEFAULT_EVENT_LOG_OPTIONS.pollMs;
  const retentionMs = deps.options?.retentionMs ?? DEFAULT_EVENT_LOG_OPTIONS.retentionMs;
  const pruneEveryMs = deps.options?.pruneEveryMs ?? DEFAULT_EVENT_LOG_OPTIONS.pruneEveryMs;
  const gapWaitMs = deps.options?.gapWaitMs ?? DEFAULT_EVENT_LOG_OPTIONS.gapWaitMs;
  /** Tags this process's rows: the relay does not emit them again. */
  const instanceId = `proc_${randomUUID()}`;
  const hooks: EventRecordHook[] = [];
  const committedListeners: Array<() => void> = [];
  const relayedListeners: Array<(event: KirimEvent) => void> = [];
  const feed = new Set<(row: StoredEvent) => void>();
  const enders = new Set<() => void>();

  // Everything up to `cursor` has been relayed. A missing number after it may be an append still
  // committing (PostgreSQL hands out sequence numbers before commit): wait for it, up to gapWaitMs.
  let cursor = 0;
  let gapSince: number | undefined;
  let relay: BackgroundLoop | undefined;
  let pruner: BackgroundLoop | undefined;

  const dispatch = (row: RelayedEvent) => {
    cursor = row.seq;
    if (row.event === null) return;
    if (row.origin !== instanceId) for (const listener of relayedListeners) listener(row.event);
    for (const listener of feed) {
      try {
        listener(row as StoredEvent);
      } catch (error) {
        logger.warn({ err: error }, 'event stream listener failed');
      }
    }
  };

  const relayTick = async (): Promise<boolean> => {
    // With no live stream here, this process's own events are not read back in full: it has them already.
    const light = feed.size === 0;
    const rows = light
      ? await storage.events.listForRelay(cursor, instanceId, BATCH)
      : await storage.events.listAfter(cursor, { limit: BATCH });
    // A stream opened while they were read: read them again, in full.
    if (light && feed.size > 0) return true;
    for (const row of rows) {
      if (row.seq !== cursor + 1) {
        const now = clock.now().getTime();
        gapSince ??= now;
        if (now - gapSince < gapWaitMs) return false;
      }
      gapSince = undefined;
      dispatch(row);
    }
    return rows.length === BATCH;
  };

  const append = async (tx: Storage, batch: KirimEvent[]) => {
    await tx.events.append(batch, instanceId);
    for (const hook of hooks) await hook(tx, batch);
  };

  // Concurrent publishers share one commit; one bad event fails only itself.
  const commit = new GroupCommit<KirimEvent>({
    batchSize: WRITE_BATCH,
    write: (batch) => storage.transaction((tx) => append(tx, batch)),
  });

  let lastPrune = 0;
  const pruneTick = async () => {
    const now = clock.now().getTime();
    if (now - lastPrune < pruneEveryMs) return;
    lastPrune = now;
    const pruned = await storage.events.pruneBefore(new Date(now - retentionMs).toISOString());
    if (pruned > 0) logger.debug({ pruned }, 'pruned old events');
  };

  return {
    instanceId,

    onRecord(hook) {
      hooks.push(hook);
    },

    onCommitted(listener) {
      committedListeners.push(listener);
    },

    onRelayed(listener) {
      relayedListeners.push(listener);
    },

    /** Appends the event (and the hooks' writes) in one transaction, resolving once it is committed; wakes the relay. */
    async record(event: KirimEvent): Promise<void> {
      try {
        await commit.add(event);
      } finally {
        relay?.wake();
      }
      for (const listener of committedListeners) listener();
    },

    /** Appends events (and the hooks' writes) in `tx`, the transaction of the change they report; `committed` once it commits. */
    recordIn(tx: Storage, batch: KirimEvent[]): Promise<void> {
      return append(tx, batch);
    },

    /** Has the relay read what was just committed (to feed live streams), and tells the `onCommitted` listeners. */
    committed(): void {
      relay?.wake();
      for (const listener of committedListeners) listener();
    },

    async subscribe(
      actor: Actor,
      input: unknown,
      listener: (event: StreamedEvent) => void,
      onEnd?: () => void,
    ): Promise<() => void> {
      const { last_event_id } = parse(streamSchema, input);
      // Rows up to `until` have been relayed already: they come from the log; later ones through the feed.
      const until = cursor;
      let sent = last_event_id ?? until;
      let replaying = true;
      const queued: StoredEvent[] = [];
      const send = (row: StoredEvent) => {
        if (row.seq <= sent) return;
        sent = row.seq;
        listener({ seq: row.seq, event: row.event });
      };
      const onRow = (row: StoredEvent) => {
        if (row.event.user_id !== actor.userId) return;
        if (replaying) queued.push(row);
        else send(row);
      };
      feed.add(onRow);
      try {
        while (sent < until) {
          const rows = await storage.events.listAfter(sent, { limit: BATCH, userId: actor.userId, untilSeq: until });
          for (const row of rows) send(row);
          if (rows.length < BATCH) break;
        }
      } catch (error) {
        feed.delete(onRow);
        throw error;
      }
      replaying = false;
      for (const row of queued) send(row);
      const end = () => onEnd?.();
      enders.add(end);
      return () => {
        feed.delete(onRow);
        enders.delete(end);
      };
    },

    openStreams(): number {
      return enders.size;
    },

    endStreams(): void {
      for (const end of [...enders]) end();
    },

    async start(): Promise<void> {
      if (relay) return;
      cursor = await storage.events.lastSeq();
      relay = startLoop(clock, pollMs, 'event-relay', logger, relayTick);
      pruner = startLoop(clock, Math.min(pruneEveryMs, 60_000), 'event-prune', logger, pruneTick);
    },

    async stop(): Promise<void> {
      await Promise.all([relay?.stop(), pruner?.stop()]);
      relay = pruner = undefined;
      feed.clear();
    },
  };
}
