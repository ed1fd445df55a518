import type { Kysely } from 'kysely';
import type { SqlDialect } from '../dialect.js';

/**
 * Lead scrape tasks, and which leads each task found. A join table rather than a `task_id` on leads:
 * a lead found by two tasks (merged by phone) is a result of both.
 */
export function leadTasksMigration(_dialect: SqlDialect) {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('lead_tasks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('query', 'text', (c) => c.notNull())
        .addColumn('total', 'integer', (c) => c.notNull())
        .addColumn('source', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('found', 'integer', (c) => c.notNull())
        .addColumn('saved', 'integer', (c) => c.notNull())
        .addColumn('merged', 'integer', (c) => c.notNull())
        .addColumn('skipped', 'integer', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('cursor', 'text')
        .addColumn('lease_owner', 'text')
        .addColumn('lease_expires_at', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('lead_tasks_user_created')
        .on('lead_tasks')
        .columns(['user_id', 'created_at'])
        .execute();
      // Claims look for queued tasks and running ones with a lapsed lease, oldest first.
      await db.schema
        .createIndex('lead_tasks_status_created')
        .on('lead_tasks')
        .columns(['status', 'created_at'])
        .execute();

      await db.schema
        .createTable('lead_task_results')
        .addColumn('task_id', 'text', (c) => c.notNull().references('lead_tasks.id').onDelete('cascade'))
        .addColumn('lead_id', 'text', (c) => c.notNull().references('leads.id').onDelete('cascade'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('merged', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('lead_task_results_pk', ['task_id', 'lead_id'])
        .execute();
      // Deleting a lead cascades here: without an index on lead_id that is a scan per deleted lead.
      await db.schema.createIndex('lead_task_results_lead').on('lead_task_results').columns(['lead_id']).execute();
    },
  };
}
