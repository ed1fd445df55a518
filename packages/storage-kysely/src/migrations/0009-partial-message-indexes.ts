import { sql, type Kysely } from 'kysely';

/**
 * Indexes over columns most message rows leave empty hold only the rows that fill them: a bulk job's
 * rows have no idempotency key and no pool, and every index entry is work on each insert.
 */
export function partialMessageIndexesMigration() {
  return {
    async up(db: Kysely<any>) {
      await db.schema.dropIndex('messages_user_idempotency').execute();
      await db.schema
        .createIndex('messages_user_idempotency')
        .unique()
        .on('messages')
        .columns(['user_id', 'idempotency_key'])
        .where(sql.ref('idempotency_key'), 'is not', null)
        .execute();
      await db.schema.dropIndex('messages_pool_due').execute();
      await db.schema
        .createIndex('messages_pool_due')
        .on('messages')
        .columns(['pool_id', 'status', 'not_before'])
        .where(sql.ref('pool_id'), 'is not', null)
        .execute();
    },
  };
}
