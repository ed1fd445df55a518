import { z } from 'zod';
import type { MessageMedia } from '../messages/message-schemas.js';
import type { NewMessage } from '../storage/storage.js';

/** A bulk job's lifecycle. */
export type BulkJobStatus = 'queued' | 'running' | 'completed' | 'cancelled' | 'failed';

/** A bulk job as stored. Its messages are rows of the outbox with its `job_id`. */
export interface BulkJob {
  id: string;
  user_id: string;
  session_id: string | null;
  pool_id: string | null;
  type: 'text' | 'media';
  /** The message or caption before personalisation. */
  message: string | null;
  template_id: string | null;
  media: MessageMedia | null;
  delay_ms: number;
  /** Recipients queued. */
  total: number;
  /** Recipients left out when the job was accepted (opted out, duplicates, invalid numbers); not in `total`. */
  skipped: number;
  status: BulkJobStatus;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  updated_at: string;
}

/**
 * Recipients of a bulk job not yet turned into outbox rows. A large job is accepted with its first rows
 * and the rest in batches, which a background step expands into rows (each batch once, in a transaction).
 */
export interface BulkBatch {
  job_id: string;
  /** Position of the batch's first recipient in the job (its row is due `delay_ms` × position after the first). */
  first_index: number;
  /** The row every recipient's message is made from (`chat`, `peer_phone`, `text` and `not_before` set per recipient). */
  prototype: NewMessage;
  /** Each recipient's phone (normalised) and personalised text. */
  recipients: Array<[phone: string, text: string | null]>;
  /** The job's gap between recipients. */
  delay_ms: number;
  created_at: string;
}

/** A job with its progress counted from its messages. */
export interface BulkJobView extends BulkJob {
  job_id: string;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  pending: number;
  cancelled: number;
  /** Recipients skipped, by reason: left out when accepted, and found at send time (not on WhatsApp, opted out since). */
  skipped_by_reason: Record<SkipReason, number>;
  /** When the pending messages are expected to have gone at the sessions' limits; null once nothing is pending. */
  estimated_finish_at: string | null;
  /** The UTC days it still sends on, today included (1: it finishes today); null once nothing is pending. */
  estimated_days: number | null;
}

/** Why a recipient of a bulk job gets no message. */
export const SKIP_REASONS = ['duplicate', 'invalid_number', 'opted_out', 'not_on_whatsapp'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/**
 * A recipient a job skipped: left out when it was accepted (`duplicate`, `invalid_number`, `opted_out`), or
 * whose message was failed or cancelled at send time (`not_on_whatsapp`, or `opted_out` since).
 */
export interface SkippedRecipient {
  /** Position in the request's `contacts[]` (from 0); null for a contact group's member and at send time. */
  index: number | null;
  /** The number as given (at most 64 characters). */
  input: string;
  /** The normalised number; null when it is not a number. */
  phone: string | null;
  reason: SkipReason;
}

/** The status query: which page of the skipped recipients to list (100 a page by default, at most 1,000). */
export const bulkStatusSchema = z.object({
  skipped_page: z.coerce.number().int().min(1).default(1),
  skipped_per_page: z.coerce.number().int().min(1).max(1000).default(100),
});
