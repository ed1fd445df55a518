import type { Kysely } from 'kysely';

/** When a disconnected session's transport tries again, kept for its status (null when no retry is due). */
export function sessionNextRetryMigration() {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('sessions').addColumn('next_retry_at', 'text').execute();
    },
  };
}
