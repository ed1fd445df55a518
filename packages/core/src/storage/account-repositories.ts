import type { ApiToken, User } from '../accounts/account-schemas.js';
import type { Announcement } from '../announcements/announcement-schemas.js';
import type { Range, RecordChanges, Slice } from './repository-shapes.js';

/** Users. Emails are unique (stored lowercased); inserting a taken one throws `conflict`. */
export interface UserRepository {
  /** Stores a new user; `conflict` if the email is taken. */
  insert(user: User): Promise<User>;
  /** The user with this id, or undefined. */
  get(id: string): Promise<User | undefined>;
  /** The user with this (lowercased) email, or undefined. */
  getByEmail(email: string): Promise<User | undefined>;
  /** Users ordered by creation, oldest first. */
  list(range: Range): Promise<Slice<User>>;
  /** Applies the changes and returns the new record, or undefined if there is no such user. */
  update(id: string, changes: RecordChanges<User>): Promise<User | undefined>;
  /** Deletes the user and, by cascade, everything it owns. False if there was none. */
  remove(id: string): Promise<boolean>;
  /** How many users exist. */
  count(): Promise<number>;
}

/** API tokens, kept only as hashes. */
export interface ApiTokenRepository {
  /** Stores a token; `conflict` if its hash exists. */
  insert(token: ApiToken): Promise<ApiToken>;
  /** The token with this hash and its user, or undefined. */
  findByHash(hash: string): Promise<{ token: ApiToken; user: User } | undefined>;
  /** The user's tokens, newest first. */
  listByUser(userId: string): Promise<ApiToken[]>;
  /** Deletes the user's token `id`; false if the user has no such token. */
  remove(userId: string, id: string): Promise<boolean>;
  /** Records a use of the token. */
  touch(id: string, at: string): Promise<void>;
}

/** Announcements (global, managed by admins). */
export interface AnnouncementRepository {
  insert(announcement: Announcement): Promise<Announcement>;
  get(id: string): Promise<Announcement | undefined>;
  /** All announcements, newest first. */
  list(range: Range): Promise<Slice<Announcement>>;
  /** Active announcements whose window holds `now` (`starts_at <= now < expires_at`, open ends allowed), newest first. */
  listVisible(now: string): Promise<Announcement[]>;
  update(id: string, changes: RecordChanges<Announcement>): Promise<Announcement | undefined>;
  remove(id: string): Promise<boolean>;
}
