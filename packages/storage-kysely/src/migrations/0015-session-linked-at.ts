import type { Kysely } from 'kysely';

/** When the device was linked (its warm-up counts from this day); a reconnect keeps it, an unlink clears it. */
export function sessionLinkedAtMigration() {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('sessions').addColumn('linked_at', 'text').execute();
      // Sessions linked before this column keep the day their warm-up counted from until now (created_at);
      // left null, their next connect would take it as the link and start an established number's ramp again.
      await db
        .updateTable('sessions')
        .set((eb) => ({ linked_at: eb.ref('created_at') }))
        .where('connected_at', 'is not', null)
        .execute();
    },
  };
}
