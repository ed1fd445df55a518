import { z } from 'zod';
import { contactSchema } from '../contacts/contact-response-schemas.js';
import { count, maybeText, recordTimes } from '../response-fields.js';
import type { ContactGroup } from './contact-group-schemas.js';

/** A contact group as the API answers it. */
export const contactGroupSchema = z.object({
  id: z.uuid(),
  user_id: z.uuid(),
  name: z.string(),
  description: maybeText,
  color: z.string().meta({ example: '#2196F3' }),
  is_active: z.boolean(),
  contacts_count: count,
  ...recordTimes,
}) satisfies z.ZodType<ContactGroup>;

/** `POST /contact-groups/{id}/contacts`: how many were added, and the group after. */
export const groupContactsAddedSchema = z.object({ added: count, group: contactGroupSchema });

/** `DELETE /contact-groups/{id}/contacts`: how many were removed, and the group after. */
export const groupContactsRemovedSchema = z.object({ removed: count, group: contactGroupSchema });

/** `POST /contact-groups/{id}/personalized-preview`: each member with the message rendered for it. */
export const personalizedPreviewResultSchema = z.array(z.object({ contact: contactSchema, message: z.string() }));
