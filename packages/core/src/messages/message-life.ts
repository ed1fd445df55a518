import type { MessageUpdate } from '../transport/transport.js';
import type { Message } from './message-schemas.js';

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
