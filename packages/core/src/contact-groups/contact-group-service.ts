import type { Actor } from '../actor.js';
import type { Clock } from '../clock.js';
import type { Contact } from '../contacts/contact-schemas.js';
import { KirimError } from '../errors.js';
import { freshRecord, ownedRecords, type RecordService } from '../records.js';
import type { Storage } from '../storage/storage.js';
import { knownPlaceholders, personaliser, savedTemplate, templateText } from '../templates/personalise.js';
import { validateTemplate } from '../templates/renderer.js';
import { parse, readPage, type Page } from '../validation.js';
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

/** Contact groups: CRUD, membership, and the members as senders and previews need them. */
export interface ContactGroupService extends RecordService<
  ContactGroup,
  CreateContactGroupInput,
  UpdateContactGroupInput
> {
  /** Every member of a group (active and inactive, or `activeOnly`), for sending and previews; throws `not_found`. */
  members(actor: Actor, id: string, options?: { activeOnly?: boolean }): Promise<Contact[]>;
  /** Adds the actor's contacts to the group (members already are kept); throws `validation`, `not_found` naming each foreign contact. */
  addContacts(actor: Actor, id: string, input: unknown): Promise<{ added: number; group: ContactGroup }>;
  /** Removes contacts from the group, the contacts themselves staying; throws `validation`, `not_found`. */
  removeContacts(actor: Actor, id: string, input: unknown): Promise<{ removed: number; group: ContactGroup }>;
  /** The normalised numbers of the group's active members, for sending; throws `not_found`. */
  phoneNumbers(actor: Actor, id: string): Promise<string[]>;
  /**
   * Each active member with the message a template (`template`, checked as a bulk send checks its
   * message, or the saved `template_id`) renders to for them, exactly as a bulk send would; throws `validation`, `not_found`.
   */
  personalizedPreview(actor: Actor, id: string, input: unknown): Promise<Array<{ contact: Contact; message: string }>>;
}

/** Builds the {@link ContactGroupService}. */
export function createContactGroupService(deps: { storage: Storage; clock: Clock }): ContactGroupService {
  const { storage, clock } = deps;

  const { get, update, remove } = ownedRecords(storage.contactGroups, 'Contact group', clock);

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

  async function members(actor: Actor, id: string, options: { activeOnly?: boolean } = {}): Promise<Contact[]> {
    await get(actor, id);
    return storage.contactGroups.members(actor.userId, id, options);
  }

  return {
    get,
    members,

    async create(actor: Actor, input: CreateContactGroupInput): Promise<ContactGroup> {
      const data = parse(createContactGroupSchema, input);
      return storage.contactGroups.insert({
        ...freshRecord(clock.now().toISOString()),
        user_id: actor.userId,
        name: data.name,
        description: data.description ?? null,
        color: data.color.toUpperCase(),
        is_active: data.is_active,
        contacts_count: 0,
      });
    },

    async list(actor: Actor, input: unknown = {}): Promise<Page<ContactGroup>> {
      const q = parse(listContactGroupsSchema, input);
      const filter = { search: q.search || undefined, isActive: q.is_active };
      return readPage(q, (range) => storage.contactGroups.list(actor.userId, filter, range));
    },

    async update(actor: Actor, id: string, input: UpdateContactGroupInput): Promise<ContactGroup> {
      const data = parse(updateContactGroupSchema, input);
      return update(actor, id, { ...data, ...(data.color ? { color: data.color.toUpperCase() } : {}) });
    },

    remove,

    async addContacts(actor: Actor, id: string, input: unknown): Promise<{ added: number; group: ContactGroup }> {
      const { contact_ids } = parse(groupMembersSchema, input);
      await get(actor, id);
      const ids = await ownedContacts(actor, contact_ids);
      const added = await storage.contactGroups.addMembers(id, ids, clock.now().toISOString());
      return { added, group: await get(actor, id) };
    },

    async removeContacts(actor: Actor, id: string, input: unknown): Promise<{ removed: number; group: ContactGroup }> {
      const { contact_ids } = parse(groupMembersSchema, input);
      await get(actor, id);
      const removed = await storage.contactGroups.removeMembers(id, await ownedContacts(actor, contact_ids));
      return { removed, group: await get(actor, id) };
    },

    async phoneNumbers(actor: Actor, id: string): Promise<string[]> {
      return (await members(actor, id, { activeOnly: true })).map((c) => c.phone);
    },

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
