import { z } from 'zod';
import { count, maybeText, recordTimes } from '../response-fields.js';
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
  ...recordTimes,
}) satisfies z.ZodType<Contact>;

/** `GET /contacts/statistics`. */
export const contactStatisticsSchema = z.object({
  total: count,
  active: count,
  inactive: count,
  with_email: count,
  in_groups: count,
  added_this_month: count,
  by_country: z.array(z.object({ country: z.string(), count: count })),
  by_city: z.array(z.object({ city: z.string(), count: count })),
}) satisfies z.ZodType<ContactStatistics>;

/** `POST /contacts/bulk-delete`: how many went, and the ids that were not the caller's contacts. */
export const bulkDeleteContactsResultSchema = z.object({ deleted: count, not_found: z.array(z.string()) });

/** `POST /contacts/import`: counts, and each row not imported as new with its number and reason. */
export const contactImportReportSchema = z.object({
  total_rows: count,
  imported: count,
  updated: count,
  skipped: count,
  failed: count,
  sheet: z.string().nullable(),
  header_row: count,
  rows: z.array(
    z.object({
      row: count,
      status: z.enum(['updated', 'skipped', 'failed']),
      phone: z.string().nullable(),
      reason: z.string(),
      errors: z.record(z.string(), z.array(z.string())).optional(),
    }),
  ),
}) satisfies z.ZodType<ContactImportReport>;
