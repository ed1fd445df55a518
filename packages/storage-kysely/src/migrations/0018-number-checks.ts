import type { Kysely } from 'kysely';

/** Whether numbers are on WhatsApp, as last asked: a day's cache shared by every session and process. */
export function numberChecksMigration() {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('number_checks')
        .addColumn('phone', 'text', (c) => c.primaryKey())
        .addColumn('on_whatsapp', 'integer', (c) => c.notNull())
        .addColumn('jid', 'text')
        .addColumn('lid', 'text')
        .addColumn('checked_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
