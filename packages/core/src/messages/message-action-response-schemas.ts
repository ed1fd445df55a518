import { z } from 'zod';
import type { StoredCopyRemoved } from './message-actions.js';

/** What `DELETE /whatsapp/messages/{messageId}?for=me` answers: the stored copy is deleted, nothing was sent. */
export const storedCopyRemovedSchema = z.object({
  message_id: z.string(),
  deleted_for: z.literal('me'),
}) satisfies z.ZodType<StoredCopyRemoved>;
