import type { Clock } from '../clock.js';
import type { KirimEvents } from '../events.js';
import type { Message } from '../messages/message-schemas.js';
import type { Storage } from '../storage/storage.js';
import { jobProgress } from './job-progress.js';

// Most often a job sending a backlog reports `bulk.progress`.
const PROGRESS_EVERY_MS = 1000;

/**
 * A bulk job's lifecycle as its rows move: running once a row of it is claimed, `bulk.progress` as sends
 * are recorded, completed once nothing of it is left to send. The dispatcher and the receipt writer tell
 * it what they recorded.
 */
export class JobTracker {
  /** When each job last reported progress. */
  private readonly lastProgress = new Map<string, number>();

  constructor(private readonly deps: { storage: Storage; events: KirimEvents; clock: Clock }) {}

  /** Marks the queued jobs of claimed rows running. */
  async claimed(rows: Message[], at: string): Promise<void> {
    const { storage } = this.deps;
    for (const [jobId, userId] of jobsOf(rows)) {
      const job = await storage.bulkJobs.get(userId, jobId);
      if (job?.status === 'queued')
        await storage.bulkJobs.update(jobId, { status: 'running', started_at: at, updated_at: at });
    }
  }

  /** After sends are recorded: reports the jobs' progress (throttled) and completes those with nothing left. */
  async sent(rows: Message[]): Promise<void> {
    // Together: their progress events then share a commit. A job sending a backlog reports progress
    // at most every PROGRESS_EVERY_MS (each report counts its rows); its completion is always reported.
    const now = this.deps.clock.now().getTime();
    await Promise.all(
      [...jobsOf(rows)].map(([jobId, userId]) => {
        const report = now - (this.lastProgress.get(jobId) ?? 0) >= PROGRESS_EVERY_MS;
        if (report) this.lastProgress.set(jobId, now);
        return this.settle(userId, jobId, report);
      }),
    );
    if (this.lastProgress.size > 10_000) this.lastProgress.clear();
  }

  /**
   * After receipts moved rows: completes their jobs once nothing is left. After a crash, a job's last
   * rows (left `unknown`) may be settled by their receipts rather than by a send here.
   */
  async receipted(rows: Message[]): Promise<void> {
    await Promise.all([...jobsOf(rows)].map(([jobId, userId]) => this.settle(userId, jobId, false)));
  }

  /** Publishes a job's progress (unless `progress` is false), and completes it once nothing of it is left to send. */
  private async settle(userId: string, jobId: string, progress: boolean): Promise<void> {
    const { storage, events, clock } = this.deps;
    const job = await storage.bulkJobs.get(userId, jobId);
    const open = job?.status === 'queued' || job?.status === 'running';
    if (!job || (!progress && !open)) return;
    // Counting a job's rows reads all of them: without a progress event to send, only once nothing is left (no row
    // left to send, no batch left to expand: what jobProgress counts as pending).
    if (!progress && ((await storage.outbox.hasActive(jobId)) || (await storage.bulkJobs.unexpanded(jobId)) > 0))
      return;
    const { sent, failed, pending } = await jobProgress(storage, job);
    if (progress)
      await events.publish('bulk.progress', userId, { job_id: jobId, total: job.total, sent, failed, pending });
    if (pending === 0 && open) {
      const at = clock.now().toISOString();
      await storage.bulkJobs.update(jobId, { status: 'completed', completed_at: at, updated_at: at });
      await events.publish('bulk.completed', userId, {
        job_id: jobId,
        status: 'completed',
        total: job.total,
        sent,
        failed,
      });
    }
  }
}

/** The bulk jobs the rows belong to, with their owners. */
function jobsOf(rows: Message[]): Map<string, string> {
  return new Map(rows.filter((r) => r.job_id !== null).map((r) => [r.job_id!, r.user_id]));
}
