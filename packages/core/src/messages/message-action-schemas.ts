import { z } from 'zod';
import { always, chat, mentionJid, oneChat, text } from '../outbox/outbox-schemas.js';

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
// Emoji as Unicode lists them for keyboards (skin tones, families, flags, keycaps), and a lone pictograph
// written without its emoji presentation selector (`❤` for `❤️`), as many keyboards still type it.
const RGI_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');
const PICTOGRAPH = /^\p{Extended_Pictographic}\uFE0F?$/u;

/** Whether `value` is exactly one emoji: one grapheme cluster that Unicode calls an emoji. */
export function isOneEmoji(value: string): boolean {
  let count = 0;
  for (const _ of graphemes.segment(value)) if (++count > 1) return false;
  return count === 1 && (RGI_EMOJI.test(value) || PICTOGRAPH.test(value));
}

/** A reaction: one `emoji`, or `""` to remove the caller's reaction. */
export const reactionSchema = z.strictObject({
  emoji: z.string().refine((emoji) => emoji === '' || isOneEmoji(emoji), 'must be one emoji, or "" to remove it'),
});

/** A reply: the text `message`, quoting the message, to its chat; optional `mentions`. */
export const replySchema = z.strictObject({ message: text, mentions: z.array(mentionJid).max(1024).default([]) });

/** An edit: the own text message's new `message`. */
export const editSchema = z.strictObject({ message: text });

/** A forward: to a user (`to`) or a group (`group_id`). */
export const forwardSchema = (cc: string) => z.strictObject(chat(cc)).superRefine(oneChat, always);

/** A read: no fields. */
export const readSchema = z.strictObject({});

/** A delete's query: `for=everyone` (the default; a revoke sent to the chat) or `for=me` (only the stored copy). */
export const deleteMessageSchema = z.strictObject({ for: z.enum(['everyone', 'me']).default('everyone') });

/** What the actions on a message take, for default country code `cc`, by request name. */
export function messageActionSchemas(cc: string) {
  return {
    messageReaction: reactionSchema,
    messageReply: replySchema,
    messageEdit: editSchema,
    messageForward: forwardSchema(cc),
    messageRead: readSchema,
    messageDelete: deleteMessageSchema,
  };
}
