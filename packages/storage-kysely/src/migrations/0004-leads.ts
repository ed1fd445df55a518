import { sql, type Kysely } from 'kysely';
import type { SqlDialect } from '../dialect.js';

/** Leads, with a partial unique index on `(user_id, phone)`: leads without a phone never collide. */
export function leadsMigration(_dialect: SqlDialect) {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('leads')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('business_name', 'text', (c) => c.notNull())
        .addColumn('address', 'text')
        .addColumn('website', 'text')
        .addColumn('phone', 'text')
        .addColumn('email', 'text')
        // Not `real`: on PostgreSQL that is 4 bytes, about a metre of error in a coordinate.
        .addColumn('latitude', 'double precision')
        .addColumn('longitude', 'double precision')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('notes', 'text')
        .addColumn('extra_fields', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      // The repository's `insertUnlessPhoneTaken` names this index's columns and predicate in ON CONFLICT.
      await db.schema
        .createIndex('leads_user_phone')
        .unique()
        .on('leads')
        .columns(['user_id', 'phone'])
        .where(sql.ref('phone'), 'is not', null)
        .execute();
      await db.schema.createIndex('leads_user_created').on('leads').columns(['user_id', 'created_at']).execute();
      await db.schema.createIndex('leads_user_status').on('leads').columns(['user_id', 'status']).execute();
      await db.schema.createIndex('leads_user_source').on('leads').columns(['user_id', 'source']).execute();
    },
  };
}
