import { z } from 'zod';
import { maybeTimestamp, recordTimes } from '../response-fields.js';
import { ANNOUNCEMENT_TYPES, type Announcement } from './announcement-schemas.js';

/** An announcement as the API answers it. */
export const announcementSchema = z.object({
  id: z.string(),
  title: z.string(),
  message: z.string(),
  type: z.enum(ANNOUNCEMENT_TYPES),
  is_active: z.boolean(),
  starts_at: maybeTimestamp,
  expires_at: maybeTimestamp,
  ...recordTimes,
}) satisfies z.ZodType<Announcement>;
