import { z } from 'zod';
import { maybeTimestamp, recordTimes, timestamp } from '../response-fields.js';
import type { GeneratedToken } from './account-service.js';
import type { ApiTokenView, User } from './account-schemas.js';

/** A user as the API answers it. */
export const userSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string(),
  role: z.enum(['user', 'admin']),
  plan: z.enum(['free', 'supporter']),
  plan_expires_at: maybeTimestamp,
  ...recordTimes,
}) satisfies z.ZodType<User>;

/** An API token as listed: masked (its prefix only), never the hash. */
export const apiTokenViewSchema = z.object({
  id: z.string(),
  user_id: z.uuid(),
  name: z.string(),
  token: z.string().meta({ description: 'The masked token: its prefix only' }),
  created_at: timestamp,
  expired_at: maybeTimestamp,
  last_used_at: maybeTimestamp,
}) satisfies z.ZodType<ApiTokenView>;

/** A token just generated: the only answer that holds its plaintext. */
export const generatedTokenSchema = apiTokenViewSchema.extend({
  token: z.string().meta({ description: 'The plaintext token: shown only in this answer' }),
}) satisfies z.ZodType<GeneratedToken>;
