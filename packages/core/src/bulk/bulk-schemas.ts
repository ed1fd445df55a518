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
  /** Recipients left out (opted out, duplicates, invalid numbers). */
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
}
