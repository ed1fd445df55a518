import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { BulkBatch, BulkJob, SkippedRecipient } from '../../bulk/bulk-schemas.js';
import { aQueuedMessage, T0, type ConformanceContext } from './conformance-context.js';
import { insertUserWithSession } from './user-with-session.js';

/** A queued text job of six recipients for a session, a second between sends; override any field. */
function aBulkJob(userId: string, sessionId: string, overrides: Partial<BulkJob> = {}): BulkJob {
  return {
    id: randomUUID(),
    user_id: userId,
    session_id: sessionId,
    pool_id: null,
    type: 'text',
    message: 'hi',
    template_id: null,
    media: null,
    delay_ms: 1000,
    total: 6,
    skipped: 0,
    status: 'queued',
    created_at: T0,
    started_at: null,
    completed_at: null,
    updated_at: T0,
    ...overrides,
  };
}

/** Conformance of what bulk jobs keep besides their rows: the recipients they skipped, and batches to expand. */
export function describeBulkJobs(ctx: ConformanceContext): void {
  const setupJob = async () => {
    const storage = ctx.storage();
    const { userId, sessionId } = await insertUserWithSession(storage);
    const job = aBulkJob(userId, sessionId, { delay_ms: 0, total: 4, skipped: 3, status: 'running', started_at: T0 });
    await storage.bulkJobs.insert(job);
    const row = (phone: string, status: 'failed' | 'cancelled' | 'queued', error: string | null, jobId = job.id) =>
      aQueuedMessage(userId, sessionId, {
        kind: 'bulk',
        job_id: jobId,
        chat: `${phone}@s.whatsapp.net`,
        peer_phone: phone,
        status,
        error,
      });
    return { storage, job, row };
  };

  describe('BulkJobRepository skipped recipients', () => {
    it('lists the stored ones in order, then rows failed as not on WhatsApp or cancelled as opted out, paged across both, with counts by reason', async () => {
      const { storage, job, row } = await setupJob();
      const stored: SkippedRecipient[] = [
        { index: 1, input: 'not a number', phone: null, reason: 'invalid_number' },
        { index: 3, input: '0812-1111-2222', phone: '6281211112222', reason: 'duplicate' },
        { index: null, input: '6281300000009', phone: '6281300000009', reason: 'opted_out' },
      ];
      await storage.bulkJobs.insertSkipped(job.id, stored);
      const other = (await setupJob()).job;
      await storage.outbox.enqueue([
        row('6281400000001', 'failed', 'not_on_whatsapp: the number has no WhatsApp account'),
        row('6281400000002', 'failed', 'timeout'),
        row('6281400000003', 'cancelled', null),
        row('6281400000004', 'cancelled', 'opted_out: the recipient replied to stop'),
        row('6281400000005', 'queued', null),
        row('6281400000006', 'failed', 'not_on_whatsapp: the number has no WhatsApp account', other.id),
      ]);
      const atSend: SkippedRecipient[] = [
        { index: null, input: '6281400000001', phone: '6281400000001', reason: 'not_on_whatsapp' },
        { index: null, input: '6281400000004', phone: '6281400000004', reason: 'opted_out' },
      ];
      expect(await storage.bulkJobs.skipped(job.id, { limit: 100, offset: 0 })).toEqual({
        items: [...stored, ...atSend],
        total: 5,
      });
      expect(await storage.bulkJobs.skipped(job.id, { limit: 2, offset: 2 })).toEqual({
        items: [stored[2], atSend[0]],
        total: 5,
      });
      expect(await storage.bulkJobs.skipped(job.id, { limit: 2, offset: 4 })).toEqual({ items: [atSend[1]], total: 5 });
      expect(await storage.bulkJobs.skipped(job.id, { limit: 2, offset: 6 })).toEqual({ items: [], total: 5 });
      expect(await storage.bulkJobs.skippedCounts(job.id)).toEqual({
        invalid_number: 1,
        duplicate: 1,
        opted_out: 2,
        not_on_whatsapp: 1,
      });
      expect(await storage.bulkJobs.skippedCounts(other.id)).toEqual({ not_on_whatsapp: 1 });
    });

    it('stores more skipped recipients than one statement holds, and lists none for a job without any', async () => {
      const { storage, job } = await setupJob();
      const many = Array.from({ length: 2500 }, (_, i): SkippedRecipient => ({
        index: i,
        input: `x${i}`,
        phone: null,
        reason: 'invalid_number',
      }));
      await storage.bulkJobs.insertSkipped(job.id, many);
      expect(await storage.bulkJobs.skipped(job.id, { limit: 3, offset: 2498 })).toEqual({
        items: many.slice(2498),
        total: 2500,
      });
      expect(await storage.bulkJobs.skippedCounts(job.id)).toEqual({ invalid_number: 2500 });
      const empty = (await setupJob()).job;
      await storage.bulkJobs.insertSkipped(empty.id, []);
      expect(await storage.bulkJobs.skipped(empty.id, { limit: 10, offset: 0 })).toEqual({ items: [], total: 0 });
      expect(await storage.bulkJobs.skippedCounts(empty.id)).toEqual({});
    });
  });

  describe('BulkJobRepository batches', () => {
    const jobWithBatches = async (at: string) => {
      const { userId, sessionId } = await insertUserWithSession(ctx.storage());
      const job = aBulkJob(userId, sessionId, { created_at: at, updated_at: at });
      await ctx.storage().bulkJobs.insert(job);
      const batch = (first: number): BulkBatch => ({
        job_id: job.id,
        first_index: first,
        prototype: aQueuedMessage(userId, sessionId, { kind: 'bulk', job_id: job.id }),
        delay_ms: 1000,
        created_at: at,
        recipients: [
          [`62813000000${first}`, `hi ${first}`],
          [`62813000000${first + 1}`, null],
        ],
      });
      await ctx.storage().bulkJobs.insertBatches([batch(2), batch(4)]);
      return { job, batch };
    };

    it('hands out the oldest batch once, round-tripping it, and puts it back when the transaction rolls back', async () => {
      const older = await jobWithBatches('2026-01-01T00:00:00.000Z');
      const newer = await jobWithBatches('2026-01-02T00:00:00.000Z');
      const storage = ctx.storage();
      expect(await storage.bulkJobs.unexpanded(older.job.id)).toBe(4);
      await expect(
        storage.transaction(async (tx) => {
          expect(await tx.bulkJobs.takeBatches()).toEqual([older.batch(2)]);
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      const taken = [];
      for (
        let batch = await storage.bulkJobs.takeBatches();
        batch.length > 0;
        batch = await storage.bulkJobs.takeBatches()
      )
        taken.push(...batch);
      expect(taken).toEqual([older.batch(2), older.batch(4), newer.batch(2), newer.batch(4)]);
      expect(await storage.bulkJobs.unexpanded(older.job.id)).toBe(0);
    });

    it("never hands one batch to two concurrent takers, and gives a job's every batch to a cancel", async () => {
      const { job, batch } = await jobWithBatches(T0);
      const storage = ctx.storage();
      const takes = await Promise.all([1, 2, 3].map(() => storage.transaction((tx) => tx.bulkJobs.takeBatches())));
      expect(
        takes
          .flat()
          .map((b) => b.first_index)
          .sort(),
      ).toEqual([2, 4]);
      await storage.bulkJobs.insertBatches([batch(6), batch(8)]);
      expect((await storage.bulkJobs.takeBatches(job.id)).map((b) => b.first_index)).toEqual([6, 8]);
      expect(await storage.bulkJobs.takeBatches()).toEqual([]);
    });
  });
}
