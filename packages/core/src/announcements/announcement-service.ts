import { randomUUID } from 'node:crypto';
import type { Actor } from '../actor.js';
import { isAdmin } from '../actor.js';
import type { Clock } from '../clock.js';
import { KirimError, notFound } from '../errors.js';
import type { Storage } from '../storage/storage.js';
import { pageSchema, parse, validationError, type Page } from '../validation.js';
import {
  createAnnouncementSchema,
  updateAnnouncementSchema,
  type Announcement,
  type CreateAnnouncementInput,
  type UpdateAnnouncementInput,
} from './announcement-schemas.js';

export type AnnouncementService = ReturnType<typeof createAnnouncementService>;

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

/** Announcements: public reading of the visible ones, admin management of all. */
export function createAnnouncementService(deps: { storage: Storage; clock: Clock }) {
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
    /** Visible announcements (active, `starts_at <= now < expires_at`), newest first. Needs no actor. */
    listVisible(): Promise<Announcement[]> {
      return storage.announcements.listVisible(clock.now().toISOString());
    },

    /** One visible announcement; hidden ones are `not_found`. */
    async getVisible(id: string): Promise<Announcement> {
      const found = (await storage.announcements.listVisible(clock.now().toISOString())).find((a) => a.id === id);
      if (!found) throw notFound('Announcement');
      return found;
    },

    /** Admin: every announcement, newest first. */
    async list(actor: Actor, query: unknown = {}): Promise<Page<Announcement>> {
      requireAdmin(actor);
      const { page, per_page } = parse(pageSchema, query);
      const slice = await storage.announcements.list({ limit: per_page, offset: (page - 1) * per_page });
      return { ...slice, page, perPage: per_page };
    },

    /** Admin: one announcement, visible or not. */
    async get(actor: Actor, id: string): Promise<Announcement> {
      requireAdmin(actor);
      return getAny(id);
    },

    /** Admin: publishes an announcement. */
    async create(actor: Actor, input: CreateAnnouncementInput): Promise<Announcement> {
      requireAdmin(actor);
      const data = parse(createAnnouncementSchema, input);
      const now = clock.now().toISOString();
      return storage.announcements.insert({
        id: randomUUID(),
        title: data.title,
        message: data.message,
        type: data.type,
        is_active: data.is_active,
        starts_at: iso(data.starts_at),
        expires_at: iso(data.expires_at),
        created_at: now,
        updated_at: now,
      });
    },

    /** Admin: changes fields; the visibility window is checked against the stored other end. */
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

    /** Admin: flips `is_active`. */
    async toggle(actor: Actor, id: string): Promise<Announcement> {
      requireAdmin(actor);
      const current = await getAny(id);
      return (await storage.announcements.update(id, {
        is_active: !current.is_active,
        updated_at: clock.now().toISOString(),
      }))!;
    },

    /** Admin: deletes an announcement. */
    async remove(actor: Actor, id: string): Promise<void> {
      requireAdmin(actor);
      if (!(await storage.announcements.remove(id))) throw notFound('Announcement');
    },
  };
}
