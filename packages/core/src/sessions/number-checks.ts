import type { Clock } from '../clock.js';
import type { Storage } from '../storage/storage.js';
import type { NumberCheck, ProfileActions } from '../transport/transport.js';

/** How long an answer about a number is used before WhatsApp is asked again: a day. */
export const NUMBER_CHECK_TTL_MS = 86_400_000;

/**
 * Whether these phones (digits) are on WhatsApp, in the order given: answers asked within a day come from the
 * database (any session's, any process's); the rest are asked of WhatsApp in one question, after `pace` (its turn
 * among the session's sends), and stored. WhatsApp bans number-checking sprees: nothing is asked twice in a day.
 */
export async function checkNumbersCached(
  deps: { storage: Storage; clock: Clock },
  profiles: ProfileActions,
  phones: string[],
  pace: () => Promise<void>,
): Promise<NumberCheck[]> {
  const since = new Date(deps.clock.now().getTime() - NUMBER_CHECK_TTL_MS).toISOString();
  const known = new Map((await deps.storage.numberChecks.find(phones, since)).map((check) => [check.phone, check]));
  const missing = [...new Set(phones.filter((phone) => !known.has(phone)))];
  if (missing.length > 0) {
    await pace();
    const asked = await profiles.checkNumbers(missing);
    await deps.storage.numberChecks.save(asked, deps.clock.now().toISOString());
    for (const check of asked) known.set(check.phone, check);
  }
  return phones.map((phone) => known.get(phone) ?? { phone, exists: false, jid: null, lid: null });
}
