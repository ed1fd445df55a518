import { sql, type Kysely } from 'kysely';

/**
 * The outbox's indexes hold its backlog, not the history: rows waiting to go (`queued`) for the claim
 * and the due check, rows in flight (`sending`, `unknown`) for recovery. A sent row leaves them once,
 * and its receipts (`delivered`, `read`) no longer rewrite their entries; they stay as small as the backlog
 * however many messages were ever sent. The claim's order (`not_before`, then `id`) is the index's, so
 * PostgreSQL reads the first rows of a large backlog instead of sorting all of it.
 */
export function backlogIndexesMigration() {
  return {
    async up(db: Kysely<any>) {
      const queued = sql<boolean>`status = 'queued'`;
      await db.schema.dropIndex('messages_due').execute();
      await db.schema.createIndex('messages_due').on('messages').columns(['not_before', 'id']).where(queued).execute();
      await db.schema.dropIndex('messages_session_due').execute();
      await db.schema
        .createIndex('messages_session_due')
        .on('messages')
        .columns(['session_id', 'not_before', 'id'])
        .where(queued)
        .execute();
      await db.schema.dropIndex('messages_pool_due').execute();
      await db.schema
        .createIndex('messages_pool_due')
        .on('messages')
        .columns(['pool_id', 'not_before', 'id'])
        .where(sql<boolean>`status = 'queued' and pool_id is not null`)
        .execute();
      // An OR, not IN: SQLite sees that `status = 'unknown'` implies one side of an OR, not an IN list.
      await db.schema
        .createIndex('messages_in_flight')
        .on('messages')
        .columns(['status', 'session_id'])
        .where(sql<boolean>`status = 'sending' or status = 'unknown'`)
        .execute();
    },
  };
}
