import type { Kysely } from 'kysely';

/**
 * What a message goes through once stored: each status it took (JSON text), its reactions and poll votes
 * (JSON text, one per member), when it was edited and when deleted for everyone. Rows before it start empty.
 */
export function messageLifeMigration() {
  return {
    async up(db: Kysely<any>) {
      for (const column of ['status_history', 'reactions', 'poll_votes'])
        await db.schema
          .alterTable('messages')
          .addColumn(column, 'text', (c) => c.notNull().defaultTo('[]'))
          .execute();
      await db.schema.alterTable('messages').addColumn('edited_at', 'text').execute();
      await db.schema.alterTable('messages').addColumn('revoked_at', 'text').execute();
    },
  };
}
