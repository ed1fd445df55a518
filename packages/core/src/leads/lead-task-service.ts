import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Actor } from '../actor.js';
import { isAdmin } from '../actor.js';
import { startLoop, type BackgroundLoop } from '../background.js';
import type { Clock } from '../clock.js';
import { found, KirimError, notFound } from '../errors.js';
import type { KirimEvents } from '../events.js';
import type { Logger } from '../logger.js';
import type { Storage } from '../storage/storage.js';
import { fieldErrors, parse, readPage, type Page } from '../validation.js';
import { createLeadSchema, type LeadData } from './lead-schemas.js';
import { saveLead } from './lead-service.js';
import { queuedLeadTask } from './queued-lead-task.js';
import {
  listLeadTasksSchema,
  scrapeLeadsSchema,
  type LeadSourceStatus,
  type LeadTask,
  type LeadTaskDetail,
  type LeadTaskStatus,
  type LeadTaskView,
  type ListLeadTasksInput,
  type ScrapeLeadsInput,
} from './lead-task-schemas.js';
import type { LeadCandidate, LeadSource } from './sources/lead-source.js';

/** What {@link createLeadTaskService} needs. */
export interface LeadTaskServiceDeps {
  storage: Storage;
  clock: Clock;
  events: KirimEvents;
  logger: Logger;
  source: LeadSource;
  defaultCountryCode: string;
  /** How long a running task stays claimed without a heartbeat before another process may resume it; default 60 s. */
  leaseMs?: number;
  /** How often an idle runner looks for tasks (other processes' and lapsed ones); default 2000 ms. */
  pollMs?: number;
  /** Claims after which a task that keeps being interrupted is failed; default 10. */
  maxAttempts?: number;
}

/** Lead scrape tasks: queue, progress, results and the source's health. */
export interface LeadTaskService {
  /** Queues a scrape of `query` for `total` leads (1..500, default 20), started at once if the runner is idle; throws `validation`, `forbidden`, `not_found`. */
  scrape(actor: Actor, input: ScrapeLeadsInput): Promise<LeadTaskView>;
  /** A task with its progress and the leads it found so far; throws `not_found`. */
  get(actor: Actor, taskId: string): Promise<LeadTaskDetail>;
  /** One page of the actor's tasks, newest first, optionally of one status; throws `validation`. */
  list(actor: Actor, input?: ListLeadTasksInput): Promise<Page<LeadTaskView>>;
  /** Whether the configured lead source answers now. */
  health(actor: Actor): Promise<LeadSourceStatus>;
}

/** The background runner of scrape tasks, which the engine starts and stops. */
export interface LeadTaskRunner {
  /** Starts the runner: it claims tasks now, when one is queued here, and every `pollMs`. */
  start(): void;
  /** Stops the runner; a task it was running goes back to the queue, to resume where it stopped. */
  stop(): Promise<void>;
}

/** Why a running task's signal was aborted. */
const STOPPING = new Error('the lead task runner is stopping');
const LEASE_LOST = new Error('another process took over the lead task');

/** Running counts of a task, as stored with each result. */
type Counts = Pick<LeadTask, 'found' | 'saved' | 'merged' | 'skipped'>;

/**
 * Lead scrape tasks: `scrape` queues one, a background runner (started by `start()`) claims queued tasks
 * one at a time and saves what the lead source finds as leads, merged by phone like every other lead.
 *
 * Each result is stored in one transaction with the task's counts and the source's resume cursor, under
 * the runner's lease: a task interrupted by a stop (released at once) or a crash (its lease lapses) is
 * resumed by the next runner right after its last stored result, so a restart neither repeats nor loses
 * one. When a task ends, `lead_task.completed` is published with its status, result count and error.
 */
export function createLeadTaskService(deps: LeadTaskServiceDeps): LeadTaskService & LeadTaskRunner {
  const { storage, clock, events, logger, source } = deps;
  const leaseMs = deps.leaseMs ?? 60_000;
  const maxAttempts = deps.maxAttempts ?? 10;
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const leadSchema = createLeadSchema(deps.defaultCountryCode);
  let loop: BackgroundLoop | undefined;
  let running: AbortController | undefined;
  let stopping = false;

  const leaseUntil = () => new Date(clock.now().getTime() + leaseMs).toISOString();

  /** Whose task an input makes: the caller's, or for admins the named `user_id`'s. */
  async function ownerOf(actor: Actor, userId: string | undefined): Promise<string> {
    if (!userId || userId === actor.userId) return actor.userId;
    if (!isAdmin(actor)) throw new KirimError('forbidden', 'Only admins may act for another user');
    if (!(await storage.users.get(userId))) throw notFound('User');
    return userId;
  }

  /** Claims and runs tasks until none is left or the runner stops. */
  async function drain(): Promise<void> {
    while (!stopping) {
      const task = await storage.leadTasks.claim(owner, clock.now().toISOString(), leaseUntil());
      if (!task) return;
      await run(task);
    }
  }

  async function run(task: LeadTask): Promise<void> {
    const counts: Counts = { found: task.found, saved: task.saved, merged: task.merged, skipped: task.skipped };
    if (task.attempts > maxAttempts) {
      await finish(task, counts, 'failed', `Stopped after ${maxAttempts} interrupted attempts`);
      return;
    }
    const controller = new AbortController();
    running = controller;
    // Renews the lease while the source is slow to answer; a lost lease stops this run.
    const heartbeat = startLoop(
      clock,
      Math.max(1, Math.floor(leaseMs / 3)),
      'lead-task-heartbeat',
      logger,
      async () => {
        if (controller.signal.aborted) return;
        const held = await storage.leadTasks.update(task.id, owner, { lease_expires_at: leaseUntil() });
        if (!held) controller.abort(LEASE_LOST);
      },
    );
    try {
      // A cursor is the source's own: one written by another source (the configuration changed) is not resumed.
      const resumeFrom = task.source === source.name ? (task.cursor ?? undefined) : undefined;
      if (task.source !== source.name)
        await storage.leadTasks.update(task.id, owner, {
          source: source.name,
          cursor: null,
          updated_at: clock.now().toISOString(),
        });
      let cursor: string | null = resumeFrom ?? null;
      if (counts.saved + counts.merged < task.total) {
        const progress = {
          resumeFrom,
          signal: controller.signal,
          checkpoint: (state: string) => void (cursor = state),
        };
        for await (const candidate of source.search({ text: task.query, limit: task.total }, progress)) {
          controller.signal.throwIfAborted();
          await store(task, counts, candidate, cursor, controller);
          if (counts.saved + counts.merged >= task.total) break;
        }
      }
      await finish(task, counts, 'completed', null);
    } catch (error) {
      if (controller.signal.aborted) {
        if (controller.signal.reason === STOPPING) {
          await storage.leadTasks.update(task.id, owner, {
            status: 'queued',
            lease_owner: null,
            lease_expires_at: null,
            updated_at: clock.now().toISOString(),
          });
        }
        return;
      }
      logger.warn({ err: error, task_id: task.id }, 'lead task failed');
      await finish(task, counts, 'failed', error instanceof Error ? error.message : String(error));
    } finally {
      running = undefined;
      await heartbeat.stop();
    }
  }

  /** Saves one candidate with the task's new counts and cursor, all or nothing, while the lease is held. */
  async function store(
    task: LeadTask,
    counts: Counts,
    candidate: LeadCandidate,
    cursor: string | null,
    controller: AbortController,
  ): Promise<void> {
    const data = toLeadData(candidate);
    const now = clock.now().toISOString();
    const next = { ...counts, found: counts.found + 1 };
    await storage.transaction(async (tx) => {
      if (!data) next.skipped++;
      else {
        const { lead, merged } = await saveLead(tx, task.user_id, data, now);
        // A lead this task already has (a business listed twice) is not a second result.
        const added = await tx.leadTasks.addResult(task.id, lead.id, { position: next.found, merged, created_at: now });
        if (!added) next.skipped++;
        else if (merged) next.merged++;
        else next.saved++;
      }
      const held = await tx.leadTasks.update(task.id, owner, {
        ...next,
        cursor,
        lease_expires_at: leaseUntil(),
        updated_at: now,
      });
      if (!held) {
        controller.abort(LEASE_LOST);
        throw LEASE_LOST;
      }
    });
    Object.assign(counts, next);
  }

  async function finish(task: LeadTask, counts: Counts, status: LeadTaskStatus, error: string | null): Promise<void> {
    const now = clock.now().toISOString();
    const done = await storage.leadTasks.update(task.id, owner, {
      ...counts,
      status,
      error,
      finished_at: now,
      updated_at: now,
      lease_owner: null,
      lease_expires_at: null,
    });
    if (!done) return;
    await events.publish('lead_task.completed', task.user_id, {
      task_id: task.id,
      status,
      results: counts.saved + counts.merged,
      error,
    });
  }

  /**
   * A candidate as lead input, or undefined if it has no usable name. A field the lead schema refuses is
   * dropped rather than losing the whole lead; a phone that does not parse is kept as `extra_fields.phone_raw`.
   */
  function toLeadData(candidate: LeadCandidate): LeadData | undefined {
    const input: Record<string, unknown> = {
      source: candidate.source,
      business_name: candidate.business_name?.slice(0, 300),
      address: candidate.address?.slice(0, 1000) ?? null,
      website: candidate.website,
      phone: candidate.phone,
      latitude: candidate.latitude,
      longitude: candidate.longitude,
      extra_fields: candidate.extra,
    };
    for (let attempt = 0; attempt < 3; attempt++) {
      const result = leadSchema.safeParse(input);
      if (result.success) return result.data;
      const fields = new Set(Object.keys(fieldErrors(result.error)).map((f) => f.split('.')[0]!));
      if (fields.has('business_name') || fields.has('source')) return undefined;
      for (const field of fields) {
        if (field === 'extra_fields') delete input.extra_fields;
        else if (field === 'phone') {
          input.extra_fields =
            attempt === 0 ? { ...candidate.extra, phone_raw: String(candidate.phone).slice(0, 100) } : undefined;
          input.phone = null;
        } else input[field] = null;
      }
    }
    return undefined;
  }

  return {
    async scrape(actor: Actor, input: ScrapeLeadsInput): Promise<LeadTaskView> {
      const data = parse(scrapeLeadsSchema, input);
      const userId = await ownerOf(actor, data.user_id);
      const task = await storage.leadTasks.insert(
        queuedLeadTask({
          id: randomUUID(),
          user_id: userId,
          query: data.query,
          total: data.total,
          created_at: clock.now().toISOString(),
        }),
      );
      loop?.wake();
      return view(task);
    },

    async get(actor: Actor, taskId: string): Promise<LeadTaskDetail> {
      const task = found(await storage.leadTasks.get(actor.userId, taskId), 'Lead task');
      return { ...view(task), results: await storage.leadTasks.results(actor.userId, taskId) };
    },

    async list(actor: Actor, input: ListLeadTasksInput = {}): Promise<Page<LeadTaskView>> {
      const query = parse(listLeadTasksSchema, input);
      const page = await readPage(query, (range) =>
        storage.leadTasks.list(actor.userId, { status: query.status }, range),
      );
      return { ...page, items: page.items.map(view) };
    },

    async health(_actor: Actor): Promise<LeadSourceStatus> {
      const { ok, detail } = await source.health();
      return { source: source.name, ok, detail, checked_at: clock.now().toISOString() };
    },

    start(): void {
      stopping = false;
      loop ??= startLoop(clock, deps.pollMs ?? 2000, 'lead-tasks', logger, drain);
    },

    async stop(): Promise<void> {
      stopping = true;
      running?.abort(STOPPING);
      await loop?.stop();
      loop = undefined;
    },
  };
}

function view(task: LeadTask): LeadTaskView {
  const results = task.saved + task.merged;
  const percent = task.status === 'completed' ? 100 : Math.min(100, Math.floor((results * 100) / task.total));
  return {
    task_id: task.id,
    user_id: task.user_id,
    query: task.query,
    total: task.total,
    source: task.source,
    status: task.status,
    progress: { found: task.found, saved: task.saved, merged: task.merged, skipped: task.skipped, results, percent },
    error: task.error,
    created_at: task.created_at,
    started_at: task.started_at,
    finished_at: task.finished_at,
    updated_at: task.updated_at,
  };
}
