import type { Session, SessionContact } from '../sessions/session-schemas.js';
import type { NumberCheck } from '../transport/transport.js';
import type { WhatsappGroup } from '../whatsapp-groups/whatsapp-group-schemas.js';
import type { Range, RecordChanges, Slice } from './repository-shapes.js';

/** WhatsApp sessions and their leases. Leases make one process at a time drive a session. */
export interface SessionRepository {
  /** Stores a new session; `conflict` if the id is taken. */
  insert(session: Session): Promise<Session>;
  /** The user's session, or undefined. */
  get(userId: string, id: string): Promise<Session | undefined>;
  /** Any session by id (for the engine, not for users). */
  getById(id: string): Promise<Session | undefined>;
  /** The user's sessions, oldest first. */
  list(userId: string): Promise<Session[]>;
  /** All sessions, or only those with these ids (status pages). */
  listAll(): Promise<Session[]>;
  update(id: string, changes: RecordChanges<Session>): Promise<void>;
  /** Deletes the session and, by cascade, its credentials, contacts and saved groups. */
  remove(id: string): Promise<boolean>;
  /**
   * Takes or renews the lease when it is free, expired or already `owner`'s: an atomic compare-and-set,
   * so two processes never both win. True if `owner` holds it afterwards.
   */
  acquireLease(id: string, owner: string, now: string, expiresAt: string): Promise<boolean>;
  /** Extends every lease `owner` holds; returns those sessions (with `desired`, to notice remote disconnects). */
  renewLeases(owner: string, expiresAt: string): Promise<Array<Pick<Session, 'id' | 'desired'>>>;
  /** Gives the lease up if `owner` holds it. */
  releaseLease(id: string, owner: string): Promise<void>;
  /** Sessions that should run but nobody drives (free or expired lease), oldest first. */
  listOrphaned(now: string, limit: number): Promise<Session[]>;
}

/** A session's credentials and keys (the transport's `AuthStore`), as text values by (kind, id). */
export interface SessionAuthRepository {
  get(sessionId: string, kind: string, ids: string[]): Promise<Record<string, string>>;
  /** Writes every entry in one transaction (null deletes); safe to repeat. */
  set(sessionId: string, entries: Record<string, Record<string, string | null>>): Promise<void>;
  clear(sessionId: string): Promise<void>;
  /** Whether anything is stored for the session. */
  has(sessionId: string): Promise<boolean>;
}

/** WhatsApp contacts a session has seen. */
export interface SessionContactRepository {
  /** Inserts or refreshes by JID; a null field never overwrites a known value. */
  upsertMany(contacts: SessionContact[]): Promise<void>;
  /** A page of the session's contacts by name, then JID. */
  list(sessionId: string, range: Range): Promise<Slice<SessionContact>>;
}

/** Saved copies of WhatsApp groups. */
export interface WhatsappGroupRepository {
  /** A session's saved groups by subject. */
  listBySession(userId: string, sessionId: string): Promise<WhatsappGroup[]>;
  /**
   * Makes the saved groups of a session exactly `groups` (matched by JID) in one transaction: new ones
   * added, known ones updated, missing ones removed. Returns the counts.
   */
  replaceForSession(
    userId: string,
    sessionId: string,
    groups: WhatsappGroup[],
  ): Promise<{ added: number; updated: number; removed: number }>;
  /** A session's saved copy of a group by its JID, if it has one. */
  findByJid(sessionId: string, jid: string): Promise<WhatsappGroup | undefined>;
  /** Writes a saved group's fields back (found by its id): a group event changed them. */
  update(group: WhatsappGroup): Promise<void>;
  /** Deletes one of the user's saved groups; false if the user has none with this id. */
  remove(userId: string, id: string): Promise<boolean>;
}

/** Whether numbers are on WhatsApp, as last asked by any session: one answer per phone, shared by every process. */
export interface NumberCheckRepository {
  /** The stored answers for these phones asked at or after `since`; phones without one are absent. */
  find(phones: string[], since: string): Promise<NumberCheck[]>;
  /** Stores each answer as asked at `at`, replacing an earlier one for the same phone. */
  save(checks: NumberCheck[], at: string): Promise<void>;
}
