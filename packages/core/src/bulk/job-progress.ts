import type { Storage } from '../storage/storage.js';
import type { BulkJob } from './bulk-schemas.js';

// How many times the rows are counted while batches keep expanding around the count.
const READINGS = 3;

/** A job's progress, counted from its rows; recipients still in batches are pending. */
export async function jobProgress(storage: Storage, job: BulkJob) {
  // Pending is what is left to send, counted, not the total less what settled: removing a device deletes the rows
  // sent through it, which would then stay pending for ever.
  const { counts: c, unexpanded } = await rowsAndBatches(storage, job.id);
  return {
    sent: (c.sent ?? 0) + (c.delivered ?? 0) + (c.read ?? 0),
    delivered: (c.delivered ?? 0) + (c.read ?? 0),
    read: c.read ?? 0,
    failed: c.failed ?? 0,
    pending: (c.queued ?? 0) + (c.sending ?? 0) + (c.unknown ?? 0) + unexpanded,
    cancelled: c.cancelled ?? 0,
  };
}

/**
 * A job's row counts and its recipients not yet expanded, read so that no batch is counted in neither. Expansion and
 * cancel each move a batch's recipients to rows in one transaction, so the same unexpanded count before and after
 * the row count means none moved in between (a 20,000-recipient job once answered 19,000 pending). While they keep
 * moving, the reading taken before the count is used: it may count a batch twice, which only delays completion;
 * the one taken after may count it in neither, which completes a job early.
 */
async function rowsAndBatches(storage: Storage, jobId: string) {
  let before = await storage.bulkJobs.unexpanded(jobId);
  for (let reading = 1; ; reading++) {
    const counts = await storage.outbox.countByStatus(jobId);
    const after = await storage.bulkJobs.unexpanded(jobId);
    if (after === before || reading === READINGS) return { counts, unexpanded: before };
    before = after;
  }
}
