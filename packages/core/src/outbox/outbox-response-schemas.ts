import { z } from 'zod';
import { MESSAGE_STATUSES } from '../messages/message-schemas.js';
import { messageViewSchema } from '../messages/message-response-schemas.js';
import { count, maybeText, maybeTimestamp } from '../response-fields.js';
import type { ScheduledView, SendResult } from './send-service.js';

/** The answer to a send: the outbox row's id, WhatsApp's message id and where it stands. */
export const sendResultSchema = z.object({
  id: count,
  message_id: maybeText.meta({ example: '3EB0C431C26A1916E0B1' }),
  status: z.enum(MESSAGE_STATUSES),
  error: maybeText,
  quoted: maybeText,
  mentions: z.array(z.string()),
  routed_via: z
    .object({ pool_id: z.string(), device_id: z.string().nullable() })
    .optional()
    .meta({ description: 'Only on pool sends: the pool and the member device that sent it' }),
}) satisfies z.ZodType<SendResult>;

/** A scheduled message: the message row, when it is due and where its schedule stands. */
export const scheduledViewSchema = messageViewSchema.extend({
  scheduled_at: maybeTimestamp,
  schedule_status: z.enum(['pending', 'sent', 'failed', 'cancelled']),
}) satisfies z.ZodType<ScheduledView>;
