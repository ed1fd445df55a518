import type { OutgoingContact } from './transport.js';

/** Escapes a vCard 3.0 text value (RFC 2426 §4): backslash, comma, semicolon and line breaks. */
function escapeText(value: string): string {
  return value.replace(/[\\,;]/g, (c) => `\\${c}`).replace(/\r?\n/g, '\\n');
}

/**
 * The vCard 3.0 of a contact card. `waid` on the number is what makes WhatsApp offer "Message" and "Add
 * contact" for it; the number itself is written with a leading `+`.
 */
export function vcardOf(contact: OutgoingContact): string {
  const digits = contact.phone.replace(/\D/g, '');
  return [
    'BEGIN:VCARD',
    'VERSION:3.0',
    `FN:${escapeText(contact.name)}`,
    ...(contact.organization ? [`ORG:${escapeText(contact.organization)}`] : []),
    ...(contact.email ? [`EMAIL;type=INTERNET:${escapeText(contact.email)}`] : []),
    `TEL;type=CELL;type=VOICE;waid=${digits}:+${digits}`,
    'END:VCARD',
  ].join('\n');
}
