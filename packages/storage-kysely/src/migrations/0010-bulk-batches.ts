import type { Kysely } from 'kysely';

/** Recipients of large bulk jobs waiting to be expanded into outbox rows. */
export function bulkBatchesMigration() {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('bulk_job_batches')
        .addColumn('job_id', 'text', (c) => c.notNull().references('bulk_jobs.id').onDelete('cascade'))
        .addColumn('first_index', 'integer', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('prototype', 'text', (c) => c.notNull())
        .addColumn('recipients', 'text', (c) => c.notNull())
        .addColumn('delay_ms', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('bulk_job_batches_pk', ['job_id', 'first_index'])
        .execute();
    },
  };
}
