import type { Kysely } from 'kysely';
import type { SqlDialect } from '../dialect.js';

/** Send pools and members, bulk jobs, opt-outs; what kind of send a message row is; circuit breakers on sessions. */
export function outboxMigration(_dialect: SqlDialect) {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .alterTable('messages')
        .addColumn('kind', 'text', (c) => c.notNull().defaultTo('send'))
        .execute();
      await db.schema.alterTable('sessions').addColumn('circuit_open_until', 'text').execute();

      await db.schema
        .createTable('pools')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('strategy', 'text', (c) => c.notNull())
        .addColumn('settings', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('pools_user').on('pools').columns(['user_id', 'created_at']).execute();

      await db.schema
        .createTable('pool_members')
        .addColumn('pool_id', 'text', (c) => c.notNull().references('pools.id').onDelete('cascade'))
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('pool_members_pk', ['pool_id', 'session_id'])
        .execute();
      await db.schema.createIndex('pool_members_session').on('pool_members').column('session_id').execute();

      await db.schema
        .createTable('bulk_jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('session_id', 'text')
        .addColumn('pool_id', 'text')
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('message', 'text')
        .addColumn('template_id', 'text')
        .addColumn('media', 'text')
        .addColumn('delay_ms', 'integer', (c) => c.notNull())
        .addColumn('total', 'integer', (c) => c.notNull())
        .addColumn('skipped', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text')
        .addColumn('completed_at', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('bulk_jobs_user').on('bulk_jobs').columns(['user_id', 'created_at']).execute();

      await db.schema
        .createTable('opt_outs')
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('phone', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('opt_outs_pk', ['user_id', 'phone'])
        .execute();

      // The dispatcher's claim: due rows of one session, or of one pool, in order.
      await db.schema
        .createIndex('messages_session_due')
        .on('messages')
        .columns(['session_id', 'status', 'not_before'])
        .execute();
      await db.schema
        .createIndex('messages_pool_due')
        .on('messages')
        .columns(['pool_id', 'status', 'not_before'])
        .execute();
    },
  };
}
