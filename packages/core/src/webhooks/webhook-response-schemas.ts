import { z } from 'zod';
import { count, maybeText, maybeTimestamp, recordTimes } from '../response-fields.js';
import { DELIVERY_STATES, type WebhookDeliveryView, type WebhookView } from './webhook-schemas.js';

/** A webhook subscription as the API answers it: the secret only in the answer to its creation. */
export const webhookViewSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  is_active: z.boolean(),
  disabled_reason: maybeText,
  ...recordTimes,
  secret: z
    .string()
    .optional()
    .meta({ description: 'The Standard Webhooks signing secret (whsec_…): only in the answer to the create call' }),
}) satisfies z.ZodType<WebhookView>;

/** One delivery of an event to a webhook, with its attempts. */
export const webhookDeliveryViewSchema = z.object({
  id: z.string(),
  webhook_id: z.string(),
  event_id: z.string(),
  event_type: z.string(),
  state: z.enum(DELIVERY_STATES),
  attempts: count,
  next_attempt_at: maybeTimestamp,
  last_error: maybeText,
  status_code: count.nullable(),
  latency_ms: z.number().nullable(),
  ...recordTimes,
  delivered_at: maybeTimestamp,
}) satisfies z.ZodType<WebhookDeliveryView>;
