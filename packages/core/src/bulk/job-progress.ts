import type { Storage } from '../storage/storage.js';
import type { BulkJob } from './bulk-schemas.js';

/** A job's progress, counted from its rows; recipients still in batches are pending. */
export async function jobProgress(storage: Storage, job: BulkJob) {
  // Every recipient of `total` becomes a row (batches expand in the background; a cancel stores the rest as
  // cancelled), so what has not settled is pending. Counted from the rows alone, in one query: adding a count of the
  // unexpanded recipients read in a second query missed a batch expanded between the two (a 20,000-recipient job
  // answered 19,000 pending, and an estimate a day short).
  const c = await storage.outbox.countByStatus(job.id);
  const sent = (c.sent ?? 0) + (c.delivered ?? 0) + (c.read ?? 0);
  const failed = c.failed ?? 0;
  const cancelled = c.cancelled ?? 0;
  return {
    sent,
    delivered: (c.delivered ?? 0) + (c.read ?? 0),
    read: c.read ?? 0,
    failed,
    pending: job.total - sent - failed - cancelled,
    cancelled,
  };
}
