import { z } from 'zod';
import { dateInput } from '../validation.js';

/** A user of the gateway, as stored and returned. */
export interface User {
  id: string;
  name: string;
  email: string;
  role: 'user' | 'admin';
  plan: 'free' | 'supporter';
  plan_expires_at: string | null;
  created_at: string;
  updated_at: string;
}

/** An API token as stored: only its hash and a short prefix for display are kept. */
export interface ApiToken {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  token_prefix: string;
  created_at: string;
  expired_at: string | null;
  last_used_at: string | null;
}

/** An API token as listed: masked, never the hash. */
export interface ApiTokenView {
  id: string;
  user_id: string;
  name: string;
  token: string;
  created_at: string;
  expired_at: string | null;
  last_used_at: string | null;
}

const role = z.enum(['user', 'admin']);
const plan = z.enum(['free', 'supporter']);

export const createUserSchema = z.object({
  name: z.string().trim().min(1).max(200),
  email: z
    .email()
    .max(320)
    .transform((e) => e.toLowerCase()),
  role: role.default('user'),
  plan: plan.default('free'),
  plan_expires_at: dateInput.nullable().optional(),
});
export type CreateUserInput = z.input<typeof createUserSchema>;

export const updateUserSchema = createUserSchema.partial().strict();
export type UpdateUserInput = z.input<typeof updateUserSchema>;

export const generateTokenSchema = z.object({
  name: z.string().trim().min(1).max(200),
  expires_in_days: z.coerce.number().int().min(1).max(3650).optional(),
  user_id: z.uuid().optional(),
});
export type GenerateTokenInput = z.input<typeof generateTokenSchema>;

export const listTokensSchema = z.object({ user_id: z.uuid().optional() });
export type ListTokensInput = z.input<typeof listTokensSchema>;

export const revokeTokenSchema = z.object({ id: z.string().min(1), user_id: z.uuid().optional() });
export type RevokeTokenInput = z.input<typeof revokeTokenSchema>;
