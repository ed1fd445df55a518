import { z } from 'zod';
import { sendLimitsSchema, type SendLimits } from '../outbox/send-limits.js';

/** A send pool (rotator): sends routed to it go out through one healthy member device each. */
export interface Pool {
  id: string;
  user_id: string;
  name: string;
  strategy: 'round_robin';
  /** Send limits for members in this pool (a session's own settings win). */
  settings: Partial<SendLimits>;
  session_ids: string[];
  created_at: string;
  updated_at: string;
}

/** A pool with each member's live health, as the API shows it. */
export interface PoolView extends Pool {
  members: Array<{
    session_id: string;
    name: string;
    status: string;
    phone: string | null;
    healthy: boolean;
    circuit_open_until: string | null;
  }>;
}

const sessionIds = z.array(z.string().trim().min(1).max(200)).max(100);

export const createPoolSchema = z.object({
  name: z.string().trim().min(1).max(100),
  session_ids: sessionIds.default([]),
  strategy: z.enum(['round_robin']).default('round_robin'),
  settings: sendLimitsSchema.default({}),
});
export type CreatePoolInput = z.input<typeof createPoolSchema>;

export const updatePoolSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    session_ids: sessionIds,
    strategy: z.enum(['round_robin']),
    settings: sendLimitsSchema,
  })
  .partial();
export type UpdatePoolInput = z.input<typeof updatePoolSchema>;

export const poolMembersSchema = z.object({ session_ids: sessionIds.min(1) });
