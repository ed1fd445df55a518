import { z } from 'zod';

// Building blocks of the response schemas (documentation of what the API answers, checked against real answers).

/** A timestamp as every answer writes it: ISO-8601 UTC. */
export const timestamp = z.iso.datetime({ offset: true });

/** A timestamp, or null when the moment has not come (or is unknown). */
export const maybeTimestamp = timestamp.nullable();

/** Optional text a record keeps as null when absent. */
export const maybeText = z.string().nullable();

/** A whole number: a count, an index, a number of attempts. */
export const count = z.number().int();

/** When a stored record was created and last changed: the two timestamps every record has (see freshRecord). */
export const recordTimes = { created_at: timestamp, updated_at: timestamp };
