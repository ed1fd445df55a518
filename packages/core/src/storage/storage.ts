import type { ApiToken, User } from '../accounts/account-schemas.js';
import type { Announcement } from '../announcements/announcement-schemas.js';
import type { ContactGroup } from '../contact-groups/contact-group-schemas.js';
import type { Contact, ContactFilter, ContactStatistics } from '../contacts/contact-schemas.js';
import type { Lead, LeadFilter, LeadStatistics, LeadStatus } from '../leads/lead-schemas.js';
import type { Template } from '../templates/template-schemas.js';

/** How far searches count their matches before reporting a lower bound. */
export const SEARCH_COUNT_CAP = 1000;

/** Limit and offset of one page of a list. */
export interface Range {
  limit: number;
  offset: number;
}

/** Rows of one page and how many rows matched in all. */
export interface Slice<T> {
  items: T[];
  total: number;
  /** Set when counting stopped at a cap (broad searches): there are at least `total` matches. */
  totalIsLowerBound?: boolean;
}

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
  update(id: string, changes: Partial<Omit<User, 'id' | 'created_at'>>): Promise<User | undefined>;
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
  update(id: string, changes: Partial<Omit<Announcement, 'id' | 'created_at'>>): Promise<Announcement | undefined>;
  remove(id: string): Promise<boolean>;
}

/** Contacts. `(user_id, phone)` is unique: inserting a taken number throws `conflict`. Every method is scoped to one user. */
export interface ContactRepository {
  insert(contact: Contact): Promise<Contact>;
  /** Inserts many at once (imports); `conflict` if any number is taken. */
  insertMany(contacts: Contact[]): Promise<void>;
  get(userId: string, id: string): Promise<Contact | undefined>;
  /** The user's contacts with any of these numbers. */
  findByPhones(userId: string, phones: string[]): Promise<Contact[]>;
  /** The ids among `ids` that are the user's contacts. */
  ownedIds(userId: string, ids: string[]): Promise<string[]>;
  /**
   * One page: `search` matches name, phone, email or company (case-insensitive substring). With a search,
   * matches are counted only up to {@link SEARCH_COUNT_CAP} (then `totalIsLowerBound`): an exact count of a
   * broad match costs a scan of every matching row.
   */
  list(userId: string, filter: ContactFilter, range: Range): Promise<Slice<Contact>>;
  /** Every matching contact, oldest first, in batches: memory stays flat however many there are. */
  scan(userId: string, filter: ContactFilter, batchSize?: number): AsyncIterable<Contact[]>;
  /** Applies changes; undefined if the user has no such contact; `conflict` if the new phone is taken. */
  update(userId: string, id: string, changes: Partial<Omit<Contact, 'id' | 'user_id' | 'created_at'>>): Promise<Contact | undefined>;
  remove(userId: string, id: string): Promise<boolean>;
  /** Deletes the user's contacts among `ids`; returns the ids deleted. */
  removeMany(userId: string, ids: string[]): Promise<string[]>;
  /** Counts for the statistics route; `monthStart` bounds "added this month". */
  statistics(userId: string, monthStart: string): Promise<ContactStatistics>;
  /** Names of the extra fields the user's contacts carry, in the order first seen. */
  extraFieldNames(userId: string): Promise<string[]>;
}

/** Contact groups and their members. Every method is scoped to one user. */
export interface ContactGroupRepository {
  /** Stores a group (its `contacts_count` is ignored: it is counted). */
  insert(group: ContactGroup): Promise<ContactGroup>;
  get(userId: string, id: string): Promise<ContactGroup | undefined>;
  /** Groups by name, with member counts. */
  list(userId: string, filter: { search?: string; isActive?: boolean }, range: Range): Promise<Slice<ContactGroup>>;
  update(userId: string, id: string, changes: Partial<Pick<ContactGroup, 'name' | 'description' | 'color' | 'is_active' | 'updated_at'>>): Promise<ContactGroup | undefined>;
  /** Deletes the group and its memberships, not the contacts. */
  remove(userId: string, id: string): Promise<boolean>;
  /** Adds members (the caller has checked ownership); existing members are kept. Returns how many were new. */
  addMembers(groupId: string, contactIds: string[], at: string): Promise<number>;
  /** Removes members; returns how many were removed. */
  removeMembers(groupId: string, contactIds: string[]): Promise<number>;
  /** The group's members by name; only active ones with `activeOnly`. */
  members(userId: string, groupId: string, options?: { activeOnly?: boolean }): Promise<Contact[]>;
}

/** Message templates. Every method is scoped to one user. */
export interface TemplateRepository {
  insert(template: Template): Promise<Template>;
  get(userId: string, id: string): Promise<Template | undefined>;
  /** Newest first. */
  list(userId: string, filter: { search?: string; messageType?: string; isActive?: boolean }, range: Range): Promise<Slice<Template>>;
  update(userId: string, id: string, changes: Partial<Omit<Template, 'id' | 'user_id' | 'created_at'>>): Promise<Template | undefined>;
  remove(userId: string, id: string): Promise<boolean>;
}

/**
 * Leads. `(user_id, phone)` is unique where phone is not null: inserting a taken number throws
 * `conflict`; leads without a phone never collide. Every method is scoped to one user.
 */
export interface LeadRepository {
  /** Stores a lead; `conflict` if the user already has a lead with its phone. */
  insert(lead: Lead): Promise<Lead>;
  /**
   * Stores a lead unless the user already has one with its phone: then stores nothing and returns
   * undefined. Never a `conflict`, so it is safe inside a transaction (a failed statement would abort it on PostgreSQL).
   */
  insertUnlessPhoneTaken(lead: Lead): Promise<Lead | undefined>;
  get(userId: string, id: string): Promise<Lead | undefined>;
  /** The user's lead with this (normalised) phone, or undefined. */
  getByPhone(userId: string, phone: string): Promise<Lead | undefined>;
  /** One page, newest first (`created_at` descending, then id). */
  list(userId: string, filter: LeadFilter, range: Range): Promise<Slice<Lead>>;
  /** Applies changes; undefined if the user has no such lead; `conflict` if the new phone is taken. */
  update(userId: string, id: string, changes: Partial<Omit<Lead, 'id' | 'user_id' | 'created_at'>>): Promise<Lead | undefined>;
  /** The ids among `ids` that are the user's leads. */
  ownedIds(userId: string, ids: string[]): Promise<string[]>;
  /** Sets the status of the user's leads among `ids`; returns how many were updated (others' ids are untouched). */
  setStatus(userId: string, ids: string[], status: LeadStatus, updatedAt: string): Promise<number>;
  remove(userId: string, id: string): Promise<boolean>;
  /** Counts by status and by source, and how many have a phone and a website. */
  statistics(userId: string): Promise<LeadStatistics>;
}

/**
 * The whole storage contract. One repository per area, a transaction, migrations and close.
 * An adapter proves itself with `runStorageConformance` from `@kirim/core/testing`.
 */
export interface Storage {
  /** The adapter's name, for status pages and logs (`sqlite`, `postgres`, ...). */
  readonly dialect: string;
  readonly users: UserRepository;
  readonly apiTokens: ApiTokenRepository;
  readonly announcements: AnnouncementRepository;
  readonly contacts: ContactRepository;
  readonly contactGroups: ContactGroupRepository;
  readonly templates: TemplateRepository;
  readonly leads: LeadRepository;
  /** Runs `work` in one transaction: all its writes land, or none do if it throws. */
  transaction<T>(work: (tx: Storage) => Promise<T>): Promise<T>;
  /** Brings the schema up to date; safe to run again, and from several processes at once. */
  migrate(): Promise<void>;
  /** Closes connections; the storage is unusable afterwards. */
  close(): Promise<void>;
}
