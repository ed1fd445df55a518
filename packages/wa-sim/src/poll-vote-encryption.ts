import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { proto } from 'baileys';

/** What a vote is encrypted with: the poll's id and secret, and the JIDs its creator and the voter are named by. */
export interface PollVoteKeys {
  pollId: string;
  /** The poll's `messageContextInfo.messageSecret`. */
  secret: Uint8Array;
  creatorJid: string;
  voterJid: string;
}

/**
 * A vote on a poll, encrypted as WhatsApp clients do (the inverse of Baileys' `decryptPollVote`): the option
 * names' SHA-256 hashes in a `PollVoteMessage`, AES-256-GCM with a key derived by HMAC-SHA256 from the secret,
 * the poll id and both JIDs, and the poll id and voter as additional data.
 */
export function encryptPollVote(selected: string[], keys: PollVoteKeys): proto.Message.IPollEncValue {
  const { pollId, secret, creatorJid, voterJid } = keys;
  const plaintext = proto.Message.PollVoteMessage.encode({
    selectedOptions: selected.map((name) => createHash('sha256').update(name).digest()),
  }).finish();
  const info = Buffer.concat([
    Buffer.from(pollId),
    Buffer.from(creatorJid),
    Buffer.from(voterJid),
    Buffer.from('Poll Vote'),
    Buffer.from([1]),
  ]);
  const secretKey = createHmac('sha256', Buffer.alloc(32)).update(secret).digest();
  const key = createHmac('sha256', secretKey).update(info).digest();
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`${pollId}\u0000${voterJid}`));
  const encPayload = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { encPayload, encIv: iv };
}
