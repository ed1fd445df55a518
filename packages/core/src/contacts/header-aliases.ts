/** The header spellings that name each import field, and matching a sheet's headers against them. */

/** Canonical field → the header spellings that mean it (compared loosely, see {@link headerKey}). */
export type HeaderAliases<F extends string = string> = Readonly<Record<F, readonly string[]>>;

/** The result of {@link matchHeaders}: which header holds each known field, and the other headers. */
export interface HeaderMatch<F extends string = string> {
  /** Canonical field → the original header text that holds it; fields without a column are absent. */
  fields: Partial<Record<F, string>>;
  /** Headers that matched no field, in file order, but for `__proto__`, `constructor` and `prototype`: extra columns an import may keep. */
  extra: string[];
}

/** Header aliases for contact imports, in English and Indonesian. */
export const CONTACT_HEADER_ALIASES = {
  name: ['name', 'full name', 'nama', 'nama lengkap', 'contact name', 'nama kontak', 'customer name', 'nama pelanggan'],
  phone: [
    'phone',
    'phone number',
    'mobile',
    'mobile number',
    'mobile phone',
    'cell',
    'cellphone',
    'whatsapp',
    'whatsapp number',
    'wa',
    'no wa',
    'nomor wa',
    'no whatsapp',
    'nomor whatsapp',
    'no hp',
    'nomor hp',
    'hp',
    'handphone',
    'no handphone',
    'nomor handphone',
    'telepon',
    'no telepon',
    'nomor telepon',
    'telp',
    'no telp',
    'telephone',
    'tel',
    'number',
    'nomor',
  ],
  email: ['email', 'e-mail', 'email address', 'alamat email', 'surel'],
  company: [
    'company',
    'company name',
    'perusahaan',
    'nama perusahaan',
    'organization',
    'organisation',
    'organisasi',
    'instansi',
  ],
  position: ['position', 'job title', 'title', 'role', 'jabatan', 'posisi'],
  address: ['address', 'street address', 'alamat', 'alamat lengkap'],
  city: ['city', 'town', 'kota', 'kabupaten', 'kota kabupaten'],
  country: ['country', 'negara'],
  notes: ['notes', 'note', 'remarks', 'comment', 'comments', 'catatan', 'keterangan'],
} as const satisfies HeaderAliases;

/** Header aliases for lead imports (map-scraper exports and hand-made sheets). */
export const LEAD_HEADER_ALIASES = {
  business_name: ['business name', 'nama usaha', 'nama bisnis', 'nama tempat', 'place name', 'name', 'nama', 'title'],
  address: ['address', 'full address', 'alamat', 'alamat lengkap'],
  phone: [
    'phone',
    'phone number',
    'telepon',
    'no telepon',
    'nomor telepon',
    'telp',
    'no telp',
    'no hp',
    'nomor hp',
    'whatsapp',
    'mobile',
  ],
  website: ['website', 'web', 'site', 'url', 'situs', 'situs web'],
  latitude: ['latitude', 'lat'],
  longitude: ['longitude', 'lng', 'lon', 'long'],
  source: ['source', 'sumber'],
  status: ['status'],
} as const satisfies HeaderAliases;

/** Canonical contact import fields. */
export type ContactImportField = keyof typeof CONTACT_HEADER_ALIASES;

/** Canonical lead import fields. */
export type LeadImportField = keyof typeof LEAD_HEADER_ALIASES;

/** The loose form headers are compared in: lower case, accents and everything but letters and digits dropped. */
export function headerKey(header: string): string {
  return header
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/**
 * Maps each canonical field to the header that holds it, comparing case-, space- and
 * punctuation-insensitively (`No. HP` = `no hp` = `NoHP`). The field's own name is an alias too. Fields
 * claim headers in the order of `aliases`, each field's aliases in order; a header holds one field.
 */
export function matchHeaders<F extends string>(headers: readonly string[], aliases: HeaderAliases<F>): HeaderMatch<F> {
  const keys = headers.map(headerKey);
  const claimed = new Set<number>();
  const fields: Partial<Record<F, string>> = {};
  for (const field of Object.keys(aliases) as F[]) {
    for (const alias of [...aliases[field], field]) {
      const key = headerKey(alias);
      const index = keys.findIndex((k, i) => k === key && k !== '' && !claimed.has(i));
      if (index !== -1) {
        claimed.add(index);
        fields[field] = headers[index];
        break;
      }
    }
  }
  return { fields, extra: headers.filter((header, i) => !claimed.has(i) && !UNSAFE_KEYS.has(header)) };
}

// Headers that would reach an object's prototype machinery if used as a key; never kept as extra fields.
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
