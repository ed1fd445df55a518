import { z } from 'zod';
import { count, maybeText, maybeTimestamp, recordTimes, timestamp } from '../response-fields.js';
import { LEAD_STATUSES, type Lead, type LeadImportReport, type LeadStatistics } from './lead-schemas.js';
import {
  LEAD_TASK_STATUSES,
  type LeadSourceStatus,
  type LeadTaskDetail,
  type LeadTaskView,
} from './lead-task-schemas.js';

/** A lead as the API answers it. */
export const leadSchema = z.object({
  id: z.string(),
  user_id: z.string(),
  source: z.string(),
  business_name: z.string(),
  address: maybeText,
  website: maybeText,
  phone: maybeText,
  email: maybeText,
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  status: z.enum(LEAD_STATUSES),
  notes: maybeText,
  extra_fields: z.record(z.string(), z.unknown()),
  ...recordTimes,
}) satisfies z.ZodType<Lead>;

/** `GET /leads/statistics`: every status (0 when none), and sources as stored. */
export const leadStatisticsSchema = z.object({
  total: count,
  with_phone: count,
  with_website: count,
  by_status: z.object({
    pending: count,
    sent: count,
    delivered: count,
    read: count,
    failed: count,
    replied: count,
  }),
  by_source: z.record(z.string(), count),
}) satisfies z.ZodType<LeadStatistics>;

/** `POST /leads/bulk-import`: counts, and each row not imported as new with its number and what happened. */
export const leadImportReportSchema = z.object({
  total_rows: count,
  imported: count,
  merged: count,
  failed: count,
  skipped: count,
  sheet: z.string().nullable().optional(),
  header_row: count.optional(),
  rows: z.array(
    z.object({
      row: count,
      status: z.enum(['merged', 'failed', 'skipped']),
      id: maybeText,
      phone: maybeText,
      reason: z.string(),
      errors: z.record(z.string(), z.array(z.string())).optional(),
    }),
  ),
}) satisfies z.ZodType<LeadImportReport>;

/** `POST /leads/bulk-status`. */
export const bulkLeadStatusResultSchema = z.object({ updated: count, status: z.enum(LEAD_STATUSES) });

/** `POST /leads/sync-status`: how many changed, and the leads after. */
export const syncLeadStatusResultSchema = z.object({ updated: count, leads: z.array(leadSchema) });

/** A scrape task with its progress. */
export const leadTaskViewSchema = z.object({
  task_id: z.string(),
  user_id: z.string(),
  query: z.string(),
  total: count,
  source: maybeText,
  status: z.enum(LEAD_TASK_STATUSES),
  progress: z.object({
    found: count,
    saved: count,
    merged: count,
    skipped: count,
    results: count,
    percent: z.number(),
  }),
  error: maybeText,
  ...recordTimes,
  started_at: maybeTimestamp,
  finished_at: maybeTimestamp,
}) satisfies z.ZodType<LeadTaskView>;

/** A scrape task with the leads it found so far. */
export const leadTaskDetailSchema = leadTaskViewSchema.extend({
  results: z.array(leadSchema),
}) satisfies z.ZodType<LeadTaskDetail>;

/** `GET /leads/scraper-health`. */
export const leadSourceStatusSchema = z.object({
  source: z.string(),
  ok: z.boolean(),
  detail: z.string(),
  checked_at: timestamp,
}) satisfies z.ZodType<LeadSourceStatus>;
