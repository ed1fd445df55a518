import type { Webhook, WebhookDelivery, WebhookDeliveryView, WebhookView } from './webhook-schemas.js';

/** A webhook as the API shows it: the secret only when given (the answer to the create call). */
export const toView = (w: Webhook, secret?: string): WebhookView => ({
  id: w.id,
  url: w.url,
  events: w.events,
  is_active: w.is_active,
  disabled_reason: w.disabled_reason,
  created_at: w.created_at,
  updated_at: w.updated_at,
  ...(secret ? { secret } : {}),
});

/** A delivery as the API shows it: its state, attempts and the last attempt's status, latency and error. */
export const toDeliveryView = (d: WebhookDelivery): WebhookDeliveryView => ({
  id: d.id,
  webhook_id: d.webhook_id,
  event_id: d.event_id,
  event_type: d.event_type,
  state: d.state,
  attempts: d.attempts,
  status_code: d.last_status_code,
  latency_ms: d.last_latency_ms,
  last_error: d.last_error,
  next_attempt_at: d.next_attempt_at,
  created_at: d.created_at,
  updated_at: d.updated_at,
  delivered_at: d.delivered_at,
});
