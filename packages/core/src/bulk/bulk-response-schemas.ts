import { z } from 'zod';
import { messageMediaSchema } from '../messages/message-response-schemas.js';
import { count, maybeText, maybeTimestamp, recordTimes } from '../response-fields.js';
import type { BulkJobStatusView } from './bulk-service.js';
import { SKIP_REASONS, type BulkJobView } from './bulk-schemas.js';

/** A bulk job with its progress. */
export const bulkJobViewSchema = z.object({
  id: z.string(),
  job_id: z.string(),
  user_id: z.string(),
  session_id: maybeText,
  pool_id: maybeText,
  type: z.enum(['text', 'media']),
  message: maybeText,
  template_id: maybeText,
  media: messageMediaSchema.nullable(),
  delay_ms: count,
  total: count,
  skipped: count,
  status: z.enum(['queued', 'running', 'completed', 'cancelled', 'failed']),
  sent: count,
  delivered: count,
  read: count,
  failed: count,
  pending: count,
  cancelled: count,
  skipped_by_reason: z.object({
    duplicate: count,
    invalid_number: count,
    opted_out: count,
    not_on_whatsapp: count,
  }) satisfies z.ZodType<Record<(typeof SKIP_REASONS)[number], number>>,
  estimated_finish_at: maybeTimestamp,
  estimated_days: count.nullable(),
  ...recordTimes,
  started_at: maybeTimestamp,
  completed_at: maybeTimestamp,
}) satisfies z.ZodType<BulkJobView>;

/** `GET /whatsapp/messages/bulk/{jobId}/status`: the job and a page of the recipients it skipped. */
export const bulkJobStatusViewSchema = bulkJobViewSchema.extend({
  skipped_recipients: z.object({
    items: z.array(
      z.object({
        index: count.nullable(),
        input: z.string(),
        phone: maybeText,
        reason: z.enum(SKIP_REASONS),
      }),
    ),
    total: count,
    totalIsLowerBound: z.boolean().optional(),
    page: count,
    per_page: count,
  }),
}) satisfies z.ZodType<BulkJobStatusView>;
