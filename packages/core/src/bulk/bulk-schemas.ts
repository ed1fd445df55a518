import type { MessageMedia } from '../messages/message-schemas.js';

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
