import type { Kysely } from 'kysely';

/** When the device was linked (its warm-up counts from this day); a reconnect keeps it, an unlink clears it. */
export function sessionLinkedAtMigration() {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('sessions').addColumn('linked_at', 'text').execute();
    },
  };
}
