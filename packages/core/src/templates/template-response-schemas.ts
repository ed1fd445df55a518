import { z } from 'zod';
import { maybeText, recordTimes } from '../response-fields.js';
import { MESSAGE_TYPES, type Template } from './template-schemas.js';

/** A template as the API answers it. */
export const templateSchema = z.object({
  id: z.uuid(),
  user_id: z.uuid(),
  name: z.string(),
  content: z.string(),
  message_type: z.enum(MESSAGE_TYPES),
  media_url: maybeText,
  caption: maybeText,
  is_active: z.boolean(),
  placeholders: z.array(z.string()),
  ...recordTimes,
}) satisfies z.ZodType<Template>;
