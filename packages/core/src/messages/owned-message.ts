import type { Actor } from '../actor.js';
import { KirimError } from '../errors.js';
import type { Storage } from '../storage/storage.js';
import type { Message } from './message-schemas.js';

/**
 * The message stored in one of the caller's sessions under WhatsApp id `messageId` (the newest, where two sessions
 * of theirs hold it); `not_found` naming `message_id` for another user's or an unknown one.
 */
export async function ownedMessage(
  storage: Storage,
  actor: Actor,
  messageId: string,
): Promise<Message & { session_id: string }> {
  const message = await storage.messages.findOwned(actor.userId, messageId);
  if (!message?.session_id)
    throw new KirimError('not_found', 'Message not found', {
      details: { message_id: ['is not a message of your sessions'] },
    });
  return { ...message, session_id: message.session_id };
}
