/** The tables, as Kysely sees them. Timestamps are ISO-8601 text; booleans are 0/1 integers on every dialect. */
export interface Database {
  users: UsersTable;
  api_tokens: ApiTokensTable;
  announcements: AnnouncementsTable;
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
