import type { Contact } from '../contacts/contact-schemas.js';
import type { Storage } from '../storage/storage.js';
import { CONTACT_PLACEHOLDER_FIELDS, compileTemplate, type TemplateFields } from './renderer.js';
import type { Template } from './template-schemas.js';
import { validationError } from '../validation.js';

/** The placeholders a user's templates may name: contact fields, their contacts' extra columns, and `extra` (a request's own fields). */
export async function knownPlaceholders(
  storage: Storage,
  userId: string,
  extra: Iterable<string> = [],
): Promise<string[]> {
  return [...new Set([...CONTACT_PLACEHOLDER_FIELDS, ...(await storage.contacts.extraFieldNames(userId)), ...extra])];
}

/** The text a template sends: its content, or a media template's caption when it has one. */
export function templateText(template: Pick<Template, 'message_type' | 'content' | 'caption'>): string {
  return template.message_type === 'text' ? template.content : (template.caption ?? template.content);
}

/** The user's saved template `id`, or a `validation` error naming `template_id` (it is a field of the request, not a path). */
export async function savedTemplate(storage: Storage, userId: string, id: string): Promise<Template> {
  const template = await storage.templates.get(userId, id);
  if (!template) throw validationError({ template_id: ['no such template'] });
  return template;
}

/** A contact's values as template fields: its own fields and its extra columns. */
export function contactTemplateFields(
  contact: Pick<
    Contact,
    'name' | 'phone' | 'email' | 'company' | 'position' | 'address' | 'city' | 'country' | 'notes'
  > & { extra_fields?: Record<string, string> },
): TemplateFields {
  return {
    ...contact.extra_fields,
    name: contact.name,
    phone: contact.phone,
    email: contact.email,
    company: contact.company,
    position: contact.position,
    address: contact.address,
    city: contact.city,
    country: contact.country,
    notes: contact.notes,
  };
}

type Recipient = Parameters<typeof contactTemplateFields>[0];

/**
 * The message one recipient gets. Spintax is seeded by (`seed`, recipient phone): a preview and a bulk
 * send with the same seed (none, by default) give the recipient the very same text.
 */
export function personalise(template: string, recipient: Recipient, seed = ''): string {
  return personaliser(template, seed)(recipient);
}

/** {@link personalise} for many recipients of one template, parsed once. */
export function personaliser(template: string, seed = ''): (recipient: Recipient) => string {
  const render = compileTemplate(template);
  return (recipient) => render(contactTemplateFields(recipient), `${seed}:${recipient.phone}`);
}
