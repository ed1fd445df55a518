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
  session_contacts: {
    session_id: string;
    jid: string;
    phone: string | null;
    lid: string | null;
    name: string | null;
    updated_at: string;
  };
  whatsapp_groups: WhatsappGroupsTable;
  messages: MessagesTable;
  pools: PoolsTable;
  pool_members: { pool_id: string; session_id: string; created_at: string };
  bulk_jobs: BulkJobsTable;
  bulk_job_batches: {
    job_id: string;
    first_index: number;
    size: number;
    prototype: string;
    recipients: string;
    delay_ms: number;
    created_at: string;
  };
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

export interface UsersTable {
  id: string;
  name: string;
  email: string;
  role: string;
  plan: string;
  plan_expires_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  token_prefix: string;
  created_at: string;
  expired_at: string | null;
  last_used_at: string | null;
}

export interface AnnouncementsTable {
  id: string;
  title: string;
  message: string;
  type: string;
  is_active: number;
  starts_at: string | null;
  expires_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ContactsTable {
  id: string;
  user_id: string;
  name: string;
  phone: string;
  email: string | null;
  company: string | null;
  position: string | null;
  address: string | null;
  city: string | null;
  country: string | null;
  notes: string | null;
  is_active: number;
  /** JSON object. */
  extra_fields: string;
  search_text: string;
  created_at: string;
  updated_at: string;
}

export interface ContactGroupsTable {
  id: string;
  user_id: string;
  name: string;
  description: string | null;
  color: string;
  is_active: number;
  created_at: string;
  updated_at: string;
}

export interface TemplatesTable {
  id: string;
  user_id: string;
  name: string;
  content: string;
  message_type: string;
  media_url: string | null;
  caption: string | null;
  is_active: number;
  /** JSON array. */
  placeholders: string;
  created_at: string;
  updated_at: string;
}

export interface LeadTasksTable {
  id: string;
  user_id: string;
  query: string;
  total: number;
  source: string | null;
  status: string;
  found: number;
  saved: number;
  merged: number;
  skipped: number;
  error: string | null;
  cursor: string | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
  attempts: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
}

export interface LeadsTable {
  id: string;
  user_id: string;
  source: string;
  business_name: string;
  address: string | null;
  website: string | null;
  phone: string | null;
  email: string | null;
  latitude: number | null;
  longitude: number | null;
  status: string;
  notes: string | null;
  /** JSON object. */
  extra_fields: string;
  created_at: string;
  updated_at: string;
}

export interface PoolsTable {
  id: string;
  user_id: string;
  name: string;
  strategy: string;
  /** JSON object. */
  settings: string;
  created_at: string;
  updated_at: string;
}

export interface BulkJobsTable {
  id: string;
  user_id: string;
  session_id: string | null;
  pool_id: string | null;
  type: string;
  message: string | null;
  template_id: string | null;
  /** JSON object. */
  media: string | null;
  delay_ms: number;
  total: number;
  skipped: number;
  status: string;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  updated_at: string;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  name: string;
  status: string;
  reason: string | null;
  desired: string;
  phone: string | null;
  lid: string | null;
  push_name: string | null;
  qr: string | null;
  pairing_code: string | null;
  reconnect_attempts: number;
  next_retry_at: string | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
  /** JSON object. */
  settings: string;
  circuit_open_until: string | null;
  circuit_reason: string | null;
  connected_at: string | null;
  linked_at: string | null;
  last_active_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface WhatsappGroupsTable {
  id: string;
  user_id: string;
  session_id: string;
  jid: string;
  subject: string;
  description: string | null;
  owner: string | null;
  /** JSON array. */
  participants: string;
  participants_count: number;
  group_created_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface MessagesTable {
  id: Generated<number>;
  user_id: string;
  session_id: string | null;
  pool_id: string | null;
  direction: string;
  message_id: string | null;
  chat: string;
  peer_phone: string | null;
  peer_lid: string | null;
  sender: string | null;
  push_name: string | null;
  type: string;
  text: string | null;
  /** JSON object. */
  media: string | null;
  quoted_message_id: string | null;
  /** JSON array. */
  mentions: string | null;
  status: string;
  error: string | null;
  raw: string | null;
  job_id: string | null;
  schedule_id: string | null;
  idempotency_key: string | null;
  kind: Generated<string>;
  attempts: number;
  claimed_by: string | null;
  not_before: string | null;
  sent_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface EventsTable {
  seq: Generated<number>;
  id: string;
  type: string;
  user_id: string;
  origin: string;
  timestamp: string;
  /** JSON: the event's data. */
  data: string;
}

export interface WebhooksTable {
  id: string;
  user_id: string;
  url: string;
  /** JSON array of event names. */
  events: string;
  secret_encrypted: string;
  is_active: number;
  disabled_reason: string | null;
  failing_since: string | null;
  created_at: string;
  updated_at: string;
}

export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: string;
  user_id: string;
  event_id: string;
  event_type: string;
  payload: string;
  state: string;
  attempts: number;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_latency_ms: number | null;
  last_error: string | null;
  claimed_by: string | null;
  claim_expires_at: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}
