import { parsePhoneNumberFromString, type PhoneNumber } from 'libphonenumber-js';
import { z } from 'zod';
import { KirimError } from '../errors.js';

/** The message every refused phone number carries, as a field reason. */
export const INVALID_PHONE_MESSAGE = 'is not a valid phone number';

/** The JID domain of a WhatsApp user (a phone number's chat). */
export const USER_JID_SUFFIX = '@s.whatsapp.net';

/** The JID domain of a WhatsApp group. */
export const GROUP_JID_SUFFIX = '@g.us';

/** The calling code national numbers (`0812…`) belong to unless told otherwise: Indonesia's, 62. */
export const DEFAULT_COUNTRY_CODE = '62';

// Separators people type between digits, including the no-break and thin spaces spreadsheets paste in.
const SEPARATORS = /[\s\u00a0\u2007\u202f\-()./]/g;
// Anything else (letters, "ext", "*") makes the input something other than a phone number.
const PHONE_SHAPE = /^\+?\d+$/;
// Domains whose local part is a phone number; `@lid` and `@g.us` identify something else.
const PHONE_JID_DOMAINS = new Set(['s.whatsapp.net', 'c.us']);
// E.164 allows at most 15 digits; libphonenumber alone would accept some longer national strings.
const MAX_E164_DIGITS = 15;

/**
 * Normalises a phone number or WhatsApp user JID to E.164 digits without `+` (`6281234567890`).
 * A number without `+` is national to `defaultCountryCode` (default `'62'`), unless it already starts
 * with that calling code or with `00`. Throws a `validation` KirimError naming `field` (default `phone`).
 */
export function normalisePhone(input: string, defaultCountryCode = DEFAULT_COUNTRY_CODE, field = 'phone'): string {
  const digits = tryNormalisePhone(input, defaultCountryCode);
  if (digits === null) {
    throw new KirimError('validation', `"${String(input).slice(0, 64)}" ${INVALID_PHONE_MESSAGE}`, {
      details: { [field]: [INVALID_PHONE_MESSAGE] },
    });
  }
  return digits;
}

/** Like {@link normalisePhone} but returns `null` instead of throwing (default country code `'62'`). */
export function tryNormalisePhone(input: string, defaultCountryCode = DEFAULT_COUNTRY_CODE): string | null {
  if (typeof input !== 'string') return null;
  const local = stripJid(input.trim());
  if (local === null) return null;
  const compact = local.replace(SEPARATORS, '');
  if (!PHONE_SHAPE.test(compact)) return null;

  if (compact.startsWith('+')) return e164(parsePhoneNumberFromString(compact));
  // `00` is the international prefix almost everywhere (and understood in Indonesia); libphonenumber
  // would otherwise keep the zeros as part of a national number.
  if (compact.startsWith('00')) return e164(parsePhoneNumberFromString(`+${compact.slice(2)}`));
  // Spreadsheets and WhatsApp itself write numbers as `62812…` without the plus. A national number
  // never starts with its own country's calling code in practice (it starts with the trunk `0`, or
  // with an area/mobile prefix), so a leading default code that yields a valid number is international.
  if (compact.startsWith(defaultCountryCode)) {
    const international = e164(parsePhoneNumberFromString(`+${compact}`));
    if (international !== null) return international;
  }
  // National, with or without the trunk prefix: `0812…` and `812…` (a numeric cell loses its `0`).
  return e164(parsePhoneNumberFromString(compact, { defaultCallingCode: defaultCountryCode }));
}

/**
 * A zod schema that accepts a phone string (or a whole number, as JSON bodies send them) and outputs
 * the normalised digits; refusals read "is not a valid phone number". Default country code `'62'`.
 */
export function phoneSchema(defaultCountryCode = DEFAULT_COUNTRY_CODE) {
  return z
    .union([z.string(), z.number().int().nonnegative()], {
      error: (issue) => (issue.input === undefined ? 'is required' : INVALID_PHONE_MESSAGE),
    })
    .transform((value, ctx) => {
      const digits = tryNormalisePhone(String(value), defaultCountryCode);
      if (digits === null) {
        ctx.addIssue({ code: 'custom', message: INVALID_PHONE_MESSAGE, input: value });
        return z.NEVER;
      }
      return digits;
    });
}

/** The WhatsApp user JID for normalised digits: `6281234567890` → `6281234567890@s.whatsapp.net`. */
export function toUserJid(digits: string): string {
  if (!/^\d{6,15}$/.test(digits)) {
    // A caller passing un-normalised input is a bug upstream; failing here beats messaging a wrong chat.
    throw new KirimError('validation', `"${digits.slice(0, 64)}" is not a normalised phone number`, {
      details: { phone: [INVALID_PHONE_MESSAGE] },
    });
  }
  return `${digits}${USER_JID_SUFFIX}`;
}

/** True when `jid` addresses a WhatsApp group (`…@g.us`). */
export function isGroupJid(jid: string): boolean {
  return typeof jid === 'string' && jid.endsWith(GROUP_JID_SUFFIX);
}

/** The phone part of a user JID (`628…:12@s.whatsapp.net` → `628…`), the input itself if no `@`, null for other JIDs. */
function stripJid(input: string): string | null {
  const at = input.indexOf('@');
  if (at === -1) return input;
  if (!PHONE_JID_DOMAINS.has(input.slice(at + 1).toLowerCase())) return null;
  const user = input.slice(0, at);
  // Multi-device JIDs carry `:device` (and legacy `_agent`) after the number.
  return user.split(/[:_]/, 1)[0];
}

/** E.164 digits of a valid parsed number, else null. */
function e164(parsed: PhoneNumber | undefined): string | null {
  if (!parsed || !parsed.isValid()) return null;
  const digits = parsed.number.slice(1);
  return digits.length <= MAX_E164_DIGITS ? digits : null;
}
