import type { Clock } from '../clock.js';
import { isGroupJid } from '../contacts/phone.js';
import type { Logger } from '../logger.js';
import type { Message } from '../messages/message-schemas.js';
import type { Storage } from '../storage/storage.js';

/** Why a bulk message to a recipient who opted out is cancelled. */
export const OPTED_OUT = 'opted_out: the recipient replied to stop';

/** Replies that opt a recipient out of a user's bulk sends, compared without case or surrounding punctuation. */
export const DEFAULT_OPT_OUT_WORDS = ['STOP', 'UNSUBSCRIBE', 'BERHENTI'];

/**
 * The incoming-message hook of the opt-out list: a recipient who replies an opt-out word is never
 * messaged again by the user's bulk jobs, and their still-queued bulk messages are cancelled.
 */
export function createOptOutHook(deps: { storage: Storage; clock: Clock; logger: Logger; words?: string[] }) {
  const words = new Set((deps.words ?? DEFAULT_OPT_OUT_WORDS).map((w) => w.trim().toUpperCase()));
  return async (message: Message): Promise<void> => {
    const reply = message.text
      ?.trim()
      .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '')
      .toUpperCase();
    if (!reply || !words.has(reply) || !message.peer_phone || isGroupJid(message.chat)) return;
    const at = deps.clock.now().toISOString();
    await deps.storage.optOuts.add(message.user_id, message.peer_phone, `replied ${reply}`, at);
    const cancelled = await deps.storage.outbox.cancelForRecipient(message.user_id, message.peer_phone, OPTED_OUT, at);
    deps.logger.info({ user: message.user_id, cancelled }, 'a recipient opted out of bulk sends');
  };
}
