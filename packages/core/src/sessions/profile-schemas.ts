import { z } from 'zod';
import type { ContactProfile, NumberCheck } from '../transport/transport.js';

/** Most phone numbers one number check asks about: 50. */
export const MAX_NUMBER_CHECKS = 50;

/** `POST …/check-numbers`: 1 to 50 phone numbers, any spelling (`phone` is the project's phone schema). */
export const checkNumbersSchema = (phone: z.ZodType<string>) =>
  z.object({ phones: z.array(phone).min(1).max(MAX_NUMBER_CHECKS) }).strict();

/** `PATCH …/profile`: the linked account's own name (WhatsApp's 25 characters), about text (139) and picture. */
export const ownProfileSchema = z
  .object({
    name: z.string().trim().min(1).max(25).optional(),
    about: z.string().max(139).optional(),
    picture_url: z
      .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
      .max(2000)
      .optional(),
  })
  .strict()
  .refine((value) => Object.keys(value).length > 0, { message: 'name, about or picture_url is required' });

/** What `PATCH …/profile` takes. */
export type OwnProfileInput = z.input<typeof ownProfileSchema>;

/** A number check as the API answers it. */
export type NumberCheckView = NumberCheck;

/** A contact's public profile as the API answers it. */
export interface ContactProfileView {
  phone: string;
  jid: string;
  picture_url: string | null;
  about: string | null;
  business: ContactProfile['business'];
}

/** A blocked user as the API lists it. */
export interface BlockedView {
  /** Digits, or null for a user known only by LID. */
  phone: string | null;
  jid: string;
}
