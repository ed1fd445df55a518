import { z } from 'zod';
import { looseBoolean, pageSchema, searchText } from '../validation.js';
import { phoneSchema } from './phone.js';

/** A contact of a user's address book. `phone` is normalised digits, unique per user. */
export interface Contact {
  id: string;
  user_id: string;
  name: string;
  phone: string;
  email: string | null;
  company: string | null;
  position: string | null;
  address: string | null;
  city: string | null;
  country: string | null;
  notes: string | null;
  is_active: boolean;
  /** Extra columns an import carried (or given by the API), usable as template placeholders. */
  extra_fields: Record<string, string>;
  created_at: string;
  updated_at: string;
}

/** Optional free text: blank becomes null, surrounding spaces are trimmed. */
export const optionalText = (max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? null : v),
    z.string().trim().max(max).nullable().optional(),
  );

const optionalEmail = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? null : typeof v === 'string' ? v.trim().toLowerCase() : v),
  z.email('is not a valid email address').max(320).nullable().optional(),
);

const extraFields = z
  .record(z.string().trim().min(1).max(100), z.string().max(2000))
  .refine((v) => Object.keys(v).length <= 50, 'at most 50 extra fields');

/** The contact fields of create and update, with phones normalised for `defaultCountryCode`. */
export function contactFields(defaultCountryCode: string) {
  return {
    name: z.string().trim().min(1).max(200),
    phone: phoneSchema(defaultCountryCode),
    email: optionalEmail,
    company: optionalText(200),
    position: optionalText(200),
    address: optionalText(500),
    city: optionalText(100),
    country: optionalText(100),
    notes: optionalText(5000),
    is_active: looseBoolean.optional(),
    extra_fields: extraFields.optional(),
  };
}

export const createContactSchema = (cc: string) => z.object(contactFields(cc));
export type CreateContactInput = z.input<ReturnType<typeof createContactSchema>>;
/** Create input once validated: the phone normalised, defaults applied. */
export type CreateContactData = z.output<ReturnType<typeof createContactSchema>>;

export const updateContactSchema = (cc: string) => z.object(contactFields(cc)).partial();
export type UpdateContactInput = z.input<ReturnType<typeof updateContactSchema>>;

export const CONTACT_SORTS = ['name', 'phone', 'email', 'company', 'city', 'created_at', 'updated_at'] as const;

/** The list's filters, sort and paging. */
export const listContactsSchema = z.object({
  search: searchText,
  group_id: z.uuid().optional(),
  is_active: looseBoolean.optional(),
  sort: z.enum(CONTACT_SORTS).default('created_at'),
  order: z.enum(['asc', 'desc']).optional(),
  ...pageSchema.shape,
});
export type ListContactsInput = z.input<typeof listContactsSchema>;

/** What a contact list is narrowed and ordered by, as the repository takes it. */
export interface ContactFilter {
  search?: string;
  groupId?: string;
  isActive?: boolean;
  sort: (typeof CONTACT_SORTS)[number];
  order: 'asc' | 'desc';
}

export const bulkDeleteContactsSchema = z.object({ ids: z.array(z.uuid()).min(1).max(1000) });

// Multipart forms send flags as text; the document's example sends them empty, meaning "not given".
const formFlag = z.preprocess((v) => (v === '' ? undefined : v), looseBoolean.optional());

export const importContactsSchema = z.object({
  skip_duplicates: formFlag,
  set_active: formFlag,
});

/** Address-book statistics. */
export interface ContactStatistics {
  total: number;
  active: number;
  inactive: number;
  with_email: number;
  in_groups: number;
  added_this_month: number;
  by_country: Array<{ country: string; count: number }>;
  by_city: Array<{ city: string; count: number }>;
}

/** The outcome of an import: counts, and for every row not imported as new, its row number and why. */
export interface ContactImportReport {
  total_rows: number;
  imported: number;
  updated: number;
  skipped: number;
  failed: number;
  /** The worksheet read (null for CSV) and the row its header was found on. */
  sheet: string | null;
  header_row: number;
  rows: Array<{
    row: number;
    status: 'updated' | 'skipped' | 'failed';
    phone: string | null;
    reason: string;
    errors?: Record<string, string[]>;
  }>;
}
