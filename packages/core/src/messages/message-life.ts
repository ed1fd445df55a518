import type { MessageUpdate } from '../transport/transport.js';
import type { Message } from './message-schemas.js';

/**
 * Whether `update` may change `message`, as WhatsApp's apps decide: anyone in its chat reacts, a vote counts only
 * once decrypted under its voter's address, only its author edits it, and only its author (or in a group an admin:
 * membership is not known here) deletes it for everyone. WhatsApp's servers check none of this, since changes are
 * end-to-end encrypted: a chat member can name any message id, and apps ignore a change its author did not make.
 */
export function mayChange(message: Message, update: MessageUpdate): boolean {
  if (update.kind === 'reaction' || update.kind === 'poll_vote') return true;
  if (update.kind === 'revoke' && message.chat.endsWith('@g.us') && update.chat === message.chat) return true;
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
  const { text, reactions, poll_votes, edited_at, revoked_at } = message;
  const life: MessageLife = { text, reactions, poll_votes, edited_at, revoked_at };
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
