import type { BulkBatch, BulkJob, BulkJobRepository, Range, Slice } from '@kirim/core';
import type { Kysely, Selectable } from 'kysely';
import type { BulkJobsTable, Database } from '../database.js';
import type { SqlDialect } from '../dialect.js';
import { transact } from '../transact.js';

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
    await this.db.insertInto('bulk_jobs').values({ ...job, media: job.media ? JSON.stringify(job.media) : null }).execute();
    return job;
  }

  async get(userId: string, id: string): Promise<BulkJob | undefined> {
    const row = await this.db.selectFrom('bulk_jobs').selectAll().where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  async list(userId: string, range: Range): Promise<Slice<BulkJob>> {
    const base = this.db.selectFrom('bulk_jobs').where('user_id', '=', userId);
    const rows = await base.selectAll().orderBy('created_at', 'desc').orderBy('id').limit(range.limit).offset(range.offset).execute();
    const { n } = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return { items: rows.map(toRecord), total: Number(n) };
  }

  async update(id: string, changes: Partial<Pick<BulkJob, 'status' | 'started_at' | 'completed_at' | 'updated_at'>>): Promise<void> {
    await this.db.updateTable('bulk_jobs').set(changes).where('id', '=', id).execute();
  }

  async countActive(): Promise<number> {
    const { n } = await this.db.selectFrom('bulk_jobs').select((eb) => eb.fn.countAll().as('n')).where('status', 'in', ['queued', 'running']).executeTakeFirstOrThrow();
    return Number(n);
  }

  async insertBatches(batches: BulkBatch[]): Promise<void> {
    for (const b of batches) {
      await this.db.insertInto('bulk_job_batches')
        .values({ job_id: b.job_id, first_index: b.first_index, size: b.recipients.length, prototype: JSON.stringify(b.prototype), recipients: JSON.stringify(b.recipients), delay_ms: b.delay_ms, created_at: b.created_at })
        .execute();
    }
  }

  async takeBatches(jobId?: string): Promise<BulkBatch[]> {
    // Taken and removed in one transaction (the caller's, when it has one): never by two takers.
    return transact(this.db, (trx) => this.take(trx, jobId));
  }

  private async take(db: Kysely<Database>, jobId?: string): Promise<BulkBatch[]> {
    let query = db.selectFrom('bulk_job_batches').selectAll().orderBy('created_at').orderBy('job_id').orderBy('first_index');
    // PostgreSQL: a batch another process is expanding is skipped by the expander, and waited for by a cancel.
    if (jobId === undefined) {
      query = query.limit(1);
      if (this.dialect === 'postgres') query = query.forUpdate().skipLocked();
    } else {
      query = query.where('job_id', '=', jobId);
      if (this.dialect === 'postgres') query = query.forUpdate();
    }
    const rows = await query.execute();
    for (const row of rows) await db.deleteFrom('bulk_job_batches').where('job_id', '=', row.job_id).where('first_index', '=', row.first_index).execute();
    return rows.map((row) => ({ job_id: row.job_id, first_index: row.first_index, prototype: JSON.parse(row.prototype), recipients: JSON.parse(row.recipients), delay_ms: row.delay_ms, created_at: row.created_at }));
  }

  async unexpanded(jobId: string): Promise<number> {
    const row = await this.db.selectFrom('bulk_job_batches').select((eb) => eb.fn.sum<number>('size').as('n')).where('job_id', '=', jobId).executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}
