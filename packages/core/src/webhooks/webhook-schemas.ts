import { z } from 'zod';
import type { KirimEventName } from '../events.js';

// Typed exhaustively: a new event does not compile until it is listed here (and so can be subscribed to).
const EVENT_NAMES: Record<KirimEventName, true> = {
  'session.status': true,
  'session.qr': true,
  'session.circuit': true,
  'message.received': true,
  'message.status': true,
  'message.reaction': true,
  'message.edited': true,
  'message.revoked': true,
  'poll.vote': true,
  'group.participants': true,
  'group.update': true,
  'call.received': true,
  'presence.update': true,
  'bulk.progress': true,
  'bulk.completed': true,
  'scheduled.sent': true,
  'scheduled.failed': true,
  'lead_task.completed': true,
  'webhook.disabled': true,
};

/** Every event name a webhook can subscribe to (besides `*`, all of them). */
export const WEBHOOK_EVENT_NAMES = Object.keys(EVENT_NAMES) as KirimEventName[];

/** A webhook subscription as stored. The secret is kept encrypted: it is needed again to sign. */
export interface Webhook {
  id: string;
  user_id: string;
  url: string;
  /** Event names, or `['*']` for all. */
  events: string[];
  /** The Standard Webhooks secret (`whsec_…`), encrypted with the engine's secret key. */
  secret_encrypted: string;
  is_active: boolean;
  /** Why it was disabled, when it was. */
  disabled_reason: string | null;
  /** Start of the current run of failed attempts; null after a success. */
  failing_since: string | null;
  created_at: string;
  updated_at: string;
}

/** A webhook as the API shows it: never the secret, except once at creation. */
export interface WebhookView {
  id: string;
  url: string;
  events: string[];
  is_active: boolean;
  disabled_reason: string | null;
  created_at: string;
  updated_at: string;
  /** Only in the answer to the create call. */
  secret?: string;
}

/** `pending`: waiting for its first attempt (or a redeliver); `failed`: an attempt failed and a retry is due; `delivered`; `dead`: given up. */
export const DELIVERY_STATES = ['pending', 'failed', 'delivered', 'dead'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** One event to deliver to one webhook: a durable row, retried until delivered or given up. */
export interface WebhookDelivery {
  id: string;
  webhook_id: string;
  user_id: string;
  /** The event id, sent as `webhook-id`: receivers drop repeats by it. */
  event_id: string;
  event_type: string;
  /** The exact JSON body sent on every attempt. */
  payload: string;
  state: DeliveryState;
  attempts: number;
  /** When the next attempt is due; null once delivered or dead. */
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_latency_ms: number | null;
  last_error: string | null;
  /** The process attempting it now, until `claim_expires_at`. */
  claimed_by: string | null;
  claim_expires_at: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

/** A delivery as the API shows it. */
export type WebhookDeliveryView = Omit<
  WebhookDelivery,
  'payload' | 'claimed_by' | 'claim_expires_at' | 'last_status_code' | 'last_latency_ms' | 'user_id'
> & {
  status_code: number | null;
  latency_ms: number | null;
};

const secretSchema = z.string().refine((value) => {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(value);
  const bytes = match ? Buffer.from(match[1], 'base64').length : 0;
  return bytes >= 24 && bytes <= 64;
}, 'must be whsec_ followed by 24 to 64 bytes in base64 (Standard Webhooks), or omitted to generate one');

export const createWebhookSchema = z.object({
  url: z.string().trim().min(1).max(2000),
  events: z
    .array(z.union([z.literal('*'), z.enum(WEBHOOK_EVENT_NAMES as [KirimEventName, ...KirimEventName[]])]), {
      error: 'must be an array of event names or ["*"]',
    })
    .min(1, 'must name at least one event, or "*"'),
  secret: secretSchema.optional(),
});
export type CreateWebhookInput = z.input<typeof createWebhookSchema>;

/** The tunable timings of webhook delivery (tests shorten them). */
export interface WebhookTimings {
  /** First retry delay; each retry doubles it, with ±20 % jitter. Default 5 s. */
  retryBaseMs: number;
  /** Longest delay between attempts; default 4 h. */
  retryMaxMs: number;
  /** A delivery is given up (`dead`) when its next attempt would fall this long after the event; default 24 h. */
  giveUpAfterMs: number;
  /** A webhook failing continuously this long is disabled (a `webhook.disabled` event says so); default 24 h. */
  disableAfterMs: number;
  /** Time limit of one attempt; default 15 s. */
  timeoutMs: number;
  /** How often the delivery loop looks for due deliveries when nothing wakes it; default 1 s. */
  pollMs: number;
  /** Attempts in flight at once in this process; default 64. */
  concurrency: number;
}

/** Defaults of {@link WebhookTimings}. */
export const DEFAULT_WEBHOOK_TIMINGS: WebhookTimings = {
  retryBaseMs: 5_000,
  retryMaxMs: 4 * 3_600_000,
  giveUpAfterMs: 24 * 3_600_000,
  disableAfterMs: 24 * 3_600_000,
  timeoutMs: 15_000,
  pollMs: 1_000,
  concurrency: 64,
};
