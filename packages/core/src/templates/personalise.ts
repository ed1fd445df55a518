import type { Contact } from '../contacts/contact-schemas.js';
import { compileTemplate, type TemplateFields } from './renderer.js';

/** A contact's values as template fields: its own fields and its extra columns. */
export function contactTemplateFields(contact: Pick<Contact, 'name' | 'phone' | 'email' | 'company' | 'position' | 'address' | 'city' | 'country' | 'notes'> & { extra_fields?: Record<string, string> }): TemplateFields {
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
