import { randomUUID } from 'node:crypto';
import type { Actor } from '../actor.js';
import type { Clock } from '../clock.js';
import type { Contact } from '../contacts/contact-schemas.js';
import { tryNormalisePhone } from '../contacts/phone.js';
import { notFound } from '../errors.js';
import type { KirimEvents } from '../events.js';
import type { MessageMedia } from '../messages/message-schemas.js';
import type { Dispatcher } from '../outbox/dispatcher.js';
import { bulkMediaSchema, bulkTextSchema } from '../outbox/outbox-schemas.js';
import type { SendService } from '../outbox/send-service.js';
import type { NewMessage, Storage } from '../storage/storage.js';
import { personaliser } from '../templates/personalise.js';
import { pageSchema, parse, validationError, type Page } from '../validation.js';
import { BULK_BATCH_SIZE, rowsOfBatch, type BulkExpander } from './bulk-expander.js';
import type { BulkBatch, BulkJob, BulkJobView } from './bulk-schemas.js';
import { jobProgress } from './job-progress.js';

export type BulkService = ReturnType<typeof createBulkService>;

type Recipient = Pick<Contact, 'name' | 'phone' | 'email' | 'company' | 'position' | 'address' | 'city' | 'country' | 'notes'> & { extra_fields: Record<string, string> };

// How long a cancel waits for rows already handed to WhatsApp to finish, so nothing goes out after it returns.
const CANCEL_SETTLE_MS = 10_000;

/**
 * Bulk jobs: one outbox row per recipient, personalised (placeholders and spintax seeded per
 * recipient, exactly as a preview shows) and spaced by `delay`. Opted-out, invalid and repeated
 * numbers are left out and counted as skipped.
 */
export function createBulkService(deps: { storage: Storage; clock: Clock; events: KirimEvents; dispatcher: Dispatcher; expander: BulkExpander; sends: SendService; defaultCountryCode: string }) {
  const { storage, clock } = deps;

  async function recipientsOf(actor: Actor, input: { contacts?: unknown[]; contact_group_id?: string }): Promise<{ recipients: Recipient[]; invalid: number }> {
    if (input.contact_group_id) {
      const group = await storage.contactGroups.get(actor.userId, input.contact_group_id);
      if (!group) throw notFound('Contact group');
      return { recipients: await storage.contactGroups.members(actor.userId, group.id, { activeOnly: true }), invalid: 0 };
    }
    const recipients: Recipient[] = [];
    let invalid = 0;
    for (const entry of input.contacts ?? []) {
      const fields = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : { phone: entry };
      const phone = tryNormalisePhone(String(fields.phone ?? ''), deps.defaultCountryCode);
      if (!phone) {
        invalid++;
        continue;
      }
      const text = (key: string) => (typeof fields[key] === 'string' ? (fields[key] as string) : null);
      const extra = Object.fromEntries(Object.entries(fields).filter(([k, v]) => typeof v === 'string' && !['phone', 'name'].includes(k))) as Record<string, string>;
      recipients.push({
        phone, name: text('name') ?? '', email: text('email'), company: text('company'), position: text('position'), address: text('address'),
        city: text('city'), country: text('country'), notes: text('notes'), extra_fields: extra,
      });
    }
    return { recipients, invalid };
  }

  async function view(job: BulkJob): Promise<BulkJobView> {
    return { ...job, job_id: job.id, ...(await jobProgress(storage, job)) };
  }

  type BulkInput = { session_id?: string; pool_id?: string; contacts?: unknown[]; contact_group_id?: string; template_id?: string; delay: number; mentions: string[]; seed?: string };

  async function create(actor: Actor, type: 'text' | 'media', data: BulkInput, text: string | null, mediaInput: MessageMedia | null): Promise<BulkJobView> {
    const route = await deps.sends.resolveRoute(actor, data, { forFuture: true });
    let content = text;
    let media = mediaInput;
    if (data.template_id) {
      const template = await storage.templates.get(actor.userId, data.template_id);
      if (!template) throw validationError({ template_id: ['no such template'] });
      content = template.message_type === 'text' ? template.content : (template.caption ?? template.content);
      if (template.message_type !== 'text' && template.media_url) media ??= { type: template.message_type, url: template.media_url, filename: null };
    }

    const { recipients, invalid } = await recipientsOf(actor, data);
    // The first entry of a repeated number wins (it usually carries the fields).
    const unique = [...new Map(recipients.reverse().map((r) => [r.phone, r])).values()].reverse();
    const optedOut = await storage.optOuts.filter(actor.userId, unique.map((r) => r.phone));
    const audience = unique.filter((r) => !optedOut.has(r.phone));
    if (audience.length === 0) throw validationError({ [data.contact_group_id ? 'contact_group_id' : 'contacts']: ['no recipient to send to (invalid, repeated or opted-out numbers)'] });

    const now = clock.now();
    const job: BulkJob = {
      id: randomUUID(), user_id: actor.userId, session_id: route.session_id, pool_id: route.pool_id, type, message: content, template_id: data.template_id ?? null,
      media, delay_ms: data.delay, total: audience.length, skipped: recipients.length + invalid - audience.length, status: 'queued',
      created_at: now.toISOString(), started_at: null, completed_at: null, updated_at: now.toISOString(),
    };
    const prototype: NewMessage = {
      user_id: actor.userId, session_id: route.session_id, pool_id: route.pool_id, direction: 'out', message_id: null, chat: '', peer_phone: null, peer_lid: null,
      sender: null, push_name: null, type: media?.type ?? 'text', text: null, media, quoted_message_id: null, mentions: data.mentions, status: 'queued', error: null,
      raw: null, kind: 'bulk', job_id: job.id, schedule_id: null, idempotency_key: null, attempts: 0, claimed_by: null, not_before: job.created_at, sent_at: null,
      created_at: job.created_at, updated_at: job.created_at,
    };
    const messageFor = content === null ? null : personaliser(content, data.seed);
    const batches: BulkBatch[] = [];
    for (let i = 0; i < audience.length; i += BULK_BATCH_SIZE) {
      const recipients = audience.slice(i, i + BULK_BATCH_SIZE).map((r): [string, string | null] => [r.phone, messageFor?.(r) ?? null]);
      batches.push({ job_id: job.id, first_index: i, prototype, recipients, delay_ms: data.delay, created_at: job.created_at });
    }
    // The first batch is rows at once (sending starts now); the rest wait for the expander.
    await storage.transaction(async (tx) => {
      await tx.bulkJobs.insert(job);
      await tx.outbox.enqueue(rowsOfBatch(batches[0]));
      await tx.bulkJobs.insertBatches(batches.slice(1));
    });
    deps.dispatcher.poke();
    if (batches.length > 1) deps.expander.poke();
    return view(job);
  }

  async function get(actor: Actor, id: string): Promise<BulkJob> {
    const job = await storage.bulkJobs.get(actor.userId, id);
    if (!job) throw notFound('Bulk job');
    return job;
  }

  return {
    /** Queues a text to every recipient, personalised. */
    createText(actor: Actor, input: unknown) {
      const data = parse(bulkTextSchema, input);
      return create(actor, 'text', data, data.message ?? null, null);
    },
    /** Queues media (with a personalised caption) to every recipient. */
    async createMedia(actor: Actor, input: unknown) {
      const data = parse(bulkMediaSchema, input);
      await deps.sends.checkMediaUrl(data.media_url);
      return create(actor, 'media', data, data.message ?? data.caption ?? null, { type: data.type, url: data.media_url, filename: data.filename ?? null });
    },

    /** The caller's jobs, newest first, with progress. */
    async list(actor: Actor, input: unknown = {}): Promise<Page<BulkJobView>> {
      const { page, per_page } = parse(pageSchema, input);
      const slice = await storage.bulkJobs.list(actor.userId, { limit: per_page, offset: (page - 1) * per_page });
      return { items: await Promise.all(slice.items.map(view)), total: slice.total, page, perPage: per_page };
    },

    /** One job's progress: total, sent, failed, pending, status and timestamps. */
    status: async (actor: Actor, id: string) => view(await get(actor, id)),

    /** Cancels a job: its queued rows are cancelled, and this returns only once nothing of it is in flight. */
    async cancel(actor: Actor, id: string): Promise<BulkJobView> {
      const job = await get(actor, id);
      if (job.status === 'completed' || job.status === 'cancelled') return view(job);
      const at = clock.now().toISOString();
      await storage.bulkJobs.update(id, { status: 'cancelled', completed_at: at, updated_at: at });
      // Recipients not yet expanded get their rows, cancelled (a batch being expanded elsewhere is waited for).
      await storage.transaction(async (tx) => {
        for (const batch of await tx.bulkJobs.takeBatches(id)) await tx.outbox.enqueue(rowsOfBatch(batch).map((row) => ({ ...row, status: 'cancelled', updated_at: at })));
      });
      await storage.outbox.cancelQueued(actor.userId, { jobId: id }, at);
      const deadline = Date.now() + CANCEL_SETTLE_MS;
      while ((await storage.outbox.countByStatus(id)).sending && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
      const done = await view({ ...job, status: 'cancelled', completed_at: at, updated_at: at });
      await deps.events.publish('bulk.completed', actor.userId, { job_id: id, status: 'cancelled', total: done.total, sent: done.sent, failed: done.failed });
      return done;
    },
  };
}
