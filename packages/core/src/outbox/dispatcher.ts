import { startLoop, type BackgroundLoop } from '../background.js';
import type { JobTracker } from '../bulk/job-tracker.js';
import { sendEvents, type RecordedRow } from '../messages/message-events.js';
import type { Message } from '../messages/message-schemas.js';
import type { HeldReceipts, ReceiptWriter } from '../messages/receipt-writer.js';
import { PoolRotation } from '../pools/pool-rotation.js';
import type { ClaimDecision, SendOutcome } from '../storage/storage.js';
import { RoundFactsCache } from './round-facts.js';
import { recordedRow, RowSender, type RowSenderDeps, type RowSenderOptions } from './row-sender.js';
import type { SendWaiters } from './send-waiters.js';
import { sessionLimits, type SendLimits } from './send-limits.js';

/** Options of the dispatcher. */
export interface DispatcherOptions extends RowSenderOptions {
  /** How often due rows are looked for when nothing pokes the dispatcher; default 100 ms. */
  pollMs?: number;
  /** Most rows one session takes in a round when it has no gap to keep; default 500 (fewer, larger commits in a backlog). */
  batchSize?: number;
  /** The engine's send limits (anti-ban controls); pools and sessions may override them. */
  limits?: Partial<SendLimits>;
  /**
   * Recovery policy for rows whose process died mid-send (`unknown`): after this long without a receipt
   * settling them, they are sent again under the same WhatsApp id, which recipients' apps treat as the
   * same message. Default 60 000 ms.
   */
  unknownGraceMs?: number;
}

/** The dispatcher's defaults: poll every 100 ms, 500 rows a round, resend `unknown` rows after 60 s, 3 tries 5 s apart (times the attempt). */
export const DEFAULT_DISPATCHER_OPTIONS: Readonly<Required<Omit<DispatcherOptions, 'limits'>>> = {
  pollMs: 100,
  batchSize: 500,
  unknownGraceMs: 60_000,
  maxAttempts: 3,
  retryDelayMs: 5000,
};

type Deps = Omit<RowSenderDeps, 'onCircuitChanged'> & {
  /** Holds the receipts of rows being sent, to fold into their record. */
  receipts: ReceiptWriter;
  /** Told which rows of bulk jobs were claimed and recorded. */
  jobs: JobTracker;
  /** Told which rows were recorded, for the callers of immediate sends waiting on them. */
  waiters: SendWaiters;
  /** The engine's send limits, before pools' and sessions' own. */
  defaults: SendLimits;
};

/**
 * The one pipeline every outgoing message goes through: claims due rows for the sessions this process
 * drives (and the pools they belong to), enforces the anti-ban controls, sends, and records the
 * outcome. Writes are batched: one transaction to claim a round, one to record it.
 */
export class Dispatcher {
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly unknownGraceMs: number;
  private readonly sender: RowSender;
  private readonly rotation = new PoolRotation();
  private readonly facts: RoundFactsCache;
  private loop: BackgroundLoop | undefined;
  private lastRecovery = 0;
  private recording: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly deps: Deps,
    options: DispatcherOptions = {},
  ) {
    this.pollMs = options.pollMs ?? DEFAULT_DISPATCHER_OPTIONS.pollMs;
    this.batchSize = options.batchSize ?? DEFAULT_DISPATCHER_OPTIONS.batchSize;
    this.unknownGraceMs = options.unknownGraceMs ?? DEFAULT_DISPATCHER_OPTIONS.unknownGraceMs;
    const retries = {
      maxAttempts: options.maxAttempts ?? DEFAULT_DISPATCHER_OPTIONS.maxAttempts,
      retryDelayMs: options.retryDelayMs ?? DEFAULT_DISPATCHER_OPTIONS.retryDelayMs,
    };
    this.facts = new RoundFactsCache(deps.storage);
    this.sender = new RowSender({ ...deps, onCircuitChanged: () => this.invalidate() }, retries);
  }

  start(): void {
    this.stopping = false;
    this.loop ??= startLoop(this.deps.clock, this.pollMs, 'dispatcher', this.deps.logger, () => this.tick());
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop?.stop();
    await this.recording;
    this.loop = undefined;
  }

  /**
   * The loop's tick: one round; true when it found rows to send, so the next runs at once (a backlog). A round's
   * record overlaps the next round's claim and sends (on PostgreSQL the database writes one while this process
   * sends the other); records are written one at a time, in order.
   */
  private async tick(): Promise<boolean> {
    const sent = await this.claimAndSend();
    await this.recording;
    this.recording = undefined;
    if (!sent) return false;
    // Caught here, not where it is awaited: a rejection would otherwise go unhandled while the next round sends.
    this.recording = this.record(sent).catch((error) =>
      this.deps.logger.error({ err: error }, 'recording a round of sends failed'),
    );
    return !this.stopping;
  }

  /** Runs a round soon, without waiting for the poll interval (new rows were queued here). */
  poke(): void {
    this.loop?.wake();
  }

  /** Settles what a dead owner left mid-send on a session that connected here, then runs a round soon. */
  async recover(sessionId: string): Promise<void> {
    await this.deps.storage.outbox.recover(
      sessionId,
      this.deps.manager.instanceId,
      this.deps.clock.now().toISOString(),
    );
    this.poke();
  }

  /** Waits for a session connected here to have its turn to ask WhatsApp something, spaced from its sends by its gap. */
  async paceQuestion(sessionId: string): Promise<void> {
    const { clock, manager, defaults } = this.deps;
    const now = clock.now();
    const facts = await this.facts.read(manager.connectedSessions(), now);
    const session = facts.sessions.get(sessionId);
    if (!session) return;
    const waitMs = this.sender.reserveQuestion(session, now, sessionLimits(defaults, session, facts.pools));
    if (waitMs > 0) await clock.sleep(waitMs);
  }

  /** Forgets cached facts (a pool or session setting changed). */
  invalidate(): void {
    this.facts.invalidate();
  }

  /** Claims what may go now and sends it; resolves with what is to record, or undefined when nothing went. */
  private async claimAndSend(): Promise<SentRound | undefined> {
    const { storage, clock, manager, defaults } = this.deps;
    const now = clock.now();
    if (now.getTime() - this.lastRecovery > this.unknownGraceMs / 4) {
      this.lastRecovery = now.getTime();
      await storage.outbox.requeueUnknown(
        new Date(now.getTime() - this.unknownGraceMs).toISOString(),
        now.toISOString(),
      );
    }
    const connected = manager.connectedSessions();
    // An idle engine asks one indexed question per poll, not one claim query per session.
    if (connected.length === 0 || !(await storage.outbox.hasDue(now.toISOString()))) return undefined;
    const facts = await this.facts.read(connected, now);

    const budgets = new Map<string, number>();
    for (const id of connected) {
      const session = facts.sessions.get(id);
      if (!session) continue;
      const limits = sessionLimits(defaults, session, facts.pools);
      const linkedSince = session.linked_at ? new Date(session.linked_at) : null;
      budgets.set(id, await this.sender.budget(session, now, limits, linkedSince, this.batchSize));
    }
    const sessions = [...budgets].map(([id, limit]) => ({ id, limit }));
    const pools = facts.pools.map((pool) => ({
      id: pool.id,
      limit: pool.session_ids.reduce((sum, id) => sum + (budgets.get(id) ?? 0), 0),
    }));
    if (!sessions.some((s) => s.limit > 0)) return undefined;

    const decide = (row: Message): ClaimDecision => {
      let sessionId: string | null | undefined = row.session_id;
      if (!sessionId) {
        const pool = facts.pools.find((p) => p.id === row.pool_id);
        if (!pool) return { skip: true };
        // A pool row re-checks its owner's plan when it fires, not when it was queued.
        if (facts.plans.get(row.user_id) !== 'supporter')
          return { fail: 'plan_required: Send pools are a Supporter feature.' };
        sessionId = this.rotation.pick(
          pool,
          (id) => (budgets.get(id) ?? 0) > 0 && manager.connection(id) !== undefined,
        );
        if (!sessionId) return { skip: true };
      }
      const left = budgets.get(sessionId) ?? 0;
      if (left <= 0) return { skip: true };
      const connection = manager.connection(sessionId);
      if (!connection) return { skip: true };
      budgets.set(sessionId, left - 1);
      // The WhatsApp id is recorded before sending: a crash mid-send leaves a row that can be recognised.
      return { send: { session_id: sessionId, message_id: row.message_id ?? connection.newMessageId() } };
    };
    const claimed = await storage.outbox.claim(
      { owner: manager.instanceId, now: now.toISOString(), sessions, pools },
      decide,
    );
    if (claimed.length === 0) return undefined;
    await this.deps.jobs.claimed(claimed, now.toISOString());

    const bySession = new Map<string, Message[]>();
    for (const row of claimed) {
      const rows = bySession.get(row.session_id!);
      if (rows) rows.push(row);
      else bySession.set(row.session_id!, [row]);
    }
    const receipts = this.deps.receipts.hold(claimed);
    try {
      const outcomes = (
        await Promise.all(
          [...bySession].map(([id, rows]) =>
            this.sender.sendAll(
              facts.sessions.get(id)!,
              rows,
              sessionLimits(defaults, facts.sessions.get(id)!, facts.pools),
            ),
          ),
        )
      ).flat();
      return { claimed, outcomes, receipts };
    } catch (error) {
      receipts.release();
      throw error;
    }
  }

  /** Records a round's sends with the receipts that came meanwhile and their events, then settles waiters and jobs. */
  private async record({ claimed, outcomes, receipts }: SentRound): Promise<void> {
    let recorded: RecordedRow[] = [];
    let announce = () => {};
    try {
      const rows = new Map(claimed.map((r) => [r.id, r]));
      const steps = new Map(
        outcomes.map((o) => [o.id, o.status === 'sent' ? receipts.fold(rows.get(o.id)!, o) : [o.status]]),
      );
      // The round's results and their events are stored together: neither without the other after a crash.
      await this.deps.storage.transaction(async (tx) => {
        const moved = new Set(await tx.outbox.complete(outcomes));
        recorded = outcomes
          .filter((o) => moved.has(o.id))
          .map((o) => ({ row: recordedRow(rows.get(o.id)!, o), steps: steps.get(o.id)! }));
        announce = await this.deps.events.publishIn(tx, sendEvents(this.deps.events, recorded));
      });
    } finally {
      // Receipts not folded into a record (the send failed, or the record did) are written as any others.
      receipts.release();
    }
    announce();
    this.deps.waiters.recorded(recorded.map((r) => r.row));
    await this.deps.jobs.sent(recorded.map((r) => r.row));
  }
}

/** A round sent and not yet recorded: its rows, their outcomes, and the receipts held for them. */
type SentRound = { claimed: Message[]; outcomes: SendOutcome[]; receipts: HeldReceipts };
