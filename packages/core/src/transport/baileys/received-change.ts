import type { proto } from 'baileys';
import type { BaileysModule } from './baileys-module.js';
import { visibleContent } from './message-mapping.js';

/** What a received message changes in the message it names; a poll vote is still encrypted. */
export type Change =
  | { kind: 'reaction'; emoji: string }
  | { kind: 'edit'; text: string }
  | { kind: 'revoke' }
  | { kind: 'poll_vote'; vote: proto.Message.IPollUpdateMessage };

/** A change and the id of the message it is made to. */
export interface ReceivedChange {
  messageId: string;
  change: Change;
}

/**
 * The change a received message makes to another (a reaction, an edit, a delete for everyone, a poll vote),
 * or null when it is a message of its own. Baileys 7 (rc14) also emits edits and revokes as `messages.update`,
 * derived from these same messages: they are read here, from `messages.upsert`, once.
 */
export function changeOf(baileys: BaileysModule, message: proto.IMessage | null | undefined): ReceivedChange | null {
  const content = baileys.normalizeMessageContent(message);
  const reaction = content?.reactionMessage;
  if (reaction?.key?.id)
    return { messageId: reaction.key.id, change: { kind: 'reaction', emoji: reaction.text ?? '' } };
  const vote = content?.pollUpdateMessage;
  if (vote?.pollCreationMessageKey?.id)
    return { messageId: vote.pollCreationMessageKey.id, change: { kind: 'poll_vote', vote } };
  const protocol = content?.protocolMessage;
  const messageId = protocol?.key?.id;
  if (!protocol || !messageId) return null;
  const { Type } = baileys.proto.Message.ProtocolMessage;
  if (protocol.type === Type.REVOKE) return { messageId, change: { kind: 'revoke' } };
  if (protocol.type === Type.MESSAGE_EDIT)
    return { messageId, change: { kind: 'edit', text: visibleContent(baileys, protocol.editedMessage)?.text ?? '' } };
  return null;
}
