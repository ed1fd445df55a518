import { randomUUID } from 'node:crypto';
import type { Actor } from '../actor.js';
import type { Clock } from '../clock.js';
import type { Contact } from '../contacts/contact-schemas.js';
import { tryNormalisePhone } from '../contacts/phone.js';
import { notFound } from '../errors.js';
import type { KirimEvents } from '../events.js';
import type { MessageMedia } from '../messages/message-schemas.js';
import { bulkMediaSchema, bulkTextSchema } from '../outbox/outbox-schemas.js';
import { sessionLimits, type SendLimits } from '../outbox/send-limits.js';
import type { SendRoutes } from '../outbox/send-routes.js';
import type { NewMessage, Slice, Storage } from '../storage/storage.js';
import { knownPlaceholders, personaliser, savedTemplate, templateText } from '../templates/personalise.js';
import { validateTemplate } from '../templates/renderer.js';
import { pageSchema, parse, validationError, type Page } from '../validation.js';
import { BULK_BATCH_SIZE, rowsOfBatch, type BulkExpander } from './bulk-expander.js';
import {
  bulkStatusSchema,
  SKIP_REASONS,
  type BulkBatch,
  type BulkJob,
  type BulkJobView,
  type SkippedRecipient,
  type SkipReason,
} from './bulk-schemas.js';
import { estimateFinish, sendingDays, type SenderLoad } from './estimate-finish.js';
import { jobProgress } from './job-progress.js';

/** A bulk job's status: its progress and a page of the recipients it skipped, with the reason. */
export type BulkJobStatusView = BulkJobView & {
  skipped_recipients: Slice<SkippedRecipient> & { page: number; per_page: number };
};

/**
 * Bulk jobs. Creating one throws `validation` naming each bad field (no recipient left to send to included),
 * `not_found` for a session, pool, contact group or template not the caller's, and `plan_required` for a pool
 * without the Supporter plan.
 */
export interface BulkService {
  /** Queues a text to every recipient, personalised; skipped recipients are counted, not sent to. */
  createText(actor: Actor, input: unknown): Promise<BulkJobView>;
  /** Queues media (with a personalised caption) to every recipient, as `createText` does. */
  createMedia(actor: Actor, input: unknown): Promise<BulkJobView>;
  /** The caller's jobs, newest first, with progress; `validation` for a bad page. */
  list(actor: Actor, input?: unknown): Promise<Page<BulkJobView>>;
  /** One job's progress and a page of the recipients it skipped; `not_found` unless it is the caller's. */
  status(actor: Actor, id: string, input?: unknown): Promise<BulkJobStatusView>;
  /** Cancels a job and resolves once nothing of it is in flight; `not_found` unless it is the caller's. */
  cancel(actor: Actor, id: string): Promise<BulkJobView>;
}

/** What the bulk service works with. */
type BulkServiceDeps = {
  storage: Storage;
  clock: Clock;
  events: KirimEvents;
  /** Checks the session or pool a job goes through. */
  routes: SendRoutes;
  /** Refuses a media URL that could never be fetched (see MediaLoader.check). */
  checkMediaUrl(url: string): Promise<void>;
  expander: BulkExpander;
  /** Told a job's first rows were queued (the dispatcher runs a round soon). */
  onQueued(): void;
  /** The engine's send limits, before pools' and sessions' own (for the finish estimate). */
  limits: SendLimits;
  defaultCountryCode: string;
};

type Recipient = Pick<
  Contact,
  'name' | 'phone' | 'email' | 'company' | 'position' | 'address' | 'city' | 'country' | 'notes'
> & {
  extra_fields: Record<string, string>;
  /** Where the recipient was in the request's `contacts[]`, and its number as given (null index: a group's member). */
  index: number | null;
  input: string;
};

// A number as given is kept for the skipped list up to this length.
const MAX_INPUT_KEPT = 64;

// How long a cancel waits for rows already handed to WhatsApp to finish, so nothing goes out after it returns.
const CANCEL_SETTLE_MS = 10_000;

/**
 * Bulk jobs: one outbox row per recipient, personalised (placeholders and spintax seeded per
 * recipient, exactly as a preview shows) and spaced by `delay`. Opted-out, invalid and repeated
 * numbers are left out and counted as skipped.
 */
export function createBulkService(deps: BulkServiceDeps): BulkService {
  const { storage, clock } = deps;

  async function recipientsOf(
    actor: Actor,
    input: { contacts?: unknown[]; contact_group_id?: string },
  ): Promise<{ recipients: Recipient[]; invalid: SkippedRecipient[] }> {
    if (input.contact_group_id) {
      const group = await storage.contactGroups.get(actor.userId, input.contact_group_id);
      if (!group) throw notFound('Contact group');
      const members = await storage.contactGroups.members(actor.userId, group.id, { activeOnly: true });
      return { recipients: members.map((m) => ({ ...m, index: null, input: m.phone })), invalid: [] };
    }
    const recipients: Recipient[] = [];
    const invalid: SkippedRecipient[] = [];
    for (const [index, entry] of (input.contacts ?? []).entries()) {
      const fields =
        typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : { phone: entry };
      const given = String(fields.phone ?? '').slice(0, MAX_INPUT_KEPT);
      const phone = tryNormalisePhone(String(fields.phone ?? ''), deps.defaultCountryCode);
      if (!phone) {
        invalid.push({ index, input: given, phone: null, reason: 'invalid_number' });
        continue;
      }
      const text = (key: string) => (typeof fields[key] === 'string' ? (fields[key] as string) : null);
      const extra = Object.fromEntries(
        Object.entries(fields).filter(([k, v]) => typeof v === 'string' && !['phone', 'name'].includes(k)),
      ) as Record<string, string>;
      recipients.push({
        phone,
        name: text('name') ?? '',
        email: text('email'),
        company: text('company'),
        position: text('position'),
        address: text('address'),
        city: text('city'),
        country: text('country'),
        notes: text('notes'),
        extra_fields: extra,
        index,
        input: given,
      });
    }
    return { recipients, invalid };
  }

  /**
   * When the job's pending messages are expected to have gone, at the limits of the sessions that send
   * them (a pool's members share the load); null when nothing is pending or no session can send it.
   */
  async function finishOf(job: BulkJob, pending: number): Promise<Date | null> {
    if (pending === 0 || (job.status !== 'queued' && job.status !== 'running')) return null;
    const now = clock.now();
    const sessionIds = job.session_id
      ? [job.session_id]
      : ((await storage.pools.get(job.user_id, job.pool_id!))?.session_ids ?? []);
    const pools = await storage.pools.poolsOfSessions(sessionIds);
    const dayStart = `${now.toISOString().slice(0, 10)}T00:00:00.000Z`;
    const senders: SenderLoad[] = [];
    for (const id of sessionIds) {
      const session = await storage.sessions.getById(id);
      if (!session) continue;
      // Warm-up counts from when the number was linked, as the dispatcher counts it.
      const linkedSince = session.linked_at ? new Date(session.linked_at) : null;
      senders.push({
        limits: sessionLimits(deps.limits, session, pools),
        linkedSince,
        sentToday: await storage.outbox.sentSince(id, dayStart),
      });
    }
    // Row i of the job is due `delay` × i after it was accepted; the pending ones are the last.
    const firstDueAt = new Date(Date.parse(job.created_at) + (job.total - pending) * job.delay_ms);
    return estimateFinish({ now, remaining: pending, delayMs: job.delay_ms, firstDueAt, senders });
  }

  async function view(job: BulkJob): Promise<BulkJobView> {
    const progress = await jobProgress(storage, job);
    const skipped = await storage.bulkJobs.skippedCounts(job.id);
    const finish = await finishOf(job, progress.pending);
    return {
      ...job,
      job_id: job.id,
      ...progress,
      skipped_by_reason: Object.fromEntries(SKIP_REASONS.map((reason) => [reason, skipped[reason] ?? 0])) as Record<
        SkipReason,
        number
      >,
      estimated_finish_at: finish?.toISOString() ?? null,
      estimated_days: finish ? sendingDays(clock.now(), finish) : null,
    };
  }

  /** The fields a request's own contacts carry, which its message may name besides the stored ones. */
  const requestFields = (contacts: unknown[] = []) =>
    new Set(
      contacts.flatMap((entry) =>
        typeof entry === 'object' && entry !== null
          ? Object.keys(entry).filter((k) => typeof (entry as Record<string, unknown>)[k] === 'string')
          : [],
      ),
    );

  type BulkInput = {
    session_id?: string;
    pool_id?: string;
    contacts?: unknown[];
    contact_group_id?: string;
    template_id?: string;
    delay: number;
    mentions: string[];
    seed?: string;
  };

  /** `texts`: the request's message and caption by field name, checked as a template is; the first given is sent. */
  async function create(
    actor: Actor,
    type: 'text' | 'media',
    data: BulkInput,
    texts: Record<string, string | undefined>,
    mediaInput: MessageMedia | null,
  ): Promise<BulkJobView> {
    validateTemplate(texts, await knownPlaceholders(storage, actor.userId, requestFields(data.contacts)));
    const route = await deps.routes.resolve(actor, data, { forFuture: true });
    let content = Object.values(texts).find(Boolean) ?? null;
    let media = mediaInput;
    if (data.template_id) {
      const template = await savedTemplate(storage, actor.userId, data.template_id);
      content = templateText(template);
      if (template.message_type !== 'text' && template.media_url)
        media ??= { type: template.message_type, url: template.media_url, filename: null };
    }
    // Whichever URL is sent, the request's or the template's, is checked before anything is stored.
    if (media?.url) await deps.checkMediaUrl(media.url);

    const { recipients, invalid } = await recipientsOf(actor, data);
    const skipped: SkippedRecipient[] = invalid;
    const skip = (r: Recipient, reason: SkipReason) =>
      skipped.push({ index: r.index, input: r.input, phone: r.phone, reason });
    // The first entry of a repeated number wins (it usually carries the fields).
    const seen = new Set<string>();
    const unique: Recipient[] = [];
    for (const r of recipients) {
      if (seen.has(r.phone)) skip(r, 'duplicate');
      else {
        seen.add(r.phone);
        unique.push(r);
      }
    }
    const optedOut = await storage.optOuts.filter(
      actor.userId,
      unique.map((r) => r.phone),
    );
    for (const r of unique) if (optedOut.has(r.phone)) skip(r, 'opted_out');
    const audience = unique.filter((r) => !optedOut.has(r.phone));
    if (audience.length === 0)
      throw validationError({
        [data.contact_group_id ? 'contact_group_id' : 'contacts']: [
          'no recipient to send to (invalid, repeated or opted-out numbers)',
        ],
      });
    skipped.sort((a, b) => (a.index ?? 0) - (b.index ?? 0));

    const now = clock.now();
    const job: BulkJob = {
      id: randomUUID(),
      user_id: actor.userId,
      session_id: route.session_id,
      pool_id: route.pool_id,
      type,
      message: content,
      template_id: data.template_id ?? null,
      media,
      delay_ms: data.delay,
      total: audience.length,
      skipped: skipped.length,
      status: 'queued',
      created_at: now.toISOString(),
      started_at: null,
      completed_at: null,
      updated_at: now.toISOString(),
    };
    const prototype: NewMessage = {
      user_id: actor.userId,
      session_id: route.session_id,
      pool_id: route.pool_id,
      direction: 'out',
      message_id: null,
      chat: '',
      peer_phone: null,
      peer_lid: null,
      sender: null,
      push_name: null,
      type: media?.type ?? 'text',
      text: null,
      media,
      quoted_message_id: null,
      mentions: data.mentions,
      status: 'queued',
      error: null,
      raw: null,
      kind: 'bulk',
      job_id: job.id,
      schedule_id: null,
      idempotency_key: null,
      attempts: 0,
      claimed_by: null,
      not_before: job.created_at,
      sent_at: null,
      created_at: job.created_at,
      updated_at: job.created_at,
    };
    const messageFor = content === null ? null : personaliser(content, data.seed);
    const batches: BulkBatch[] = [];
    for (let i = 0; i < audience.length; i += BULK_BATCH_SIZE) {
      const recipients = audience
        .slice(i, i + BULK_BATCH_SIZE)
        .map((r): [string, string | null] => [r.phone, messageFor?.(r) ?? null]);
      batches.push({
        job_id: job.id,
        first_index: i,
        prototype,
        recipients,
        delay_ms: data.delay,
        created_at: job.created_at,
      });
    }
    // The first batch is rows at once (sending starts now); the rest wait for the expander.
    await storage.transaction(async (tx) => {
      await tx.bulkJobs.insert(job);
      await tx.outbox.enqueue(rowsOfBatch(batches[0]));
      await tx.bulkJobs.insertBatches(batches.slice(1));
      await tx.bulkJobs.insertSkipped(job.id, skipped);
    });
    deps.onQueued();
    if (batches.length > 1) deps.expander.poke();
    return view(job);
  }

  async function get(actor: Actor, id: string): Promise<BulkJob> {
    const job = await storage.bulkJobs.get(actor.userId, id);
    if (!job) throw notFound('Bulk job');
    return job;
  }

  return {
    createText(actor, input) {
      const data = parse(bulkTextSchema, input);
      return create(actor, 'text', data, { message: data.message }, null);
    },
    createMedia(actor, input) {
      const data = parse(bulkMediaSchema, input);
      return create(
        actor,
        'media',
        data,
        { message: data.message, caption: data.caption },
        { type: data.type, url: data.media_url, filename: data.filename ?? null },
      );
    },

    async list(actor, input = {}) {
      const { page, per_page } = parse(pageSchema, input);
      const slice = await storage.bulkJobs.list(actor.userId, { limit: per_page, offset: (page - 1) * per_page });
      return { items: await Promise.all(slice.items.map(view)), total: slice.total, page, perPage: per_page };
    },

    // A page of skipped recipients: `skipped_page`, `skipped_per_page` (100, at most 1,000).
    async status(actor, id, input = {}) {
      const { skipped_page: page, skipped_per_page: perPage } = parse(bulkStatusSchema, input);
      const job = await get(actor, id);
      const skipped = await storage.bulkJobs.skipped(id, { limit: perPage, offset: (page - 1) * perPage });
      return { ...(await view(job)), skipped_recipients: { ...skipped, page, per_page: perPage } };
    },

    // Its queued rows are cancelled, and this returns only once nothing of it is in flight.
    async cancel(actor, id) {
      const job = await get(actor, id);
      if (job.status === 'completed' || job.status === 'cancelled') return view(job);
      const at = clock.now().toISOString();
      await storage.bulkJobs.update(id, { status: 'cancelled', completed_at: at, updated_at: at });
      // Recipients not yet expanded get their rows, cancelled (a batch being expanded elsewhere is waited for).
      await storage.transaction(async (tx) => {
        for (const batch of await tx.bulkJobs.takeBatches(id))
          await tx.outbox.enqueue(rowsOfBatch(batch).map((row) => ({ ...row, status: 'cancelled', updated_at: at })));
      });
      await storage.outbox.cancelQueued(actor.userId, { jobId: id }, at);
      const deadline = clock.now().getTime() + CANCEL_SETTLE_MS;
      while ((await storage.outbox.countByStatus(id)).sending && clock.now().getTime() < deadline)
        await clock.sleep(25);
      const done = await view({ ...job, status: 'cancelled', completed_at: at, updated_at: at });
      await deps.events.publish('bulk.completed', actor.userId, {
        job_id: id,
        status: 'cancelled',
        total: done.total,
        sent: done.sent,
        failed: done.failed,
      });
      return done;
    },
  };
}
