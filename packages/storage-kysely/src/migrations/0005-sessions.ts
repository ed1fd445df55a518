import type { Kysely } from 'kysely';
import type { SqlDialect } from '../dialect.js';

/** WhatsApp sessions with their leases, credentials, seen contacts, saved groups, and the messages table (history and outbox). */
export function sessionsMigration(dialect: SqlDialect) {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        // Whether the session should be running: the supervisor of some process keeps it connected.
        .addColumn('desired', 'text', (c) => c.notNull())
        .addColumn('phone', 'text')
        .addColumn('lid', 'text')
        .addColumn('push_name', 'text')
        .addColumn('qr', 'text')
        .addColumn('pairing_code', 'text')
        .addColumn('reconnect_attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('lease_owner', 'text')
        .addColumn('lease_expires_at', 'text')
        .addColumn('settings', 'text', (c) => c.notNull())
        .addColumn('connected_at', 'text')
        .addColumn('last_active_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_user').on('sessions').columns(['user_id', 'created_at']).execute();
      await db.schema
        .createIndex('sessions_desired_lease')
        .on('sessions')
        .columns(['desired', 'lease_expires_at'])
        .execute();

      await db.schema
        .createTable('session_auth')
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('session_auth_pk', ['session_id', 'kind', 'key_id'])
        .execute();

      await db.schema
        .createTable('session_contacts')
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('jid', 'text', (c) => c.notNull())
        .addColumn('phone', 'text')
        .addColumn('lid', 'text')
        .addColumn('name', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('session_contacts_pk', ['session_id', 'jid'])
        .execute();

      await db.schema
        .createTable('whatsapp_groups')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('jid', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('owner', 'text')
        .addColumn('participants', 'text', (c) => c.notNull())
        .addColumn('participants_count', 'integer', (c) => c.notNull())
        .addColumn('group_created_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('whatsapp_groups_session_jid')
        .unique()
        .on('whatsapp_groups')
        .columns(['session_id', 'jid'])
        .execute();

      // One table for every message, in and out: the history, and for outgoing rows the outbox.
      await db.schema
        .createTable('messages')
        .addColumn('id', dialect.serialKey.type, dialect.serialKey.define)
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('session_id', 'text', (c) => c.references('sessions.id').onDelete('set null'))
        .addColumn('pool_id', 'text')
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('message_id', 'text')
        .addColumn('chat', 'text', (c) => c.notNull())
        .addColumn('peer_phone', 'text')
        .addColumn('peer_lid', 'text')
        .addColumn('sender', 'text')
        .addColumn('push_name', 'text')
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('text', 'text')
        .addColumn('media', 'text')
        .addColumn('quoted_message_id', 'text')
        .addColumn('mentions', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('raw', 'text')
        .addColumn('job_id', 'text')
        .addColumn('schedule_id', 'text')
        .addColumn('idempotency_key', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('claimed_by', 'text')
        .addColumn('not_before', 'text')
        .addColumn('sent_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('messages_session_message')
        .unique()
        .on('messages')
        .columns(['session_id', 'message_id'])
        .execute();
      await db.schema
        .createIndex('messages_session_created')
        .on('messages')
        .columns(['session_id', 'created_at'])
        .execute();
      await db.schema.createIndex('messages_due').on('messages').columns(['status', 'not_before']).execute();
      await db.schema
        .createIndex('messages_user_idempotency')
        .unique()
        .on('messages')
        .columns(['user_id', 'idempotency_key'])
        .execute();
      await db.schema.createIndex('messages_job').on('messages').columns(['job_id', 'status']).execute();
      await db.schema
        .createIndex('messages_user_peer')
        .on('messages')
        .columns(['user_id', 'peer_phone', 'created_at'])
        .execute();
    },
  };
}
