import { createHash } from 'node:crypto';
import type { proto, WAMessage } from 'baileys';
import type { BaileysModule } from './baileys-module.js';
import type { SenderAddress } from './message-mapping.js';
import { pollCreationOf } from './received-content.js';

/** What decrypting a vote needs: the vote, the poll it is on (as stored) and both addresses of its creator and voter. */
export interface PollVoteInput {
  baileys: BaileysModule;
  vote: proto.Message.IPollUpdateMessage;
  /** The poll creation message, as stored when it was sent or received. */
  poll: WAMessage;
  creator: SenderAddress;
  voter: SenderAddress;
}

/** The JIDs an account may be named by: its LID and its phone number's, as known. */
function jidsOf(address: SenderAddress): string[] {
  return [address.lid, address.phone ? `${address.phone}@s.whatsapp.net` : null].filter((jid) => jid !== null);
}

/**
 * The option names a poll vote selects (in the poll's order; none when the vote was withdrawn), or undefined
 * when it cannot be read: the poll has no secret, or no pair of creator and voter JIDs decrypts it.
 *
 * The vote's key is derived from the poll's secret, its id and the creator's and voter's JIDs, and WhatsApp
 * clients have used phone JIDs, LIDs, and a LID for one and a phone JID for the other (see
 * WhiskeySockets/Baileys#2342 and tulir/whatsmeow#1217): each pair is tried. AES-GCM authenticates, so only the
 * right pair decrypts.
 */
export function decryptedVote({ baileys, vote, poll, creator, voter }: PollVoteInput): string[] | undefined {
  const content = baileys.normalizeMessageContent(poll.message);
  const pollEncKey = poll.message?.messageContextInfo?.messageSecret ?? content?.messageContextInfo?.messageSecret;
  const pollMsgId = vote.pollCreationMessageKey?.id;
  const encrypted = vote.vote;
  if (!pollEncKey || !pollMsgId || !encrypted?.encPayload || !encrypted.encIv) return undefined;
  for (const pollCreatorJid of jidsOf(creator)) {
    for (const voterJid of jidsOf(voter)) {
      let selected: Uint8Array[];
      try {
        selected = baileys.decryptPollVote(encrypted, {
          pollEncKey,
          pollMsgId,
          pollCreatorJid,
          voterJid,
        }).selectedOptions;
      } catch {
        continue;
      }
      return optionNames(content, selected);
    }
  }
  return undefined;
}

/** A vote names options by the SHA-256 of their names: the poll's options, in its order, whose hash was chosen. */
function optionNames(poll: proto.IMessage | undefined, selected: Uint8Array[]): string[] {
  const chosen = new Set(selected.map((hash) => Buffer.from(hash).toString('hex')));
  const options = pollCreationOf(poll)?.options ?? [];
  return options
    .map((option) => option.optionName ?? '')
    .filter((name) => chosen.has(createHash('sha256').update(name).digest('hex')));
}
