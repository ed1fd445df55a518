import { sql, type Kysely } from 'kysely';
import type { SqlDialect } from '../dialect.js';

/** Contacts (with a trigram search index), their extra field names, contact groups, members, templates. */
export function contactsMigration(dialect: SqlDialect) {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('contacts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('phone', 'text', (c) => c.notNull())
        .addColumn('email', 'text')
        .addColumn('company', 'text')
        .addColumn('position', 'text')
        .addColumn('address', 'text')
        .addColumn('city', 'text')
        .addColumn('country', 'text')
        .addColumn('notes', 'text')
        .addColumn('is_active', 'integer', (c) => c.notNull())
        .addColumn('extra_fields', 'text', (c) => c.notNull())
        // Lower-cased name, phone, email and company: what `search` matches, kept by the repository.
        .addColumn('search_text', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('contacts_user_phone')
        .unique()
        .on('contacts')
        .columns(['user_id', 'phone'])
        .execute();
      await db.schema.createIndex('contacts_user_created').on('contacts').columns(['user_id', 'created_at']).execute();
      await db.schema.createIndex('contacts_user_name').on('contacts').columns(['user_id', 'name']).execute();

      // Substring search without a table scan: a trigram index on each dialect.
      if (dialect.trigramIndex === 'fts5') {
        await sql`CREATE VIRTUAL TABLE contacts_fts USING fts5(search_text, content='contacts', content_rowid='rowid', tokenize='trigram')`.execute(
          db,
        );
        await sql`CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN
          INSERT INTO contacts_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END`.execute(db);
        await sql`CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
          INSERT INTO contacts_fts(contacts_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text); END`.execute(
          db,
        );
        await sql`CREATE TRIGGER contacts_fts_update AFTER UPDATE OF search_text ON contacts BEGIN
          INSERT INTO contacts_fts(contacts_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
          INSERT INTO contacts_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END`.execute(db);
      } else {
        const available = await sql<{
          n: number;
        }>`SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'pg_trgm'`.execute(db);
        if (available.rows[0]?.n) {
          await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);
          // An extension lives in one schema per database, maybe not ours: name its operator class in full.
          const ext = await sql<{
            schema: string;
          }>`SELECT extnamespace::regnamespace::text AS schema FROM pg_extension WHERE extname = 'pg_trgm'`.execute(db);
          const opclass = sql.raw(`${ext.rows[0].schema}.gin_trgm_ops`);
          await sql`CREATE INDEX contacts_search_trgm ON contacts USING gin (search_text ${opclass})`.execute(db);
        }
      }

      await db.schema
        .createTable('contact_extra_fields')
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('contact_extra_fields_pk', ['user_id', 'name'])
        .execute();

      await db.schema
        .createTable('contact_groups')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('color', 'text', (c) => c.notNull())
        .addColumn('is_active', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('contact_groups_user_name')
        .on('contact_groups')
        .columns(['user_id', 'name'])
        .execute();

      await db.schema
        .createTable('contact_group_members')
        .addColumn('group_id', 'text', (c) => c.notNull().references('contact_groups.id').onDelete('cascade'))
        .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('contact_group_members_pk', ['group_id', 'contact_id'])
        .execute();
      await db.schema
        .createIndex('contact_group_members_contact')
        .on('contact_group_members')
        .column('contact_id')
        .execute();

      await db.schema
        .createTable('templates')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('content', 'text', (c) => c.notNull())
        .addColumn('message_type', 'text', (c) => c.notNull())
        .addColumn('media_url', 'text')
        .addColumn('caption', 'text')
        .addColumn('is_active', 'integer', (c) => c.notNull())
        .addColumn('placeholders', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('templates_user_created')
        .on('templates')
        .columns(['user_id', 'created_at'])
        .execute();
    },
  };
}
