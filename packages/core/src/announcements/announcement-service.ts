import type { Actor } from '../actor.js';
import { isAdmin } from '../actor.js';
import type { Clock } from '../clock.js';
import { KirimError, notFound } from '../errors.js';
import { freshRecord } from '../records.js';
import type { Storage } from '../storage/storage.js';
import { pageSchema, parse, readPage, validationError, type Page } from '../validation.js';
import {
  createAnnouncementSchema,
  updateAnnouncementSchema,
  type Announcement,
  type CreateAnnouncementInput,
  type UpdateAnnouncementInput,
} from './announcement-schemas.js';

/** Announcements: public reading of the visible ones, admin management of all. */
export interface AnnouncementService {
  /** Visible announcements (active, `starts_at <= now < expires_at`), newest first. Needs no actor. */
  listVisible(): Promise<Announcement[]>;
  /** One visible announcement; throws `not_found` for a hidden or missing one. */
  getVisible(id: string): Promise<Announcement>;
  /** Admin: every announcement, newest first; throws `forbidden` for non-admins, `validation` for a bad page. */
  list(actor: Actor, query?: unknown): Promise<Page<Announcement>>;
  /** Admin: one announcement, visible or not; throws `forbidden`, `not_found`. */
  get(actor: Actor, id: string): Promise<Announcement>;
  /** Admin: publishes an announcement; throws `forbidden`, `validation`. */
  create(actor: Actor, input: CreateAnnouncementInput): Promise<Announcement>;
  /** Admin: changes fields, the visibility window checked against the stored other end; throws `forbidden`, `not_found`, `validation`. */
  update(actor: Actor, id: string, input: UpdateAnnouncementInput): Promise<Announcement>;
  /** Admin: flips `is_active`; throws `forbidden`, `not_found`. */
  toggle(actor: Actor, id: string): Promise<Announcement>;
  /** Admin: deletes an announcement; throws `forbidden`, `not_found`. */
  remove(actor: Actor, id: string): Promise<void>;
}

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

/** Builds the {@link AnnouncementService}. */
export function createAnnouncementService(deps: { storage: Storage; clock: Clock }): AnnouncementService {
  const { storage, clock } = deps;

  const requireAdmin = (actor: Actor) => {
    if (!isAdmin(actor)) throw new KirimError('forbidden', 'Admin access required');
  };

  const getAny = async (id: string) => {
    const found = await storage.announcements.get(id);
    if (!found) throw notFound('Announcement');
    return found;
  };

  return {
    listVisible(): Promise<Announcement[]> {
      return storage.announcements.listVisible(clock.now().toISOString());
    },

    async getVisible(id: string): Promise<Announcement> {
      const found = (await storage.announcements.listVisible(clock.now().toISOString())).find((a) => a.id === id);
      if (!found) throw notFound('Announcement');
      return found;
    },

    async list(actor: Actor, query: unknown = {}): Promise<Page<Announcement>> {
      requireAdmin(actor);
      return readPage(parse(pageSchema, query), (range) => storage.announcements.list(range));
    },

    async get(actor: Actor, id: string): Promise<Announcement> {
      requireAdmin(actor);
      return getAny(id);
    },

    async create(actor: Actor, input: CreateAnnouncementInput): Promise<Announcement> {
      requireAdmin(actor);
      const data = parse(createAnnouncementSchema, input);
      const window = { starts_at: iso(data.starts_at), expires_at: iso(data.expires_at) };
      return storage.announcements.insert({ ...freshRecord(clock.now().toISOString()), ...data, ...window });
    },

    async update(actor: Actor, id: string, input: UpdateAnnouncementInput): Promise<Announcement> {
      requireAdmin(actor);
      const data = parse(updateAnnouncementSchema, input);
      const current = await getAny(id);
      const { starts_at, expires_at, ...rest } = data;
      const changes: Partial<Announcement> = { ...rest, updated_at: clock.now().toISOString() };
      if (starts_at !== undefined) changes.starts_at = iso(starts_at);
      if (expires_at !== undefined) changes.expires_at = iso(expires_at);
      const startsAt = changes.starts_at !== undefined ? changes.starts_at : current.starts_at;
      const expiresAt = changes.expires_at !== undefined ? changes.expires_at : current.expires_at;
      if (startsAt && expiresAt && startsAt >= expiresAt)
        throw validationError({ expires_at: ['must be after starts_at'] });
      return (await storage.announcements.update(id, changes)) ?? getAny(id);
    },

    async toggle(actor: Actor, id: string): Promise<Announcement> {
      requireAdmin(actor);
      const current = await getAny(id);
      return (await storage.announcements.update(id, {
        is_active: !current.is_active,
        updated_at: clock.now().toISOString(),
      }))!;
    },

    async remove(actor: Actor, id: string): Promise<void> {
      requireAdmin(actor);
      if (!(await storage.announcements.remove(id))) throw notFound('Announcement');
    },
  };
}
