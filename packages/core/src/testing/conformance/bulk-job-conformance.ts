import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { BulkJob, SkippedRecipient } from '../../bulk/bulk-schemas.js';
import { aUser, type ConformanceContext } from './conformance-context.js';
import { aQueuedMessage, aSession } from './outbox-conformance.js';

const T0 = '2026-01-01T00:00:00.000Z';

/** Conformance of what bulk jobs keep besides their rows: the recipients they skipped. */
export function describeBulkJobs(ctx: ConformanceContext): void {
  const setupJob = async () => {
    const storage = ctx.storage();
    const user = await storage.users.insert(aUser());
    const session = await storage.sessions.insert(aSession(user.id));
    const job: BulkJob = {
      id: randomUUID(),
      user_id: user.id,
      session_id: session.id,
      pool_id: null,
      type: 'text',
      message: 'hi',
      template_id: null,
      media: null,
      delay_ms: 0,
      total: 4,
      skipped: 3,
      status: 'running',
      created_at: T0,
      started_at: T0,
      completed_at: null,
      updated_at: T0,
    };
    await storage.bulkJobs.insert(job);
    const row = (phone: string, status: 'failed' | 'cancelled' | 'queued', error: string | null, jobId = job.id) =>
      aQueuedMessage(user.id, session.id, {
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
}
