import type { BulkJob, BulkJobRepository, Range, Slice } from '@kirim/core';
import type { Kysely, Selectable } from 'kysely';
import type { BulkJobsTable, Database } from '../database.js';

const toRecord = (row: Selectable<BulkJobsTable>): BulkJob => ({
  ...row,
  type: row.type as BulkJob['type'],
  status: row.status as BulkJob['status'],
  media: row.media ? JSON.parse(row.media) : null,
});

/** Bulk jobs on Kysely. */
export class KyselyBulkJobRepository implements BulkJobRepository {
  constructor(private readonly db: Kysely<Database>) {}

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
}
