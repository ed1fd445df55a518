import type { BulkBatch, BulkJob, BulkJobRepository, Range, SkippedRecipient, SkipReason, Slice } from '@kirim/core';
import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import type { BulkJobsTable, Database } from '../database.js';
import type { SqlDialect } from '../dialect.js';
import { countBy } from '../count-by.js';
import { insertMany } from '../insert-many.js';
import { findRow } from '../keyed-rows.js';
import { lockRows } from '../lock-rows.js';
import { selectPage } from '../select-page.js';
import { transact } from '../transact.js';

// A job's rows that were skipped at send time, told by their error's prefix (the dispatcher's and opt-outs' reasons).
const skippedRow = (eb: ExpressionBuilder<Database, 'messages'>) =>
  eb.or([
    eb.and([eb('status', '=', 'failed'), eb('error', 'like', 'not_on_whatsapp:%')]),
    eb.and([eb('status', '=', 'cancelled'), eb('error', 'like', 'opted_out:%')]),
  ]);
const reasonOfRow = (status: string): SkipReason => (status === 'failed' ? 'not_on_whatsapp' : 'opted_out');

const toRecord = (row: Selectable<BulkJobsTable>): BulkJob => ({
  ...row,
  type: row.type as BulkJob['type'],
  status: row.status as BulkJob['status'],
  media: row.media ? JSON.parse(row.media) : null,
});

/** Bulk jobs on Kysely. */
export class KyselyBulkJobRepository implements BulkJobRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async insert(job: BulkJob): Promise<BulkJob> {
    await this.db
      .insertInto('bulk_jobs')
      .values({ ...job, media: job.media ? JSON.stringify(job.media) : null })
      .execute();
    return job;
  }

  async get(userId: string, id: string): Promise<BulkJob | undefined> {
    const row = await findRow(this.db, 'bulk_jobs', { user_id: userId, id });
    return row && toRecord(row);
  }

  async list(userId: string, range: Range): Promise<Slice<BulkJob>> {
    const base = this.db.selectFrom('bulk_jobs').where('user_id', '=', userId);
    const { rows, total } = await selectPage(base, range, (q) =>
      q.selectAll().orderBy('created_at', 'desc').orderBy('id'),
    );
    return { items: rows.map(toRecord), total };
  }

  async update(
    id: string,
    changes: Partial<Pick<BulkJob, 'status' | 'started_at' | 'completed_at' | 'updated_at'>>,
  ): Promise<void> {
    await this.db.updateTable('bulk_jobs').set(changes).where('id', '=', id).execute();
  }

  async countActive(): Promise<number> {
    const { n } = await this.db
      .selectFrom('bulk_jobs')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirstOrThrow();
    return Number(n);
  }

  async insertBatches(batches: BulkBatch[]): Promise<void> {
    for (const b of batches) {
      await this.db
        .insertInto('bulk_job_batches')
        .values({
          job_id: b.job_id,
          first_index: b.first_index,
          size: b.recipients.length,
          prototype: JSON.stringify(b.prototype),
          recipients: JSON.stringify(b.recipients),
          delay_ms: b.delay_ms,
          created_at: b.created_at,
        })
        .execute();
    }
  }

  async takeBatches(jobId?: string): Promise<BulkBatch[]> {
    // Taken and removed in one transaction (the caller's, when it has one): never by two takers.
    return transact(this.db, (trx) => this.take(trx, jobId));
  }

  private async take(db: Kysely<Database>, jobId?: string): Promise<BulkBatch[]> {
    let query = db
      .selectFrom('bulk_job_batches')
      .selectAll()
      .orderBy('created_at')
      .orderBy('job_id')
      .orderBy('first_index');
    // A batch another process is expanding is skipped by the expander, and waited for by a cancel.
    if (jobId === undefined) query = lockRows(this.dialect, query.limit(1), 'skip');
    else query = lockRows(this.dialect, query.where('job_id', '=', jobId), 'wait');
    const rows = await query.execute();
    for (const row of rows)
      await db
        .deleteFrom('bulk_job_batches')
        .where('job_id', '=', row.job_id)
        .where('first_index', '=', row.first_index)
        .execute();
    return rows.map((row) => ({
      job_id: row.job_id,
      first_index: row.first_index,
      prototype: JSON.parse(row.prototype),
      recipients: JSON.parse(row.recipients),
      delay_ms: row.delay_ms,
      created_at: row.created_at,
    }));
  }

  async insertSkipped(jobId: string, skipped: SkippedRecipient[]): Promise<void> {
    const rows = skipped.map((s, seq) => ({
      job_id: jobId,
      seq,
      request_index: s.index,
      input: s.input,
      phone: s.phone,
      reason: s.reason,
    }));
    await transact(this.db, (trx) =>
      insertMany(trx, this.dialect, 'bulk_job_skips', rows, { types: { seq: 'int', request_index: 'int' } }),
    );
  }

  async skipped(jobId: string, range: Range): Promise<Slice<SkippedRecipient>> {
    const stored = this.db.selectFrom('bulk_job_skips').where('job_id', '=', jobId);
    const atSend = this.db.selectFrom('messages').where('job_id', '=', jobId).where(skippedRow);
    const storedCount = Number((await stored.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const sendCount = Number((await atSend.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const items: SkippedRecipient[] = [];
    if (range.offset < storedCount) {
      const rows = await stored.selectAll().orderBy('seq').limit(range.limit).offset(range.offset).execute();
      items.push(
        ...rows.map((r) => ({
          index: r.request_index === null ? null : Number(r.request_index),
          input: r.input,
          phone: r.phone,
          reason: r.reason as SkipReason,
        })),
      );
    }
    if (items.length < range.limit && range.offset + items.length < storedCount + sendCount) {
      const rows = await atSend
        .select(['peer_phone', 'status'])
        .orderBy('id')
        .limit(range.limit - items.length)
        .offset(Math.max(0, range.offset - storedCount))
        .execute();
      items.push(
        ...rows.map((r) => ({
          index: null,
          input: r.peer_phone ?? '',
          phone: r.peer_phone,
          reason: reasonOfRow(r.status),
        })),
      );
    }
    return { items, total: storedCount + sendCount };
  }

  async skippedCounts(jobId: string): Promise<Partial<Record<SkipReason, number>>> {
    const stored = await countBy(this.db.selectFrom('bulk_job_skips').where('job_id', '=', jobId), 'reason');
    const atSend = await countBy(
      this.db.selectFrom('messages').where('job_id', '=', jobId).where(skippedRow),
      'status',
    );
    const counts: Partial<Record<SkipReason, number>> = {};
    for (const [reason, n] of stored) counts[reason as SkipReason] = n;
    for (const [status, n] of atSend) {
      const reason = reasonOfRow(status);
      counts[reason] = (counts[reason] ?? 0) + n;
    }
    return counts;
  }

  async unexpanded(jobId: string): Promise<number> {
    const row = await this.db
      .selectFrom('bulk_job_batches')
      .select((eb) => eb.fn.sum<number>('size').as('n'))
      .where('job_id', '=', jobId)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}
