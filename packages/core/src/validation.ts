import { z } from 'zod';
import { KirimError, type FieldErrors } from './errors.js';

/**
 * Validates `input` against `schema`, returning the parsed value or throwing one `validation`
 * KirimError that names every offending field by its wire name (`contacts.2.phone`).
 */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {}, { error: requiredMessage });
  if (result.success) return result.data;
  throw validationError(fieldErrors(result.error));
}

// zod's default for a missing field ("expected string, received undefined") reads like a type error.
const requiredMessage = (issue: { code?: string; input?: unknown }) =>
  issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined;

/** Collects a zod error's issues by dotted field path; issues without a path go under `_`. */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const details: FieldErrors = {};
  for (const issue of error.issues) {
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '_';
    (details[field] ??= []).push(issue.message);
  }
  return details;
}

/** A `validation` error for the given fields, with a message naming them. */
export function validationError(details: FieldErrors): KirimError {
  const fields = Object.keys(details).filter((f) => f !== '_');
  const message = fields.length > 0 ? `Invalid ${fields.join(', ')}` : (details._?.[0] ?? 'Invalid input');
  return new KirimError('validation', message, { details });
}

/** Paging query shared by every list: `page` from 1, `per_page` at most 100. */
export const pageSchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  per_page: z.coerce.number().int().min(1).max(100).default(20),
});

/** The paging part of a list query, parsed. */
export type PageQuery = z.output<typeof pageSchema>;

/** A page of records with the total they were cut from. */
export interface Page<T> {
  items: T[];
  total: number;
  /** There are at least `total` items (broad searches stop counting at a cap). */
  totalIsLowerBound?: boolean;
  page: number;
  perPage: number;
}

/** Accepts `true/false`, `1/0`, `"true"/"false"`, `"1"/"0"`, `"yes"/"no"`, as query strings and forms send them. */
export const looseBoolean = z.preprocess((value) => {
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(v)) return true;
    if (['false', '0', 'no', 'off', ''].includes(v)) return false;
  }
  if (value === 1) return true;
  if (value === 0) return false;
  return value;
}, z.boolean());

/** An ISO-8601 timestamp (with or without offset) or plain date, parsed to a Date. */
export const dateInput = z.preprocess((value) => {
  if (value instanceof Date) return value;
  if (typeof value !== 'string' || value.trim() === '') return value;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date;
}, z.date({ error: 'must be an ISO-8601 date or timestamp' }));
