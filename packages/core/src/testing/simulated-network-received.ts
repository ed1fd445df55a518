import type {
  IncomingMedia,
  MessageUpdate,
  OutgoingContent,
  OutgoingMedia,
  StructuredContent,
} from '../transport/transport.js';

/** A vote on a poll as it travels the simulated network: the option names chosen (WhatsApp's are encrypted). */
export interface PollVoteContent {
  kind: 'poll_vote';
  messageId: string;
  selected: string[];
}

/** A change to a message already there, as it travels the network: a reaction, an edit, a delete or a poll vote. */
export type WireAction = Extract<OutgoingContent, { kind: 'reaction' | 'edit' | 'revoke' }> | PollVoteContent;

/** Whether content changes another message rather than being one. */
export function isAction(content: { kind: string }): content is WireAction {
  return ['reaction', 'edit', 'revoke', 'poll_vote'].includes(content.kind);
}

/** A received message's media as a session is told of it: WhatsApp's description; the bytes stay on the network. */
export function incomingMedia(content: OutgoingContent): IncomingMedia | null {
  if (content.kind !== 'media') return null;
  const { mimetype, data, filename, seconds }: OutgoingMedia = content.media;
  return { mimetype, size: data.length, filename: filename ?? null, seconds: seconds ?? null };
}

/** A received location's, contact cards' or poll's fields as a session is told of them; null for other kinds. */
export function incomingContent(content: OutgoingContent): StructuredContent | null {
  return content.kind === 'location' || content.kind === 'contacts' || content.kind === 'poll' ? content : null;
}

/** Who made a change and where, as the session of a recipient is told. */
export type ChangeOrigin = Pick<MessageUpdate, 'chat' | 'from' | 'fromPhone' | 'fromMe' | 'at'>;

/** The change an action makes, as a linked session is told of it. */
export function messageUpdate(action: WireAction, origin: ChangeOrigin): MessageUpdate {
  const { messageId } = action;
  switch (action.kind) {
    case 'reaction':
      return { ...origin, messageId, kind: 'reaction', emoji: action.emoji };
    case 'edit':
      return { ...origin, messageId, kind: 'edit', text: action.text };
    case 'revoke':
      return { ...origin, messageId, kind: 'revoke' };
    case 'poll_vote':
      return { ...origin, messageId, kind: 'poll_vote', selected: action.selected };
  }
}
