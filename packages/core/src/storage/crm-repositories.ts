import type { ContactGroup } from '../contact-groups/contact-group-schemas.js';
import type { Contact, ContactFilter, ContactStatistics } from '../contacts/contact-schemas.js';
import type { Lead, LeadFilter, LeadStatistics, LeadStatus } from '../leads/lead-schemas.js';
import type { LeadTask, LeadTaskChanges, LeadTaskStatus } from '../leads/lead-task-schemas.js';
import type { Template } from '../templates/template-schemas.js';
import type { Range, RecordChanges, Slice } from './repository-shapes.js';

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
   * matches are counted only up to `SEARCH_COUNT_CAP` (then `totalIsLowerBound`): an exact count of a
   * broad match costs a scan of every matching row.
   */
  list(userId: string, filter: ContactFilter, range: Range): Promise<Slice<Contact>>;
  /** Every matching contact, oldest first, in batches: memory stays flat however many there are. */
  scan(userId: string, filter: ContactFilter, batchSize?: number): AsyncIterable<Contact[]>;
  /** Applies changes; undefined if the user has no such contact; `conflict` if the new phone is taken. */
  update(userId: string, id: string, changes: RecordChanges<Contact>): Promise<Contact | undefined>;
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
  update(
    userId: string,
    id: string,
    changes: Partial<Pick<ContactGroup, 'name' | 'description' | 'color' | 'is_active' | 'updated_at'>>,
  ): Promise<ContactGroup | undefined>;
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
  list(
    userId: string,
    filter: { search?: string; messageType?: string; isActive?: boolean },
    range: Range,
  ): Promise<Slice<Template>>;
  update(userId: string, id: string, changes: RecordChanges<Template>): Promise<Template | undefined>;
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
  update(userId: string, id: string, changes: RecordChanges<Lead>): Promise<Lead | undefined>;
  /** The ids among `ids` that are the user's leads. */
  ownedIds(userId: string, ids: string[]): Promise<string[]>;
  /** Sets the status of the user's leads among `ids`; returns how many were updated (others' ids are untouched). */
  setStatus(userId: string, ids: string[], status: LeadStatus, updatedAt: string): Promise<number>;
  remove(userId: string, id: string): Promise<boolean>;
  /** Counts by status and by source, and how many have a phone and a website. */
  statistics(userId: string): Promise<LeadStatistics>;
}

/** Lead scrape tasks and the leads each found. Reads are scoped to one user; claims span every user. */
export interface LeadTaskRepository {
  insert(task: LeadTask): Promise<LeadTask>;
  /** The user's task, or undefined (another user's too). */
  get(userId: string, id: string): Promise<LeadTask | undefined>;
  /** The user's tasks, newest first (`created_at` descending, then id). */
  list(userId: string, filter: { status?: LeadTaskStatus }, range: Range): Promise<Slice<LeadTask>>;
  /**
   * Claims the oldest task that is `queued`, or `running` under a lease that expired before `now` (its
   * process died): sets it `running` for `owner` until `leaseUntil`, counts the attempt, and sets
   * `started_at` if unset. Atomic: concurrent claimers never receive the same task (SKIP LOCKED on PostgreSQL).
   */
  claim(owner: string, now: string, leaseUntil: string): Promise<LeadTask | undefined>;
  /** Applies changes only while the task is `running` under `owner`'s lease; false (nothing changed) otherwise. */
  update(id: string, owner: string, changes: LeadTaskChanges): Promise<boolean>;
  /** Records that the task found the lead, at `position`; false (nothing stored) if it already had it. */
  addResult(
    taskId: string,
    leadId: string,
    result: { position: number; merged: boolean; created_at: string },
  ): Promise<boolean>;
  /** The leads the user's task found, in the order found; empty for another user's task. */
  results(userId: string, taskId: string): Promise<Lead[]>;
}
