import type { Kysely } from 'kysely';
import type { SqlDialect } from '../dialect.js';

/** Announcements. */
export function announcementsMigration(_dialect: SqlDialect) {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('announcements')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('is_active', 'integer', (c) => c.notNull())
        .addColumn('starts_at', 'text')
        .addColumn('expires_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('announcements_active')
        .on('announcements')
        .columns(['is_active', 'created_at'])
        .execute();
    },
  };
}
