import type { Kysely } from 'kysely';

/** The recipients a bulk job left out when it was accepted, with the reason, for its status. */
export function bulkJobSkipsMigration() {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('bulk_job_skips')
        .addColumn('job_id', 'text', (c) => c.notNull().references('bulk_jobs.id').onDelete('cascade'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('request_index', 'integer')
        .addColumn('input', 'text', (c) => c.notNull())
        .addColumn('phone', 'text')
        .addColumn('reason', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('bulk_job_skips_pk', ['job_id', 'seq'])
        .execute();
    },
  };
}
