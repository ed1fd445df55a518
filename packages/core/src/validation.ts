import { z } from 'zod';
import { KirimError, type FieldErrors } from './errors.js';
import type { Range, Slice } from './storage/storage.js';

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

/**
 * Collects a zod error's issues by dotted field path: an unknown key is named itself (`nested.key`), and
 * an issue about the whole input (an array or a string where an object belongs) is named `root`, default `body`.
 */
export function fieldErrors(error: z.ZodError, root = 'body'): FieldErrors {
  // A Map, not an object: a field named `__proto__` must become a key, not reach Object.prototype.
  const details = new Map<string, string[]>();
  const add = (path: PropertyKey[], reason: string) => {
    // An empty key is shown as "" so that it is still named.
    const field = path.length > 0 ? path.map((key) => String(key) || '""').join('.') : root;
    details.set(field, [...(details.get(field) ?? []), reason]);
  };
  for (const issue of error.issues) {
    if (issue.path.length === 0 && issue.code === 'invalid_type') {
      // The input is not even the right shape: the refinements that ran on it anyway only add noise.
      return { [root]: [`must be a JSON ${issue.expected}`] };
    }
    if (issue.code === 'unrecognized_keys') for (const key of issue.keys) add([...issue.path, key], 'unknown field');
    else add(issue.path, issue.message);
  }
  return Object.fromEntries(details);
}

/** A `validation` error for the given fields, with a message naming them. */
export function validationError(details: FieldErrors): KirimError {
  const fields = Object.keys(details);
  return new KirimError('validation', fields.length > 0 ? `Invalid ${fields.join(', ')}` : 'Invalid input', {
    details,
  });
}

/** Paging query shared by every list: `page` from 1, `per_page` at most 100. */
export const pageSchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  per_page: z.coerce.number().int().min(1).max(100).default(20),
});

/** A list's free-text search: trimmed, at most 200 characters. */
export const searchText = z.string().trim().max(200).optional();

/** The query of a list of records that can be switched off: `search`, its own `filters`, `is_active`, paging. */
export function listQuerySchema<S extends z.ZodRawShape>(filters: S) {
  return z.object({ search: searchText, ...filters, is_active: looseBoolean.optional(), ...pageSchema.shape });
}

/** A record's writable `fields`, each given a default where `defaults` names one. */
type WithDefaults<F extends Record<string, z.ZodType>, D> = {
  [K in keyof F]: K extends keyof D ? z.ZodDefault<F[K]> : F[K];
};

/**
 * The create and update schemas of a record's writable `fields`: `create` takes them all, those named in `defaults`
 * optional with that default; `update` takes any of them and defaults none (an update changes only what it names).
 */
export function writeSchemas<F extends Record<string, z.ZodType>, D extends { [K in keyof F]?: z.output<F[K]> }>(
  fields: F,
  defaults: D,
) {
  const withDefaults: Record<string, z.ZodType> = { ...fields };
  for (const [key, value] of Object.entries(defaults)) withDefaults[key] = withDefaults[key].default(value);
  return { create: z.object(withDefaults as WithDefaults<F, D>), update: z.object(fields).partial() };
}

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

/** Reads the page `query` asks for: `read` gets its rows' range, the answer says which page it is. */
export async function readPage<T>(query: PageQuery, read: (range: Range) => Promise<Slice<T>>): Promise<Page<T>> {
  const slice = await read({ limit: query.per_page, offset: (query.page - 1) * query.per_page });
  return { ...slice, page: query.page, perPage: query.per_page };
}

/** A refinement: exactly one of the fields `a` and `b` is given; otherwise it names both. */
export function exactlyOneOf<K extends string>(a: K, b: K) {
  return (value: Partial<Record<K, unknown>>, ctx: z.RefinementCtx): void => {
    if (!value[a] === !value[b]) {
      const message = value[a] ? `give ${a} or ${b}, not both` : `${a} or ${b} is required`;
      ctx.addIssue({ code: 'custom', message, path: [a] });
      ctx.addIssue({ code: 'custom', message, path: [b] });
    }
  };
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

// YYYY-MM-DD, optionally with a time (`T` or a space), seconds, a fraction and an offset: what `new Date` reads
// the same way everywhere. It also reads `1` (2001) or `March 7`, and rolls 30 February over to 2 March.
const ISO_DATE =
  /^(\d{4,})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:[Zz]|[+-](\d{2}):?(\d{2}))?)?$/;
const DATE_FORMAT = 'must be an ISO-8601 date or timestamp (YYYY-MM-DD, optionally with a time and offset)';
const FIRST_YEAR = 1970;
const LAST_YEAR = 9999;
const YEARS = `must be a year from ${FIRST_YEAR} to ${LAST_YEAR}`;
// Bounds of the instant too: an offset can carry a time on 1 January 1970 back into 1969.
const EARLIEST = new Date(Date.UTC(FIRST_YEAR, 0, 1));
const LATEST = new Date(Date.UTC(LAST_YEAR, 11, 31, 23, 59, 59, 999));

/** Why `text` is not a date that exists between 1970 and 9999, or undefined when it is one. */
function impossibleDate(text: string): string | undefined {
  const match = ISO_DATE.exec(text);
  if (!match) return DATE_FORMAT;
  const [year, month, day, hour = 0, minute = 0, second = 0, offsetHours = 0, offsetMinutes = 0] = match
    .slice(1)
    .map((part) => Number(part ?? 0));
  if (year < FIRST_YEAR || year > LAST_YEAR) return YEARS;
  // Day 0 of the next month is the last day of this one (in UTC, so no time zone shifts it).
  const daysInMonth = month >= 1 && month <= 12 ? new Date(Date.UTC(year, month, 0)).getUTCDate() : 0;
  if (daysInMonth === 0 || day < 1 || day > daysInMonth) return `is not a day of the calendar (${text.slice(0, 10)})`;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return 'is not a time of day';
  return undefined;
}

/** An ISO-8601 timestamp (with or without offset) or plain date of a real day from 1970 to 9999, parsed to a Date. */
export const dateInput = z.preprocess(
  (value, ctx) => {
    if (value instanceof Date) return value;
    if (typeof value !== 'string' || value.trim() === '') return value;
    const text = value.trim();
    const reason = impossibleDate(text);
    if (reason) {
      ctx.addIssue({ code: 'custom', message: reason, input: value });
      return z.NEVER;
    }
    return new Date(text);
  },
  z.date({ error: DATE_FORMAT }).min(EARLIEST, YEARS).max(LATEST, YEARS),
);
