import { createHash, randomBytes } from 'node:crypto';
import { decryptPollVote } from 'baileys';
import { describe, expect, it } from 'vitest';
import { encryptPollVote } from './poll-vote-encryption.js';

const sha256 = (name: string) => createHash('sha256').update(name).digest();
const keys = {
  pollId: '3EB0C0FFEE',
  secret: randomBytes(32),
  creatorJid: '100000000000001@lid',
  voterJid: '6281100000002@s.whatsapp.net',
};
/** Baileys' names for the same keys. */
const context = (voterJid = keys.voterJid) => ({
  pollMsgId: keys.pollId,
  pollEncKey: keys.secret,
  pollCreatorJid: keys.creatorJid,
  voterJid,
});

describe('encryptPollVote', () => {
  it("round-trips through Baileys' decryptPollVote to the chosen options' hashes", () => {
    const vote = encryptPollVote(['Merah', 'Hijau'], keys);
    const decrypted = decryptPollVote(vote, context());
    expect(decrypted.selectedOptions.map((hash) => Buffer.from(hash))).toEqual([sha256('Merah'), sha256('Hijau')]);
  });

  it('withdraws a vote with no option chosen', () => {
    const vote = encryptPollVote([], keys);
    const decrypted = decryptPollVote(vote, context());
    expect(decrypted.selectedOptions).toEqual([]);
  });

  it('does not decrypt under another voter JID: the key and the additional data name the voter', () => {
    const vote = encryptPollVote(['Merah'], keys);
    expect(decryptPollVote(vote, context()).selectedOptions).toHaveLength(1);
    expect(() => decryptPollVote(vote, context('100000000000002@lid'))).toThrow(/authenticate/);
  });
});
