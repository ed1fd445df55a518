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
  leads: LeadsTable;
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
