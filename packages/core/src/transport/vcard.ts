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

/** Undoes {@link escapeText}. */
function unescapeText(value: string): string {
  return value.replace(/\\([\\,;nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/** A property line: its name without group (`item1.TEL` → `TEL`), its parameters, its value. */
interface VcardLine {
  name: string;
  params: string[];
  value: string;
}

function vcardLines(vcard: string): VcardLine[] {
  // Folded lines (RFC 2425 §5.8.1) continue with a space or tab.
  const unfolded = vcard.replace(/\r?\n[ \t]/g, '');
  return unfolded.split(/\r?\n/).flatMap((line) => {
    const colon = line.indexOf(':');
    if (colon < 0) return [];
    const [head = '', ...params] = line.slice(0, colon).split(';');
    return [{ name: head.slice(head.lastIndexOf('.') + 1).toUpperCase(), params, value: line.slice(colon + 1) }];
  });
}

/** The components of a structured value (`N:Family;Given`, `ORG:Toko\\;A;Branch`), unescaped. */
function components(value: string | undefined): string[] {
  return (value ?? '').split(/(?<!\\);/).map(unescapeText);
}

/**
 * A received vCard's contact: its name (FN, else N), the number WhatsApp links (`waid`, else the first TEL's
 * digits; empty when the card has none), its organization and email where given.
 */
export function contactOfVcard(vcard: string): OutgoingContact {
  const lines = vcardLines(vcard);
  const first = (name: string) => lines.find((line) => line.name === name);
  const [family, given] = components(first('N')?.value);
  const name = unescapeText(first('FN')?.value ?? '').trim() || [given, family].filter(Boolean).join(' ');
  const phones = lines.filter((line) => line.name === 'TEL');
  const waid = phones
    .flatMap((line) => line.params)
    .map((param) => /^waid=(\d+)$/i.exec(param)?.[1])
    .find(Boolean);
  const [organization] = components(first('ORG')?.value);
  const email = unescapeText(first('EMAIL')?.value ?? '');
  return {
    name,
    phone: waid ?? phones[0]?.value.replace(/\D/g, '') ?? '',
    ...(organization ? { organization } : {}),
    ...(email ? { email } : {}),
  };
}
