import type {
  Announcement,
  ApiToken,
  BulkBatch,
  BulkJob,
  Contact,
  ContactGroup,
  KirimEvent,
  Lead,
  LeadTask,
  Message,
  Pool,
  Session,
  SessionContact,
  Template,
  User,
  Webhook,
  WebhookDelivery,
  WhatsappGroup,
} from '@kirim/core';
import type { Generated } from 'kysely';

/** The tables, as Kysely sees them. Timestamps are ISO-8601 text; booleans are 0/1 integers on every dialect. */
export interface Database {
  users: UsersTable;
  api_tokens: ApiTokensTable;
  announcements: AnnouncementsTable;
  contacts: ContactsTable;
  contact_extra_fields: { user_id: string; name: string; created_at: string };
  contact_groups: ContactGroupsTable;
  contact_group_members: { group_id: string; contact_id: string; created_at: string };
  templates: TemplatesTable;
  sessions: SessionsTable;
  session_auth: { session_id: string; kind: string; key_id: string; value: string };
  session_contacts: Stored<SessionContact>;
  whatsapp_groups: WhatsappGroupsTable;
  number_checks: { phone: string; on_whatsapp: number; jid: string | null; lid: string | null; checked_at: string };
  messages: MessagesTable;
  pools: PoolsTable;
  pool_members: { pool_id: string; session_id: string; created_at: string };
  bulk_jobs: BulkJobsTable;
  /** A batch's recipients, with their count (`size`) beside them to sum without reading them. */
  bulk_job_batches: Stored<BulkBatch> & { size: number };
  bulk_job_skips: {
    job_id: string;
    seq: number;
    request_index: number | null;
    input: string;
    phone: string | null;
    reason: string;
  };
  opt_outs: { user_id: string; phone: string; reason: string; created_at: string };
  leads: LeadsTable;
  lead_tasks: LeadTasksTable;
  lead_task_results: { task_id: string; lead_id: string; position: number; merged: number; created_at: string };
  events: EventsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

/**
 * A core record's columns as stored: booleans as 0/1 integers on every dialect (better-sqlite3 cannot bind
 * booleans), objects and arrays as JSON text, and text unions as text (no column holds them to their values).
 */
export type Stored<T> = { [K in keyof T]: StoredValue<T[K]> };
type StoredValue<V> = V extends boolean ? number : V extends string ? string : V extends number | null ? V : string;

export type UsersTable = Stored<User>;
export type ApiTokensTable = Stored<ApiToken>;
export type AnnouncementsTable = Stored<Announcement>;
/** `search_text`: the searched fields, lower-cased, in one column a trigram index covers. */
export type ContactsTable = Stored<Contact> & { search_text: string };
/** Member counts are counted from `contact_group_members`, never stored. */
export type ContactGroupsTable = Stored<Omit<ContactGroup, 'contacts_count'>>;
export type TemplatesTable = Stored<Template>;
export type LeadTasksTable = Stored<LeadTask>;
export type LeadsTable = Stored<Lead>;
/** Members are rows of `pool_members`. */
export type PoolsTable = Stored<Omit<Pool, 'session_ids'>>;
export type BulkJobsTable = Stored<BulkJob>;
export type SessionsTable = Stored<Session>;
export type WhatsappGroupsTable = Stored<WhatsappGroup>;
/**
 * The id is the database's; `kind` has a default for rows written before it existed; no mentions are stored as null;
 * reactions and poll votes start empty.
 */
export type MessagesTable = Omit<Stored<Message>, 'id' | 'kind' | 'mentions' | 'reactions' | 'poll_votes'> & {
  id: Generated<number>;
  kind: Generated<string>;
  mentions: string | null;
  reactions: Generated<string>;
  poll_votes: Generated<string>;
};
/** An event with the sequence number the database gives it and the process that published it. */
export type EventsTable = Stored<KirimEvent> & { seq: Generated<number>; origin: string };
export type WebhooksTable = Stored<Webhook>;
export type WebhookDeliveriesTable = Stored<WebhookDelivery>;
