import type { Storage } from '../storage/storage.js';
import type { BulkJob } from './bulk-schemas.js';

/** A job's progress, counted from its rows; recipients still in batches are pending. */
export async function jobProgress(storage: Storage, job: BulkJob) {
  const c = await storage.outbox.countByStatus(job.id);
  const unexpanded = await storage.bulkJobs.unexpanded(job.id);
  return {
    sent: (c.sent ?? 0) + (c.delivered ?? 0) + (c.read ?? 0),
    delivered: (c.delivered ?? 0) + (c.read ?? 0),
    read: c.read ?? 0,
    failed: c.failed ?? 0,
    pending: (c.queued ?? 0) + (c.sending ?? 0) + (c.unknown ?? 0) + unexpanded,
    cancelled: c.cancelled ?? 0,
  };
}
