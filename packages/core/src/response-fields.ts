import { z } from 'zod';

// Building blocks of the response schemas (documentation of what the API answers, checked against real answers).

/** A timestamp as every answer writes it: ISO-8601 UTC. */
export const timestamp = z.iso.datetime({ offset: true });

/** A timestamp, or null when the moment has not come (or is unknown). */
export const maybeTimestamp = timestamp.nullable();

/** Optional text a record keeps as null when absent. */
export const maybeText = z.string().nullable();
