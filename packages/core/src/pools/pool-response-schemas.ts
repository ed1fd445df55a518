import { z } from 'zod';
import { sendLimitsSchema } from '../outbox/send-limits.js';
import { maybeText, maybeTimestamp, recordTimes } from '../response-fields.js';
import type { PoolView } from './pool-schemas.js';

/** A send pool with each member's live health. */
export const poolViewSchema = z.object({
  id: z.string(),
  user_id: z.string(),
  name: z.string(),
  strategy: z.enum(['round_robin']),
  settings: sendLimitsSchema,
  session_ids: z.array(z.string()),
  members: z.array(
    z.object({
      session_id: z.string(),
      name: z.string(),
      status: z.string(),
      phone: maybeText,
      healthy: z.boolean(),
      circuit_open_until: maybeTimestamp,
    }),
  ),
  ...recordTimes,
}) satisfies z.ZodType<PoolView>;
