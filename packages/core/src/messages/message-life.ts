import { isDeepStrictEqual } from 'node:util';
import { isGroupJid } from '../contacts/phone.js';
import type { MessageUpdate } from '../transport/transport.js';
import type { Message } from './message-schemas.js';

/**
 * Whether `update` changes `message`: made by someone who may make it, and not applied already (WhatsApp delivers
 * again what it thinks was not acknowledged, with the same time, and a repeat must not be announced twice).
 */
export function takesEffect(message: Message, update: MessageUpdate): boolean {
  return mayChange(message, update) && !isDeepStrictEqual(inOrder(messageLifeAfter(message, update)), inOrder(message));
}

/** A message's life with its reactions and votes in one order (a member's goes last when they change it). */
function inOrder(message: MessageLife): MessageLife {
  const by =
    <T>(key: (item: T) => string) =>
    (a: T, b: T) =>
      key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
  return {
    ...lifeOf(message),
    reactions: message.reactions.toSorted(by((r) => r.from)),
    poll_votes: message.poll_votes.toSorted(by((v) => v.voter)),
  };
}

/** What updates change of a message. */
function lifeOf({ text, reactions, poll_votes, edited_at, revoked_at }: MessageLife): MessageLife {
  return { text, reactions, poll_votes, edited_at, revoked_at };
}

/**
 * Whether `update` may change `message`, as WhatsApp's apps decide: anyone in its chat reacts, a vote counts only
 * once decrypted under its voter's address, only its author edits it, and only its author (or in a group an admin:
 * membership is not known here) deletes it for everyone. WhatsApp's servers check none of this, since changes are
 * end-to-end encrypted: a chat member can name any message id, and apps ignore a change its author did not make.
 */
function mayChange(message: Message, update: MessageUpdate): boolean {
  if (update.kind === 'reaction' || update.kind === 'poll_vote') return true;
  if (update.kind === 'revoke' && isGroupJid(message.chat) && update.chat === message.chat) return true;
  return madeByAuthor(message, update);
}

/** Whether `update` comes from whoever wrote `message`: the linked account for its own, else its sender by any address. */
function madeByAuthor(message: Message, update: MessageUpdate): boolean {
  if (message.direction === 'out' || update.fromMe) return message.direction === 'out' && update.fromMe;
  const addresses = [message.sender ?? message.chat, message.peer_lid];
  return addresses.includes(update.from) || (update.fromPhone !== null && update.fromPhone === message.peer_phone);
}

/** What a {@link MessageUpdate} changes of a stored message. */
export type MessageLife = Pick<Message, 'text' | 'reactions' | 'poll_votes' | 'edited_at' | 'revoked_at'>;

/**
 * A message's text, reactions, votes, edit and delete times once `update` is applied: a member's reaction or vote
 * replaces their earlier one (an empty emoji removes theirs), an edit replaces the text, a delete for everyone
 * only marks the message (its text stays: the stored copy is the user's own record). Storage adapters share it.
 */
export function messageLifeAfter(message: Message, update: MessageUpdate): MessageLife {
  const life = lifeOf(message);
  const { reactions, poll_votes } = life;
  const at = update.at.toISOString();
  switch (update.kind) {
    case 'reaction': {
      const others = reactions.filter((r) => r.from !== update.from);
      const mine = update.emoji ? [{ from: update.from, phone: update.fromPhone, emoji: update.emoji, at }] : [];
      return { ...life, reactions: [...others, ...mine] };
    }
    case 'poll_vote': {
      const others = poll_votes.filter((v) => v.voter !== update.from);
      const vote = { voter: update.from, phone: update.fromPhone, selected: update.selected, at };
      return { ...life, poll_votes: [...others, vote] };
    }
    case 'edit':
      return { ...life, text: update.text, edited_at: at };
    case 'revoke':
      return { ...life, revoked_at: at };
  }
}
