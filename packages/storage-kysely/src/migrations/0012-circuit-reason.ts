import type { Kysely } from 'kysely';

/** Why a session's circuit breaker opened, kept beside `circuit_open_until` for its status and list. */
export function circuitReasonMigration() {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('sessions').addColumn('circuit_reason', 'text').execute();
    },
  };
}
