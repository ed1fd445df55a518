import type { Kysely } from 'kysely';

/** A location's, contact cards' or poll's fields as JSON text; null for text and media (and rows before it). */
export function messageContentMigration() {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('messages').addColumn('content', 'text').execute();
    },
  };
}
