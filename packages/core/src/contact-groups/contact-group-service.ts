import { randomUUID } from 'node:crypto';
import type { Actor } from '../actor.js';
import type { Clock } from '../clock.js';
import type { Contact } from '../contacts/contact-schemas.js';
import { KirimError, notFound } from '../errors.js';
import type { Storage } from '../storage/storage.js';
import { knownPlaceholders, personaliser, savedTemplate, templateText } from '../templates/personalise.js';
import { validateTemplate } from '../templates/renderer.js';
import { parse, type Page } from '../validation.js';
import {
  createContactGroupSchema,
  groupMembersSchema,
  listContactGroupsSchema,
  personalizedPreviewSchema,
  updateContactGroupSchema,
  type ContactGroup,
  type CreateContactGroupInput,
  type UpdateContactGroupInput,
} from './contact-group-schemas.js';

export type ContactGroupService = ReturnType<typeof createContactGroupService>;

/** Contact groups: CRUD, membership, and the members as senders and previews need them. */
export function createContactGroupService(deps: { storage: Storage; clock: Clock }) {
  const { storage, clock } = deps;

  async function get(actor: Actor, id: string): Promise<ContactGroup> {
    const group = await storage.contactGroups.get(actor.userId, id);
    if (!group) throw notFound('Contact group');
    return group;
  }

  /** Checks every id is one of the user's contacts: another user's contact is as missing as no contact. */
  async function ownedContacts(actor: Actor, ids: string[]): Promise<string[]> {
    const unique = [...new Set(ids)];
    const owned = new Set(await storage.contacts.ownedIds(actor.userId, unique));
    const missing = unique.filter((id) => !owned.has(id));
    if (missing.length > 0) {
      throw new KirimError('not_found', `Contacts not found: ${missing.join(', ')}`, {
        details: { contact_ids: missing.map((id) => `${id} not found`) },
      });
    }
    return unique;
  }

  /** Every member of a group (active and inactive), for sending and previews. */
  async function members(actor: Actor, id: string, options: { activeOnly?: boolean } = {}): Promise<Contact[]> {
    await get(actor, id);
    return storage.contactGroups.members(actor.userId, id, options);
  }

  return {
    get,
    members,

    async create(actor: Actor, input: CreateContactGroupInput): Promise<ContactGroup> {
      const data = parse(createContactGroupSchema, input);
      const now = clock.now().toISOString();
      return storage.contactGroups.insert({
        id: randomUUID(),
        user_id: actor.userId,
        name: data.name,
        description: data.description ?? null,
        color: data.color.toUpperCase(),
        is_active: data.is_active,
        contacts_count: 0,
        created_at: now,
        updated_at: now,
      });
    },

    async list(actor: Actor, input: unknown = {}): Promise<Page<ContactGroup>> {
      const q = parse(listContactGroupsSchema, input);
      const slice = await storage.contactGroups.list(
        actor.userId,
        { search: q.search || undefined, isActive: q.is_active },
        { limit: q.per_page, offset: (q.page - 1) * q.per_page },
      );
      return { ...slice, page: q.page, perPage: q.per_page };
    },

    async update(actor: Actor, id: string, input: UpdateContactGroupInput): Promise<ContactGroup> {
      const data = parse(updateContactGroupSchema, input);
      const updated = await storage.contactGroups.update(actor.userId, id, {
        ...data,
        ...(data.color ? { color: data.color.toUpperCase() } : {}),
        updated_at: clock.now().toISOString(),
      });
      if (!updated) throw notFound('Contact group');
      return updated;
    },

    async remove(actor: Actor, id: string): Promise<void> {
      if (!(await storage.contactGroups.remove(actor.userId, id))) throw notFound('Contact group');
    },

    /** Adds the user's contacts to the group (already-members are left as they are). */
    async addContacts(actor: Actor, id: string, input: unknown): Promise<{ added: number; group: ContactGroup }> {
      const { contact_ids } = parse(groupMembersSchema, input);
      await get(actor, id);
      const ids = await ownedContacts(actor, contact_ids);
      const added = await storage.contactGroups.addMembers(id, ids, clock.now().toISOString());
      return { added, group: await get(actor, id) };
    },

    /** Removes contacts from the group; the contacts themselves stay. */
    async removeContacts(actor: Actor, id: string, input: unknown): Promise<{ removed: number; group: ContactGroup }> {
      const { contact_ids } = parse(groupMembersSchema, input);
      await get(actor, id);
      const removed = await storage.contactGroups.removeMembers(id, await ownedContacts(actor, contact_ids));
      return { removed, group: await get(actor, id) };
    },

    /** The normalised numbers of the group's active members, for sending. */
    async phoneNumbers(actor: Actor, id: string): Promise<string[]> {
      return (await members(actor, id, { activeOnly: true })).map((c) => c.phone);
    },

    /**
     * Each active member with the message a template (`template`, checked as a bulk send checks its
     * message, or the saved `template_id`) renders to for them, exactly as a bulk send would.
     */
    async personalizedPreview(actor: Actor, id: string, input: unknown) {
      const { template, template_id, seed } = parse(personalizedPreviewSchema, input);
      const contacts = await members(actor, id, { activeOnly: true });
      if (template) validateTemplate({ template }, await knownPlaceholders(storage, actor.userId));
      const messageFor = personaliser(
        template ?? templateText(await savedTemplate(storage, actor.userId, template_id!)),
        seed,
      );
      return contacts.map((contact) => ({ contact, message: messageFor(contact) }));
    },
  };
}
