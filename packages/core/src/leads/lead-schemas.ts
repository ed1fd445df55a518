import { z } from 'zod';
import type { FieldErrors } from '../errors.js';
import { phoneSchema } from '../contacts/phone.js';
import { looseBoolean, pageSchema } from '../validation.js';

/**
 * A business prospect, typically from a map scraper or a spreadsheet. `phone` is normalised digits,
 * unique per user when present; a lead without a phone is still a lead.
 */
export interface Lead {
  id: string;
  user_id: string;
  /** Where the lead came from (`google_maps`, `manual`, ...); free text, default `manual`. */
  source: string;
  business_name: string;
  address: string | null;
  website: string | null;
  phone: string | null;
  email: string | null;
  /** Degrees, within ±90. */
  latitude: number | null;
  /** Degrees, within ±180. */
  longitude: number | null;
  status: LeadStatus;
  notes: string | null;
  /** Anything else the source knew (rating, category, extra spreadsheet columns): a JSON object. */
  extra_fields: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

/** The outreach state of a lead, in the order a message to it usually goes through. */
export const LEAD_STATUSES = ['pending', 'sent', 'delivered', 'read', 'failed', 'replied'] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

/** Most rows one bulk import (JSON `leads[]` or spreadsheet) may hold. */
export const MAX_LEAD_IMPORT_ROWS = 5000;

// Blank text, as spreadsheets and forms send "no value", means absent.
const blankToNull = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? null : v);

const optionalText = (max: number) => z.preprocess(blankToNull, z.string().trim().max(max).nullable().optional());

const optionalEmail = z.preprocess(
  (v) => (typeof v === 'string' ? (v.trim() === '' ? null : v.trim().toLowerCase()) : v),
  z.email('is not a valid email address').max(320).nullable().optional(),
);

/** Degrees within ±`limit`, from a number or numeric text (`-6.9175`, or `-6,9175` as Indonesian locales write it). */
const coordinate = (limit: number) =>
  z.preprocess(
    (v) => {
      if (typeof v !== 'string') return v;
      const text = v.trim().replace(/^(-?\d+),(\d+)$/, '$1.$2');
      if (text === '') return null;
      return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(text) ? Number(text) : v;
    },
    z
      .number({ error: 'must be a number' })
      .min(-limit, `must be between -${limit} and ${limit}`)
      .max(limit, `must be between -${limit} and ${limit}`)
      .nullable()
      .optional(),
  );

const extraFields = z
  .record(z.string().trim().min(1).max(100), z.unknown())
  .refine((v) => Object.keys(v).length <= 50, 'at most 50 extra fields')
  .refine((v) => JSON.stringify(v).length <= 20_000, 'at most 20000 characters as JSON');

/** The lead fields of create and update, with phones normalised for `defaultCountryCode`. */
export function leadFields(defaultCountryCode: string) {
  return {
    source: z.string().trim().min(1).max(100),
    business_name: z.string().trim().min(1).max(300),
    address: optionalText(1000),
    website: optionalText(2048),
    phone: z.preprocess(blankToNull, phoneSchema(defaultCountryCode).nullable().optional()),
    email: optionalEmail,
    latitude: coordinate(90),
    longitude: coordinate(180),
    status: z.enum(LEAD_STATUSES),
    notes: optionalText(5000),
    extra_fields: extraFields.optional(),
  };
}

/**
 * Create input (and one row of a bulk import). `user_id`, as the document sends it, is honoured only
 * for admins acting for another user.
 */
export const createLeadSchema = (cc: string) => {
  const fields = leadFields(cc);
  return z.object({
    ...fields,
    source: z.preprocess(blankToNull, fields.source.nullable().optional()).transform((v) => v ?? 'manual'),
    status: z.preprocess(blankToNull, fields.status.nullable().optional()).transform((v) => v ?? 'pending'),
    user_id: z.uuid().optional(),
  });
};
export type CreateLeadInput = z.input<ReturnType<typeof createLeadSchema>>;
/** A validated create input. */
export type LeadData = z.output<ReturnType<typeof createLeadSchema>>;

/** PATCH input: any lead field; `null` clears an optional one. A lead never changes owner. */
export const updateLeadSchema = (cc: string) => z.object(leadFields(cc)).partial();
export type UpdateLeadInput = z.input<ReturnType<typeof updateLeadSchema>>;

// A query string's `?status=` with nothing after it means "no filter", not "status ''".
const filter = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

/** The list's filters and paging. */
export const listLeadsSchema = z.object({
  status: filter(z.enum(LEAD_STATUSES)),
  source: filter(z.string().trim().max(100)),
  search: filter(z.string().trim().max(200)),
  has_phone: filter(looseBoolean),
  has_website: filter(looseBoolean),
  ...pageSchema.shape,
});
export type ListLeadsInput = z.input<typeof listLeadsSchema>;

/** What a lead list is narrowed by, as the repository takes it. Text matches are case-insensitive substrings. */
export interface LeadFilter {
  status?: LeadStatus;
  source?: string;
  /** Matched against business_name, address, phone and website. */
  search?: string;
  /** Also matched against phone: the search's digits without a national trunk `0` (so `0812-2000` finds `628122000…`). */
  searchDigits?: string;
  hasPhone?: boolean;
  hasWebsite?: boolean;
}

/** `POST /leads/bulk-import` as JSON: the rows, each validated on its own. */
export const importLeadsSchema = z.object({
  leads: z.array(z.unknown()).min(1).max(MAX_LEAD_IMPORT_ROWS),
});
export type ImportLeadsInput = z.input<typeof importLeadsSchema>;

/** `POST /leads/bulk-status`. */
export const bulkLeadStatusSchema = z.object({
  ids: z.array(z.string().trim().min(1).max(100)).min(1).max(1000),
  status: z.enum(LEAD_STATUSES),
});
export type BulkLeadStatusInput = z.input<typeof bulkLeadStatusSchema>;

export const syncLeadStatusSchema = z.object({ ids: z.array(z.string().trim().min(1).max(100)).min(1).max(1000) });

/** A user's lead counts. Every status is present (0 when none); sources appear as stored. */
export interface LeadStatistics {
  total: number;
  with_phone: number;
  with_website: number;
  by_status: Record<LeadStatus, number>;
  by_source: Record<string, number>;
}

/**
 * The outcome of a bulk import: counts, and for every row not imported as a new lead, its row number
 * (1-based position in `leads[]`, or the spreadsheet's row) and what happened.
 */
export interface LeadImportReport {
  total_rows: number;
  imported: number;
  merged: number;
  failed: number;
  /** Rows of a file that are not data: totals and notes. */
  skipped: number;
  /** A file import's worksheet (null for CSV) and the row its header was found on. */
  sheet?: string | null;
  header_row?: number;
  rows: Array<{
    row: number;
    status: 'merged' | 'failed' | 'skipped';
    id: string | null;
    phone: string | null;
    reason: string;
    errors?: FieldErrors;
  }>;
}
