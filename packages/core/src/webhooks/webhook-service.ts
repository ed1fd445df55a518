import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import type { Actor } from '../actor.js';
import { startLoop, type BackgroundLoop } from '../background.js';
import type { Clock } from '../clock.js';
import { found, isKirimError, KirimError, notFound, type FieldErrors } from '../errors.js';
import type { KirimEvent, KirimEvents } from '../events.js';
import { GroupCommit } from '../group-commit.js';
import type { Logger } from '../logger.js';
import { assertResolvesPublic, safeFetch, type HostResolver } from '../net/safe-fetch.js';
import { parseRetryAfter } from '../net/retry-after.js';
import type { Storage } from '../storage/storage.js';
import { pageSchema, parse, readPage, validationError, type Page } from '../validation.js';
import { isRetryable, retryDelayMs } from './retry-schedule.js';
import type { SecretBox } from './secret-box.js';
import { toDeliveryView, toView } from './webhook-views.js';
import {
  createWebhookSchema,
  DEFAULT_WEBHOOK_TIMINGS,
  type CreateWebhookInput,
  type DeliveryState,
  type Webhook,
  type WebhookDelivery,
  type WebhookDeliveryView,
  type WebhookTimings,
  type WebhookView,
} from './webhook-schemas.js';

export interface WebhookServiceDeps {
  storage: Storage;
  clock: Clock;
  logger: Logger;
  events: KirimEvents;
  secretBox: SecretBox;
  /** Let webhook URLs point at private and loopback addresses (operators, tests); default false. */
  allowPrivateUrls?: boolean;
  /** Resolves webhook host names, at subscription and at delivery; default the system's. Tests inject one. */
  resolveHost?: HostResolver;
  timings?: Partial<WebhookTimings>;
  /** Names this process's claims. */
  instanceId: string;
  /** Told the state each attempt leaves a delivery in (`delivered`, `failed`: to retry, `dead`) once recorded (metrics). */
  onAttempt?: (state: DeliveryState) => void;
}

/** Webhook subscriptions and their deliveries, per user. */
export interface WebhookService {
  /** Subscribes the actor to events, `secret` generated unless given and shown only now; throws `validation` (a URL not public too). */
  create(actor: Actor, input: CreateWebhookInput): Promise<WebhookView>;
  /** The actor's webhooks, oldest first (without secrets). */
  list(actor: Actor): Promise<WebhookView[]>;
  /** One of the actor's webhooks; throws `not_found`. */
  get(actor: Actor, id: string): Promise<WebhookView>;
  /** Deletes one of the actor's webhooks and its deliveries; throws `not_found`. */
  remove(actor: Actor, id: string): Promise<void>;
  /** The webhook's deliveries, newest first, with state, attempts, last status and latency; throws `not_found`, `validation`. */
  deliveries(actor: Actor, webhookId: string, query?: unknown): Promise<Page<WebhookDeliveryView>>;
  /** Queues a delivery again now, whatever its state; throws `not_found`, `conflict` if the webhook is disabled. */
  redeliver(actor: Actor, webhookId: string, deliveryId: string): Promise<WebhookDeliveryView>;
}

/** The delivery side the engine wires: queueing in the event log's transaction, and the delivery loop. */
export interface WebhookDeliverer {
  /** Queues one delivery per matching active webhook for each event; called in the transaction that appends them. */
  enqueue(tx: Storage, batch: KirimEvent[]): Promise<void>;
  /** Wakes the delivery loop (after events were queued). */
  wake(): void;
  /** Starts delivering. */
  start(): void;
  /** Stops delivering: attempts in flight are abandoned and their claims released, so they repeat after a restart. */
  stop(): Promise<void>;
}

// Receivers answer with a status; their body is read only for the log and capped.
const RESPONSE_BYTES = 16 * 1024;
const CLAIM_MARGIN_MS = 30_000;
const FINISHED_RETENTION_MS = 7 * 24 * 3_600_000;

/**
 * Webhooks: subscriptions per user, deliveries queued in the transaction that records each event, and
 * the delivery loop (Standard Webhooks signatures, retries with back-off, at-least-once).
 */
export function createWebhookService(deps: WebhookServiceDeps): WebhookService & WebhookDeliverer {
  const { storage, clock, logger, events, secretBox, instanceId } = deps;
  const allowPrivate = deps.allowPrivateUrls ?? false;
  const timings: WebhookTimings = { ...DEFAULT_WEBHOOK_TIMINGS, ...deps.timings };
  const inFlight = new Set<Promise<void>>();
  let loop: BackgroundLoop | undefined;
  let stopping: AbortController | undefined;
  let saturated = false;
  let lastPrune = 0;
  type Outcome = { id: string; changes: Parameters<Storage['webhookDeliveries']['finish']>[2]; written?: boolean };
  // Outcomes are written in groups, like events: attempts finishing together share one commit.
  const finishing = new GroupCommit<Outcome>({
    batchSize: 200,
    write: (batch) =>
      storage.transaction(async (tx) => {
        for (const o of batch) o.written = await tx.webhookDeliveries.finish(o.id, instanceId, o.changes);
      }),
    onBatchError: 'fail-all',
  });
  /** Records a delivery's outcome; false if another process took its claim over, so nothing was written. */
  const finish = async (id: string, changes: Outcome['changes']) => {
    const outcome: Outcome = { id, changes };
    return finishing.add(outcome).then(() => outcome.written === true);
  };
  /** Records an HTTP attempt's outcome, and tells onAttempt once it is written. */
  const recordAttempt = async (id: string, changes: Outcome['changes'] & { state: DeliveryState }) => {
    if (await finish(id, changes)) deps.onAttempt?.(changes.state);
  };

  const getOwn = async (actor: Actor, id: string) => found(await storage.webhooks.get(actor.userId, id), 'Webhook');

  // The host name is resolved here too, for a clear 422 at once; delivery checks the address it connects to again.
  const validate = async (input: CreateWebhookInput) => {
    let details: FieldErrors = {};
    let data: ReturnType<typeof createWebhookSchema.parse> | undefined;
    try {
      data = parse(createWebhookSchema, input);
    } catch (error) {
      if (!isKirimError(error, 'validation')) throw error;
      details = { ...error.details };
    }
    const url = (input as { url?: unknown } | undefined)?.url;
    if (typeof url === 'string' && !details.url) {
      try {
        await assertResolvesPublic(url.trim(), 'url', { allowPrivate, resolve: deps.resolveHost, clock });
      } catch (error) {
        if (!isKirimError(error, 'validation')) throw error;
        details = { ...details, ...error.details };
      }
    }
    if (!data || Object.keys(details).length > 0) throw validationError(details);
    return data;
  };

  const disable = async (webhook: Webhook, reason: string) => {
    const at = clock.now().toISOString();
    const fresh = await storage.webhooks.getById(webhook.id);
    if (!fresh?.is_active) return;
    await storage.webhooks.update(webhook.id, { is_active: false, disabled_reason: reason, updated_at: at });
    await storage.webhookDeliveries.killOpen(webhook.id, `webhook disabled: ${reason}`, at);
    logger.warn({ webhook: webhook.id, reason }, 'webhook disabled');
    await events.publish('webhook.disabled', webhook.user_id, { webhook_id: webhook.id, url: webhook.url, reason });
  };

  const attempt = async (
    delivery: WebhookDelivery,
    webhook: Webhook | undefined,
    signal: AbortSignal,
  ): Promise<void> => {
    const startedAt = clock.now();
    const attempts = delivery.attempts + 1;
    if (!webhook || !webhook.is_active) {
      await finish(delivery.id, {
        state: 'dead',
        next_attempt_at: null,
        last_error: 'webhook disabled',
        updated_at: startedAt.toISOString(),
      });
      return;
    }

    let status: number | undefined;
    let error: string | null = null;
    let retryAfterMs: number | undefined;
    const started = performance.now();
    try {
      const secret = secretBox.open(webhook.secret_encrypted);
      const headers = {
        'content-type': 'application/json',
        'user-agent': 'Kirim-Webhooks/1',
        'webhook-id': delivery.event_id,
        'webhook-timestamp': String(Math.floor(startedAt.getTime() / 1000)),
        'webhook-signature': new StandardWebhook(secret).sign(delivery.event_id, startedAt, delivery.payload),
      };
      const response = await safeFetch(webhook.url, {
        method: 'POST',
        headers,
        body: delivery.payload,
        timeoutMs: timings.timeoutMs,
        maxBytes: RESPONSE_BYTES,
        truncate: true,
        allowPrivate,
        signal,
        lookup: deps.resolveHost,
        clock,
      });
      status = response.status;
      if (status < 200 || status >= 300) error = `HTTP ${status}`;
      retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), startedAt);
    } catch (caught) {
      // Stopping: the claim is released and the attempt repeats after the restart (at-least-once).
      if (signal.aborted) return;
      error = caught instanceof Error ? caught.message : String(caught);
      if (isKirimError(caught, 'validation'))
        error = `${error}: ${Object.values(caught.details ?? {})
          .flat()
          .join('; ')}`;
    }
    const latency = Math.round(performance.now() - started);
    const now = clock.now();
    const at = now.toISOString();

    if (error === null) {
      await recordAttempt(delivery.id, {
        state: 'delivered',
        attempts,
        next_attempt_at: null,
        last_status_code: status ?? null,
        last_latency_ms: latency,
        last_error: null,
        updated_at: at,
        delivered_at: at,
      });
      if (webhook.failing_since) await storage.webhooks.update(webhook.id, { failing_since: null });
      return;
    }

    const nextAt = new Date(now.getTime() + retryDelayMs(attempts, timings, retryAfterMs));
    const givenUp = nextAt.getTime() - Date.parse(delivery.created_at) > timings.giveUpAfterMs;
    const final = !isRetryable(status) || givenUp;
    const reason = !isRetryable(status)
      ? `${error} (not retried)`
      : givenUp
        ? `${error} (gave up after ${attempts} attempts)`
        : error;
    await recordAttempt(delivery.id, {
      state: final ? 'dead' : 'failed',
      attempts,
      next_attempt_at: final ? null : nextAt.toISOString(),
      last_status_code: status ?? null,
      last_latency_ms: latency,
      last_error: reason.slice(0, 1000),
      updated_at: at,
    });

    const failingSince = webhook.failing_since ?? at;
    if (!webhook.failing_since) await storage.webhooks.update(webhook.id, { failing_since: at });
    if (now.getTime() - Date.parse(failingSince) >= timings.disableAfterMs) {
      await disable(webhook, `deliveries failed continuously since ${failingSince}`);
    }
  };

  const deliveryTick = async (): Promise<boolean> => {
    const signal = stopping?.signal;
    if (!signal || signal.aborted) return false;
    const free = timings.concurrency - inFlight.size;
    if (free <= 0) {
      saturated = true;
      return false;
    }
    const now = clock.now();
    const claimed = await storage.webhookDeliveries.claimDue(
      now.toISOString(),
      instanceId,
      new Date(now.getTime() + timings.timeoutMs + CLAIM_MARGIN_MS).toISOString(),
      free,
    );
    saturated = claimed.length === free;
    const webhooks = new Map<string, Promise<Webhook | undefined>>();
    for (const delivery of claimed) {
      if (!webhooks.has(delivery.webhook_id))
        webhooks.set(delivery.webhook_id, storage.webhooks.getById(delivery.webhook_id));
    }
    for (const delivery of claimed) {
      const running: Promise<void> = webhooks
        .get(delivery.webhook_id)!
        .then((webhook) => attempt(delivery, webhook, signal))
        .catch((error) => logger.error({ err: error, delivery: delivery.id }, 'webhook delivery failed unexpectedly'))
        .finally(() => {
          inFlight.delete(running);
          // Claim again in groups, once half the slots are free, rather than one row per finished attempt.
          if (saturated && inFlight.size <= timings.concurrency / 2) loop?.wake();
        });
      inFlight.add(running);
    }
    if (now.getTime() - lastPrune > 10 * 60_000) {
      lastPrune = now.getTime();
      await storage.webhookDeliveries.pruneFinishedBefore(
        new Date(now.getTime() - FINISHED_RETENTION_MS).toISOString(),
      );
    }
    return false;
  };

  return {
    async create(actor: Actor, input: CreateWebhookInput): Promise<WebhookView> {
      const data = await validate(input);
      const secret = data.secret ?? `whsec_${randomBytes(32).toString('base64')}`;
      const now = clock.now().toISOString();
      const webhook = await storage.webhooks.insert({
        id: randomUUID(),
        user_id: actor.userId,
        url: data.url,
        events: [...new Set(data.events)],
        secret_encrypted: secretBox.seal(secret),
        is_active: true,
        disabled_reason: null,
        failing_since: null,
        created_at: now,
        updated_at: now,
      });
      return toView(webhook, secret);
    },

    async list(actor: Actor): Promise<WebhookView[]> {
      return (await storage.webhooks.list(actor.userId)).map((w) => toView(w));
    },

    async get(actor: Actor, id: string): Promise<WebhookView> {
      return toView(await getOwn(actor, id));
    },

    async remove(actor: Actor, id: string): Promise<void> {
      if (!(await storage.webhooks.remove(actor.userId, id))) throw notFound('Webhook');
    },

    async deliveries(actor: Actor, webhookId: string, query: unknown = {}): Promise<Page<WebhookDeliveryView>> {
      await getOwn(actor, webhookId);
      const page = await readPage(parse(pageSchema, query), (range) =>
        storage.webhookDeliveries.list(webhookId, range),
      );
      return { ...page, items: page.items.map(toDeliveryView) };
    },

    async redeliver(actor: Actor, webhookId: string, deliveryId: string): Promise<WebhookDeliveryView> {
      const webhook = await getOwn(actor, webhookId);
      if (!webhook.is_active) throw new KirimError('conflict', 'The webhook is disabled');
      if (!(await storage.webhookDeliveries.get(webhookId, deliveryId))) throw notFound('Delivery');
      const now = clock.now().toISOString();
      const updated = await storage.webhookDeliveries.update(deliveryId, {
        state: 'pending',
        next_attempt_at: now,
        claimed_by: null,
        claim_expires_at: null,
        updated_at: now,
      });
      loop?.wake();
      return toDeliveryView(updated!);
    },

    async enqueue(tx: Storage, batch: KirimEvent[]): Promise<void> {
      const matching = new Map<string, Webhook[]>();
      const rows: WebhookDelivery[] = [];
      for (const event of batch) {
        const key = `${event.user_id}\u0000${event.type}`;
        let webhooks = matching.get(key);
        if (!webhooks) matching.set(key, (webhooks = await tx.webhooks.listActiveFor(event.user_id, event.type)));
        if (webhooks.length === 0) continue;
        const payload = JSON.stringify(event);
        for (const w of webhooks) {
          rows.push({
            id: randomUUID(),
            webhook_id: w.id,
            user_id: event.user_id,
            event_id: event.id,
            event_type: event.type,
            payload,
            state: 'pending',
            attempts: 0,
            next_attempt_at: event.timestamp,
            last_status_code: null,
            last_latency_ms: null,
            last_error: null,
            claimed_by: null,
            claim_expires_at: null,
            created_at: event.timestamp,
            updated_at: event.timestamp,
            delivered_at: null,
          });
        }
      }
      for (let i = 0; i < rows.length; i += 200) await tx.webhookDeliveries.insertMany(rows.slice(i, i + 200));
    },

    wake(): void {
      loop?.wake();
    },

    start(): void {
      if (loop) return;
      stopping = new AbortController();
      loop = startLoop(clock, timings.pollMs, 'webhook-delivery', logger, deliveryTick);
    },

    async stop(): Promise<void> {
      if (!loop) return;
      stopping?.abort();
      await loop.stop();
      await Promise.allSettled([...inFlight]);
      loop = undefined;
      // Unreleased (the database is gone), the claims run out by themselves and the deliveries repeat later.
      await storage.webhookDeliveries
        .releaseClaims(instanceId)
        .catch((error) => logger.warn({ err: error }, 'could not release webhook delivery claims'));
    },
  };
}
