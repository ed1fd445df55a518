import { z } from 'zod';
import { dateInput, looseBoolean } from '../validation.js';

/** An announcement shown to every user of the gateway. */
export interface Announcement {
  id: string;
  title: string;
  message: string;
  type: AnnouncementType;
  is_active: boolean;
  starts_at: string | null;
  expires_at: string | null;
  created_at: string;
  updated_at: string;
}

export const ANNOUNCEMENT_TYPES = ['info', 'warning', 'maintenance', 'promo', 'update'] as const;
export type AnnouncementType = (typeof ANNOUNCEMENT_TYPES)[number];

const fields = {
  title: z.string().trim().min(1).max(200),
  message: z.string().trim().min(1).max(5000),
  type: z.enum(ANNOUNCEMENT_TYPES),
  is_active: looseBoolean,
  starts_at: dateInput.nullable(),
  expires_at: dateInput.nullable(),
};

const window = (value: { starts_at?: Date | null; expires_at?: Date | null }) =>
  !value.starts_at || !value.expires_at || value.starts_at < value.expires_at;
const windowError = { message: 'must be after starts_at', path: ['expires_at'] };

export const createAnnouncementSchema = z
  .object({
    ...fields,
    type: fields.type.default('info'),
    is_active: fields.is_active.default(true),
    starts_at: fields.starts_at.optional(),
    expires_at: fields.expires_at.optional(),
  })
  .refine(window, windowError);
export type CreateAnnouncementInput = z.input<typeof createAnnouncementSchema>;

export const updateAnnouncementSchema = z.object(fields).partial().refine(window, windowError);
export type UpdateAnnouncementInput = z.input<typeof updateAnnouncementSchema>;
