import { effectivePlan } from '../actor.js';
import { jobProgress } from '../bulk/job-progress.js';
import { every, type BackgroundLoop } from '../background.js';
import type { Clock } from '../clock.js';
import type { KirimEvent, KirimEvents } from '../events.js';
import type { Logger } from '../logger.js';
import { RECEIPT_MOVES_FROM, type Message, type MessageStatus } from '../messages/message-schemas.js';
import { messageStatusEvent } from '../messages/message-status-event.js';
import type { Pool } from '../pools/pool-schemas.js';
import type { SessionManager } from '../sessions/session-manager.js';
import type { Session } from '../sessions/session-schemas.js';
import type { ClaimDecision, Receipt, SendOutcome, Storage } from '../storage/storage.js';
import type { Connection, SendOptions } from '../transport/transport.js';
import type { MediaLoader } from './media-loader.js';
import { callerFault } from './send-faults.js';
import { effectiveLimits, type SendLimits } from './send-limits.js';
import { SessionThrottle, type SendSample } from './session-throttle.js';

/** Options of the dispatcher. */
export interface DispatcherOptions {
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
  /** Tries of a send that fails before the row is failed; default 3. */
  maxAttempts?: number;
  /** Wait before retrying a failed send, times the attempt number; default 5000 ms. */
  retryDelayMs?: number;
}

/** The dispatcher's defaults: poll every 100 ms, 500 rows a round, resend `unknown` rows after 60 s, 3 tries 5 s apart (times the attempt). */
export const DEFAULT_DISPATCHER_OPTIONS: Readonly<Required<Omit<DispatcherOptions, 'limits'>>> = { pollMs: 100, batchSize: 500, unknownGraceMs: 60_000, maxAttempts: 3, retryDelayMs: 5000 };

type Deps = { storage: Storage; clock: Clock; logger: Logger; events: KirimEvents; manager: SessionManager; media: MediaLoader; defaults: SendLimits };

// Session, pool and owner facts change rarely; re-reading them every round would double the queries.
const FACTS_TTL_MS = 2000;
// Most often a job sending a backlog reports `bulk.progress`.
const PROGRESS_EVERY_MS = 1000;

/** Which statuses end a row's life for someone waiting on it. */
const SETTLED = new Set(['sent', 'delivered', 'read', 'failed', 'cancelled']);

/**
 * The one pipeline every outgoing message goes through: claims due rows for the sessions this process
 * drives (and the pools they belong to), enforces the anti-ban controls, sends, and records the
 * outcome. Writes are batched: one transaction to claim a round, one to record it.
 */
export class Dispatcher {
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly unknownGraceMs: number;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly throttles = new Map<string, SessionThrottle>();
  private readonly waiters = new Map<number, Array<(row: Message) => void>>();
  /** Receipts held for rows being sent here, by session and WhatsApp id (see holdReceipts). */
  private readonly inFlight = new Map<string, Receipt[]>();
  private readonly onWhatsApp = new Map<string, boolean>();
  /** When each job last reported progress. */
  private readonly lastProgress = new Map<string, number>();
  /** Where each pool's rotation goes on next, across rounds. */
  private readonly poolCursors = new Map<string, number>();
  private loop: BackgroundLoop | undefined;
  private facts: { at: number; sessions: Map<string, Session>; pools: Pool[]; plans: Map<string, 'free' | 'supporter'> } | undefined;
  private lastRecovery = 0;
  private pending: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly deps: Deps,
    options: DispatcherOptions = {},
  ) {
    this.pollMs = options.pollMs ?? DEFAULT_DISPATCHER_OPTIONS.pollMs;
    this.batchSize = options.batchSize ?? DEFAULT_DISPATCHER_OPTIONS.batchSize;
    this.unknownGraceMs = options.unknownGraceMs ?? DEFAULT_DISPATCHER_OPTIONS.unknownGraceMs;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_DISPATCHER_OPTIONS.maxAttempts;
    this.retryDelayMs = options.retryDelayMs ?? DEFAULT_DISPATCHER_OPTIONS.retryDelayMs;
  }

  start(): void {
    this.stopping = false;
    this.loop ??= every(this.deps.clock, this.pollMs, 'dispatcher', this.deps.logger, () => this.drain());
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop?.stop();
    this.loop = undefined;
  }

  /**
   * Runs rounds back to back while they find rows to send (a backlog), then waits for the next poll or
   * poke. A round's record overlaps the next round's claim and sends (on PostgreSQL the database writes
   * one while this process sends the other); records are written one at a time, in order.
   */
  private async drain(): Promise<void> {
    let recording: Promise<void> | undefined;
    try {
      for (;;) {
        const sent = await this.claimAndSend();
        await recording;
        recording = undefined;
        if (!sent) return;
        // Caught here, not where it is awaited: a rejection would otherwise go unhandled while the next round sends.
        recording = this.record(sent).catch((error) => this.deps.logger.error({ err: error }, 'recording a round of sends failed'));
        if (this.stopping || !this.loop) return;
      }
    } finally {
      await recording;
    }
  }

  /** Runs a round soon, without waiting for the poll interval (new rows were queued here). */
  poke(): void {
    if (!this.loop || this.pending) return;
    this.pending = this.loop.poke().finally(() => (this.pending = undefined));
  }

  /** Forgets cached facts (a pool or session setting changed). */
  invalidate(): void {
    this.facts = undefined;
  }

  /**
   * Resolves with the rows once each is settled (sent or final), or as they are when `timeoutMs` passes.
   * Rows another process sends are polled from storage.
   */
  async waitFor(ids: number[], timeoutMs: number): Promise<Message[]> {
    const deadline = Date.now() + timeoutMs;
    const settled = new Map<number, Message>();
    const local = new Promise<void>((resolve) => {
      let left = ids.length;
      for (const id of ids) {
        const list = this.waiters.get(id) ?? [];
        list.push((row) => {
          settled.set(id, row);
          if (--left === 0) resolve();
        });
        this.waiters.set(id, list);
      }
    });
    try {
      for (;;) {
        const rows = await this.deps.storage.outbox.getMany(ids);
        for (const row of rows) if (SETTLED.has(row.status)) settled.set(row.id, row);
        if (settled.size === ids.length || Date.now() >= deadline) return rows.map((r) => settled.get(r.id) ?? r);
        await Promise.race([local, new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.max(0, deadline - Date.now()))))]);
      }
    } finally {
      for (const id of ids) this.waiters.delete(id);
    }
  }

  /** The limits that apply to a session (engine defaults, its pools', its own). */
  limitsFor(session: Session, pools: Pool[]): SendLimits {
    const poolSettings = pools.filter((p) => p.session_ids.includes(session.id)).map((p) => p.settings);
    return effectiveLimits(this.deps.defaults, ...poolSettings, session.settings as Partial<SendLimits>);
  }

  /** One round: claim what may go now, send it, record it. */
  async round(): Promise<void> {
    const sent = await this.claimAndSend();
    if (sent) await this.record(sent);
  }

  /** Claims what may go now and sends it; resolves with what is to record, or undefined when nothing went. */
  private async claimAndSend(): Promise<SentRound | undefined> {
    const { storage, clock, manager } = this.deps;
    const now = clock.now();
    if (now.getTime() - this.lastRecovery > this.unknownGraceMs / 4) {
      this.lastRecovery = now.getTime();
      await storage.outbox.requeueUnknown(new Date(now.getTime() - this.unknownGraceMs).toISOString(), now.toISOString());
    }
    const connected = manager.connectedSessions();
    // An idle engine asks one indexed question per poll, not one claim query per session.
    if (connected.length === 0 || !(await storage.outbox.hasDue(now.toISOString()))) return undefined;
    const facts = await this.loadFacts(connected, now);

    const budgets = new Map<string, number>();
    for (const id of connected) {
      const session = facts.sessions.get(id);
      if (!session) continue;
      const limits = this.limitsFor(session, facts.pools);
      const linkedSince = session.connected_at ? new Date(session.created_at) : null;
      budgets.set(id, await this.throttle(session).budget(now, limits, linkedSince, this.batchSize));
    }
    const sessions = [...budgets].map(([id, limit]) => ({ id, limit }));
    const pools = facts.pools.map((pool) => ({ id: pool.id, limit: pool.session_ids.reduce((sum, id) => sum + (budgets.get(id) ?? 0), 0) }));
    if (!sessions.some((s) => s.limit > 0)) return undefined;

    const decide = (row: Message): ClaimDecision => {
      let sessionId: string | null | undefined = row.session_id;
      if (!sessionId) {
        const pool = facts.pools.find((p) => p.id === row.pool_id);
        if (!pool) return { skip: true };
        // A pool row re-checks its owner's plan when it fires, not when it was queued.
        if (facts.plans.get(row.user_id) !== 'supporter') return { fail: 'plan_required: Send pools are a Supporter feature.' };
        sessionId = this.pickMember(pool, budgets);
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
    const claimed = await storage.outbox.claim({ owner: manager.instanceId, now: now.toISOString(), sessions, pools }, decide);
    if (claimed.length === 0) return undefined;
    await this.markJobsRunning(claimed, now.toISOString());

    const bySession = new Map<string, Message[]>();
    for (const row of claimed) {
      const rows = bySession.get(row.session_id!);
      if (rows) rows.push(row);
      else bySession.set(row.session_id!, [row]);
    }
    const receipts = this.holdReceipts(claimed);
    try {
      const outcomes = (await Promise.all([...bySession].map(([id, rows]) => this.sendAll(facts.sessions.get(id)!, rows, facts.pools)))).flat();
      return { claimed, outcomes, receipts };
    } catch (error) {
      manager.recordReceipts(receipts.release());
      throw error;
    }
  }

  /** Records a round's sends with the receipts that came meanwhile and their events, then settles waiters and jobs. */
  private async record({ claimed, outcomes, receipts }: SentRound): Promise<void> {
    let recorded: Recorded[] = [];
    let announce = () => {};
    try {
      const rows = new Map(claimed.map((r) => [r.id, r]));
      const steps = new Map(outcomes.map((o) => [o.id, o.status === 'sent' ? receipts.fold(rows.get(o.id)!, o) : [o.status]]));
      // The round's results and their events are stored together: neither without the other after a crash.
      await this.deps.storage.transaction(async (tx) => {
        const moved = new Set(await tx.outbox.complete(outcomes));
        recorded = outcomes.filter((o) => moved.has(o.id)).map((o) => ({ row: recordedRow(rows.get(o.id)!, o), steps: steps.get(o.id)! }));
        announce = await this.deps.events.publishIn(tx, this.statusEvents(recorded));
      });
    } finally {
      // Receipts not folded into a record (the send failed, or the record did) are written as any others.
      this.deps.manager.recordReceipts(receipts.release());
    }
    announce();
    await this.settle(recorded);
  }

  /**
   * Keeps the receipts of rows being sent until their sends are recorded: on a fast network they come
   * before the record, and folded into it they cost no write of their own (nor a race with it).
   */
  private holdReceipts(rows: Message[]) {
    const held = new Map(rows.map((r) => [receiptKey(r.session_id!, r.message_id!), [] as Receipt[]]));
    for (const key of held.keys()) this.inFlight.set(key, held.get(key)!);
    return {
      /** Folds a sent row's receipts up the ladder into its outcome; returns the statuses it went through. */
      fold(row: Message, outcome: Extract<SendOutcome, { status: 'sent' | 'delivered' | 'read' }>): MessageStatus[] {
        const steps: MessageStatus[] = ['sent'];
        const list = held.get(receiptKey(row.session_id!, row.message_id!)) ?? [];
        // A `failed` receipt is left to the receipt writer, which fails the row if it is still undelivered.
        const left = list.filter((receipt) => receipt.status === 'failed');
        for (const receipt of list) {
          if (receipt.status === 'failed' || !RECEIPT_MOVES_FROM[receipt.status].includes(outcome.status)) continue;
          outcome.status = receipt.status as 'delivered' | 'read';
          steps.push(receipt.status);
        }
        list.splice(0, list.length, ...left);
        return steps;
      },
      /** Stops holding; returns the receipts not folded. */
      release: (): Receipt[] => {
        for (const key of held.keys()) this.inFlight.delete(key);
        return [...held.values()].flat();
      },
    };
  }

  /** Whether a receipt is for a row being sent here: then it is recorded with the send. */
  holdReceipt(receipt: Receipt): boolean {
    const held = this.inFlight.get(receiptKey(receipt.sessionId, receipt.messageId));
    held?.push(receipt);
    return held !== undefined;
  }

  private throttle(session: Session): SessionThrottle {
    let throttle = this.throttles.get(session.id);
    if (!throttle) {
      throttle = new SessionThrottle((dayStart) => this.deps.storage.outbox.sentSince(session.id, dayStart));
      // A breaker another process (or this one before a restart) opened holds here too.
      if (session.circuit_open_until) throttle.openUntil = Date.parse(session.circuit_open_until);
      this.throttles.set(session.id, throttle);
    }
    return throttle;
  }

  /** Round-robin over the pool's members that can send now: connected here, breaker closed, budget left. */
  private pickMember(pool: Pool, budgets: Map<string, number>): string | undefined {
    const members = pool.session_ids;
    const cursor = this.poolCursors;
    const start = cursor.get(pool.id) ?? 0;
    for (let i = 0; i < members.length; i++) {
      const id = members[(start + i) % members.length];
      if ((budgets.get(id) ?? 0) > 0 && this.deps.manager.connection(id)) {
        cursor.set(pool.id, (start + i + 1) % members.length);
        return id;
      }
    }
    return undefined;
  }

  private async loadFacts(connected: string[], now: Date) {
    if (this.facts && now.getTime() - this.facts.at < FACTS_TTL_MS && connected.every((id) => this.facts!.sessions.has(id))) return this.facts;
    const { storage } = this.deps;
    const sessions = new Map<string, Session>();
    for (const id of connected) {
      const session = await storage.sessions.getById(id);
      if (session) sessions.set(id, session);
    }
    const pools = await storage.pools.poolsOfSessions(connected);
    const plans = new Map<string, 'free' | 'supporter'>();
    for (const userId of new Set(pools.map((p) => p.user_id))) {
      const user = await storage.users.get(userId);
      if (user) plans.set(userId, effectivePlan({ plan: user.plan, planExpiresAt: user.plan_expires_at ? new Date(user.plan_expires_at) : null }, now));
    }
    this.facts = { at: now.getTime(), sessions, pools, plans };
    return this.facts;
  }

  /** Sends one session's rows in order, keeping its gap, and returns their outcomes. */
  private async sendAll(session: Session, rows: Message[], pools: Pool[]): Promise<SendOutcome[]> {
    const { clock } = this.deps;
    const limits = this.limitsFor(session, pools);
    const throttle = this.throttle(session);
    const outcomes: SendOutcome[] = [];
    for (const row of rows) {
      const { outcome, sample } = await this.sendOne(session, row, limits);
      outcomes.push(outcome);
      const breaker = throttle.record(sample, clock.now(), limits);
      if (breaker) await this.reportBreaker(session, breaker, throttle.openUntil, outcome);
    }
    return outcomes;
  }

  /**
   * Sends one row and says what the throttle learns from it: only sends count for the breaker. The
   * caller's faults (a refused or unfit `media_url`, a group the session is not in) fail the row at once
   * and do not count; a media host that fails for a while is retried but does not count either. Whatever
   * asked WhatsApp something (a number check, a group's metadata) still spaces the next send.
   */
  private async sendOne(session: Session, row: Message, limits: SendLimits): Promise<{ outcome: SendOutcome; sample: SendSample }> {
    const { clock, manager } = this.deps;
    let queried = false;
    let reachedWhatsApp = false;
    const notSent = (): SendSample => (queried || reachedWhatsApp ? 'queried' : 'unsent');
    try {
      const connection = manager.connection(session.id);
      if (!connection) throw new Error('the session disconnected');
      if (limits.check_recipients && row.peer_phone && !(await this.exists(connection, session.id, row.peer_phone, () => (queried = true)))) {
        return { outcome: { id: row.id, status: 'failed', at: clock.now().toISOString(), error: 'not_on_whatsapp: the number has no WhatsApp account' }, sample: notSent() };
      }
      const result = await this.send(connection, row, () => (reachedWhatsApp = true));
      return { outcome: { id: row.id, status: 'sent', at: clock.now().toISOString(), raw: result.raw }, sample: 'sent' };
    } catch (error) {
      const at = clock.now().toISOString();
      const fault = callerFault(error, row, reachedWhatsApp);
      if (fault) return { outcome: { id: row.id, status: 'failed', at, error: fault }, sample: notSent() };
      const reason = error instanceof Error ? error.message : String(error);
      const sample = reachedWhatsApp ? 'failed' : notSent();
      if (row.attempts >= this.maxAttempts) return { outcome: { id: row.id, status: 'failed', at, error: reason }, sample };
      // A pool row goes back to the pool at once: another member may send it while this one cools down.
      if (row.pool_id) return { outcome: { id: row.id, status: 'queued', at, not_before: at, error: reason, release: true }, sample };
      const retryAt = new Date(Date.parse(at) + this.retryDelayMs * row.attempts).toISOString();
      return { outcome: { id: row.id, status: 'queued', at, not_before: retryAt, error: reason }, sample };
    }
  }

  /** Persists a breaker that opened or closed (pools in every process read it) and publishes `session.circuit`. */
  private async reportBreaker(session: Session, state: 'opened' | 'closed', openUntil: number, outcome: SendOutcome): Promise<void> {
    const until = state === 'opened' ? new Date(openUntil).toISOString() : null;
    const reason = state === 'opened' ? `most recent sends failed; the last: ${'error' in outcome ? outcome.error : 'unknown'}` : null;
    await this.deps.storage.sessions.update(session.id, { circuit_open_until: until, circuit_reason: reason });
    if (state === 'opened') this.deps.logger.warn({ session: session.id, until }, 'circuit breaker opened: most recent sends failed');
    else this.deps.logger.info({ session: session.id }, 'circuit breaker closed: a send succeeded after the cool-down');
    this.invalidate();
    await this.deps.events.publish('session.circuit', session.user_id, { session_id: session.id, state, until, reason });
  }

  /** Sends a row through `connection`; `reaching` is called once its content is ready, as WhatsApp is asked. */
  private async send(connection: Connection, row: Message, reaching: () => void) {
    const options: SendOptions = { messageId: row.message_id!, mentions: row.mentions.length > 0 ? row.mentions : undefined };
    if (row.quoted_message_id) {
      const quoted = await this.deps.storage.messages.findByMessageId(row.session_id!, row.quoted_message_id);
      if (quoted) options.quoted = { messageId: quoted.message_id!, chat: quoted.chat, fromMe: quoted.direction === 'out', participant: quoted.sender ?? undefined, raw: quoted.raw ?? null };
    }
    if (!row.media) {
      reaching();
      return connection.sendText(row.chat, row.text ?? '', options);
    }
    const file = await this.deps.media.load(row.media.url!, row.media.type);
    reaching();
    return connection.sendMedia(
      row.chat,
      { type: row.media.type as 'image', data: file.data, mimetype: row.media.mimetype ?? file.mimetype, filename: row.media.filename ?? file.filename, caption: row.text ?? undefined },
      options,
    );
  }

  /** Whether `phone` has WhatsApp, remembered per session; `asking` is called when WhatsApp is asked. */
  private async exists(connection: Connection, sessionId: string, phone: string, asking: () => void): Promise<boolean> {
    const key = `${sessionId}:${phone}`;
    let known = this.onWhatsApp.get(key);
    if (known === undefined) {
      asking();
      known = (await connection.checkNumbers([phone]))[0]?.exists ?? false;
      if (this.onWhatsApp.size > 50_000) this.onWhatsApp.clear();
      this.onWhatsApp.set(key, known);
    }
    return known;
  }

  private async markJobsRunning(rows: Message[], at: string): Promise<void> {
    for (const jobId of new Set(rows.map((r) => r.job_id).filter((id): id is string => id !== null))) {
      const job = await this.deps.storage.bulkJobs.get(rows.find((r) => r.job_id === jobId)!.user_id, jobId);
      if (job?.status === 'queued') await this.deps.storage.bulkJobs.update(jobId, { status: 'running', started_at: at, updated_at: at });
    }
  }

  /**
   * Completes the jobs of rows that receipts moved: after a crash, a job's last rows (left `unknown`)
   * may be settled by their receipts rather than by a send here.
   */
  async settleJobsOf(rows: Message[]): Promise<void> {
    const { storage, events, clock } = this.deps;
    await Promise.all([...jobsOf(rows)].map(([jobId, userId]) => settleJob(storage, events, clock, userId, jobId, false)));
  }

  /** The events of recorded rows: a `message.status` for each status a row went through, and a scheduled row's outcome. */
  private statusEvents(recorded: Recorded[]): KirimEvent[] {
    const { events } = this.deps;
    const out: KirimEvent[] = [];
    for (const { row, steps } of recorded) {
      if (row.status === 'queued') continue;
      for (const status of steps) out.push(messageStatusEvent(events, row, status));
      if (row.kind === 'scheduled' && steps[0] === 'sent') out.push(events.create('scheduled.sent', row.user_id, { id: String(row.id), message_id: row.message_id, to: row.peer_phone ?? row.chat }));
      if (row.kind === 'scheduled' && row.status === 'failed') out.push(events.create('scheduled.failed', row.user_id, { id: String(row.id), to: row.peer_phone ?? row.chat, error: row.error ?? 'failed' }));
    }
    return out;
  }

  /** After a round is recorded: settles waiters, and reports job progress and completion. */
  private async settle(recorded: Recorded[]): Promise<void> {
    const { events, storage, clock } = this.deps;
    for (const { row } of recorded) if (row.status !== 'queued') for (const wake of this.waiters.get(row.id) ?? []) wake(row);
    // Together: their progress events then share a commit. A job sending a backlog reports progress
    // at most every PROGRESS_EVERY_MS (each report counts its rows); its completion is always reported.
    const now = clock.now().getTime();
    await Promise.all([...jobsOf(recorded.map((r) => r.row))].map(([jobId, userId]) => {
      const report = now - (this.lastProgress.get(jobId) ?? 0) >= PROGRESS_EVERY_MS;
      if (report) this.lastProgress.set(jobId, now);
      return settleJob(storage, events, clock, userId, jobId, report);
    }));
    if (this.lastProgress.size > 10_000) this.lastProgress.clear();
  }
}

/** A round sent and not yet recorded: its rows, their outcomes, and the receipts held for them. */
type SentRound = { claimed: Message[]; outcomes: SendOutcome[]; receipts: ReturnType<Dispatcher['holdReceipts']> };

/** A recorded row, with the statuses it went through in this record. */
type Recorded = { row: Message; steps: MessageStatus[] };

/** What receipts are held under: a message is its session's WhatsApp id. */
const receiptKey = (sessionId: string, messageId: string) => `${sessionId} ${messageId}`;

/** A claimed row as `complete` leaves it after recording `outcome`. */
function recordedRow(row: Message, outcome: SendOutcome): Message {
  switch (outcome.status) {
    case 'failed':
      return { ...row, status: 'failed', error: outcome.error, updated_at: outcome.at };
    case 'queued':
      return {
        ...row, status: 'queued', not_before: outcome.not_before, error: outcome.error, claimed_by: null, updated_at: outcome.at,
        ...(outcome.release ? { session_id: null, message_id: null } : {}),
      };
    default:
      return { ...row, status: outcome.status, sent_at: outcome.at, raw: outcome.raw, error: null, updated_at: outcome.at };
  }
}

/** The bulk jobs the rows belong to, with their owners. */
function jobsOf(rows: Message[]): Map<string, string> {
  return new Map(rows.filter((r) => r.job_id !== null).map((r) => [r.job_id!, r.user_id]));
}

/**
 * Publishes a job's progress (unless `progress` is false), and completes it once nothing of it is left
 * to send.
 */
export async function settleJob(storage: Storage, events: KirimEvents, clock: Clock, userId: string, jobId: string, progress = true): Promise<void> {
  const job = await storage.bulkJobs.get(userId, jobId);
  const open = job?.status === 'queued' || job?.status === 'running';
  if (!job || (!progress && !open)) return;
  // Counting a job's rows reads all of them: without a progress event to send, only once nothing is left.
  if (!progress && ((await storage.outbox.hasActive(jobId)) || (await storage.bulkJobs.unexpanded(jobId)) > 0)) return;
  const { sent, failed, pending } = await jobProgress(storage, job);
  if (progress) await events.publish('bulk.progress', userId, { job_id: jobId, total: job.total, sent, failed, pending });
  if (pending === 0 && open) {
    const at = clock.now().toISOString();
    await storage.bulkJobs.update(jobId, { status: 'completed', completed_at: at, updated_at: at });
    await events.publish('bulk.completed', userId, { job_id: jobId, status: 'completed', total: job.total, sent, failed });
  }
}
