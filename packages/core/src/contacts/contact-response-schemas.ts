import { z } from 'zod';
import { maybeText, timestamp } from '../response-fields.js';
import type { Contact, ContactImportReport, ContactStatistics } from './contact-schemas.js';

/** A contact as the API answers it. */
export const contactSchema = z.object({
  id: z.uuid(),
  user_id: z.uuid(),
  name: z.string(),
  phone: z.string().meta({ description: 'Normalised digits, unique per user', example: '6281234567890' }),
  email: maybeText,
  company: maybeText,
  position: maybeText,
  address: maybeText,
  city: maybeText,
  country: maybeText,
  notes: maybeText,
  is_active: z.boolean(),
  extra_fields: z.record(z.string(), z.string()),
  created_at: timestamp,
  updated_at: timestamp,
}) satisfies z.ZodType<Contact>;

/** `GET /contacts/statistics`. */
export const contactStatisticsSchema = z.object({
  total: z.number().int(),
  active: z.number().int(),
  inactive: z.number().int(),
  with_email: z.number().int(),
  in_groups: z.number().int(),
  added_this_month: z.number().int(),
  by_country: z.array(z.object({ country: z.string(), count: z.number().int() })),
  by_city: z.array(z.object({ city: z.string(), count: z.number().int() })),
}) satisfies z.ZodType<ContactStatistics>;

/** `POST /contacts/bulk-delete`: how many went, and the ids that were not the caller's contacts. */
export const bulkDeleteContactsResultSchema = z.object({ deleted: z.number().int(), not_found: z.array(z.string()) });

/** `POST /contacts/import`: counts, and each row not imported as new with its number and reason. */
export const contactImportReportSchema = z.object({
  total_rows: z.number().int(),
  imported: z.number().int(),
  updated: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  sheet: z.string().nullable(),
  header_row: z.number().int(),
  rows: z.array(
    z.object({
      row: z.number().int(),
      status: z.enum(['updated', 'skipped', 'failed']),
      phone: z.string().nullable(),
      reason: z.string(),
      errors: z.record(z.string(), z.array(z.string())).optional(),
    }),
  ),
}) satisfies z.ZodType<ContactImportReport>;
