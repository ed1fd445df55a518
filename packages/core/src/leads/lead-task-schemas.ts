import { z } from 'zod';
import { pageSchema } from '../validation.js';
import type { Lead } from './lead-schemas.js';

/** A scrape task's states: `queued` → `running` → `completed` or `failed`. */
export const LEAD_TASK_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
/** One of {@link LEAD_TASK_STATUSES}. */
export type LeadTaskStatus = (typeof LEAD_TASK_STATUSES)[number];

/** Most leads one scrape task may ask for. */
export const MAX_LEAD_TASK_TOTAL = 500;

/**
 * A scrape task as stored: what was asked, where it stands, and the lease of the process running it.
 * `cursor` is the source's resume state after the last stored result.
 */
export interface LeadTask {
  id: string;
  user_id: string;
  query: string;
  /** How many leads were asked for. */
  total: number;
  /** The source that ran it (`openstreetmap`, ...); null until it starts. */
  source: string | null;
  status: LeadTaskStatus;
  /** Candidates the source returned. */
  found: number;
  /** Candidates stored as new leads. */
  saved: number;
  /** Candidates merged into a lead the user already had (same phone). */
  merged: number;
  /** Candidates not stored: unusable, or a lead this task already had. */
  skipped: number;
  error: string | null;
  cursor: string | null;
  /** The process holding the task while it runs, and until when; a lapsed lease lets another process resume it. */
  lease_owner: string | null;
  lease_expires_at: string | null;
  /** How many times a process has claimed it. */
  attempts: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
}

/** The fields a task runner changes while it holds the task. */
export type LeadTaskChanges = Partial<
  Pick<
    LeadTask,
    | 'source'
    | 'status'
    | 'found'
    | 'saved'
    | 'merged'
    | 'skipped'
    | 'error'
    | 'cursor'
    | 'lease_owner'
    | 'lease_expires_at'
    | 'finished_at'
    | 'updated_at'
  >
>;

/** A task as the API shows it. */
export interface LeadTaskView {
  task_id: string;
  user_id: string;
  query: string;
  total: number;
  source: string | null;
  status: LeadTaskStatus;
  progress: { found: number; saved: number; merged: number; skipped: number; results: number; percent: number };
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
}

/** A task with the leads it found so far (new and merged), in the order found. */
export interface LeadTaskDetail extends LeadTaskView {
  results: Lead[];
}

/** `POST /leads/scrape` (and `/scrape/async`): `query` like `kopi di Bandung`, `total` 1..500 (default 20). */
export const scrapeLeadsSchema = z.object({
  query: z.string().trim().min(1).max(300),
  total: z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1)
    .max(MAX_LEAD_TASK_TOTAL)
    .default(20),
  /** Honoured only for admins acting for another user. */
  user_id: z.uuid().optional(),
});
/** The scrape routes' input, before validation. */
export type ScrapeLeadsInput = z.input<typeof scrapeLeadsSchema>;

/** `GET /leads/tasks`: paging and an optional status. */
export const listLeadTasksSchema = z.object({
  status: z.preprocess((v) => (v === '' ? undefined : v), z.enum(LEAD_TASK_STATUSES).optional()),
  ...pageSchema.shape,
});
/** The task list's query, before validation. */
export type ListLeadTasksInput = z.input<typeof listLeadTasksSchema>;

/** What the configured lead source answered to `GET /leads/scraper-health`. */
export interface LeadSourceStatus {
  source: string;
  ok: boolean;
  detail: string;
  checked_at: string;
}
