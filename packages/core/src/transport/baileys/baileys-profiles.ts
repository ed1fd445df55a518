import type { WASocket } from 'baileys';
import { KirimError } from '../../errors.js';
import { iqErrorCode } from '../iq-error.js';
import type { ContactProfile, NumberCheck, ProfileActions } from '../transport.js';
import { loadBaileys } from './baileys-module.js';
import { isLidJid, userOf, withoutDevice } from './message-mapping.js';

/** WhatsApp's answers to a profile question the contact's privacy settings (or their absence) refuse. */
const NOT_SHOWN = new Set([401, 403, 404]);

/** Numbers, profiles and the blocklist through Baileys, on the socket `socket()` gives (it throws when not open). */
export function baileysProfiles(socket: () => WASocket): ProfileActions {
  return refusalsAsUnavailable({
    async checkNumbers(phones) {
      const sock = socket();
      const baileys = await loadBaileys();
      const digits = phones.map((phone) => phone.replace(/\D/g, ''));
      // onWhatsApp asks for the contact protocol alone; asking for the LID too answers both in one question.
      const query = new baileys.USyncQuery().withContactProtocol().withLIDProtocol();
      for (const phone of digits) query.withUser(new baileys.USyncUser().withPhone(`+${phone}`));
      const results = digits.length ? ((await sock.executeUSyncQuery(query))?.list ?? []) : [];
      return digits.map((phone): NumberCheck => {
        const found = results.find((result) => userOf(result.id) === phone);
        const exists = found?.contact === true;
        const lid = typeof found?.lid === 'string' && found.lid ? withoutDevice(found.lid) : null;
        return { phone, exists, jid: exists ? withoutDevice(found!.id) : null, lid: exists ? lid : null };
      });
    },

    async profile(jid) {
      const sock = socket();
      const [pictureUrl, statuses, business] = await Promise.all([
        shown(sock.profilePictureUrl(jid, 'image')),
        shown(sock.fetchStatus(jid)),
        shown(sock.getBusinessProfile(jid)),
      ]);
      const status = statuses?.find((entry) => userOf(entry.id) === userOf(jid))?.status as
        { status?: string | null } | undefined;
      const profile: ContactProfile = {
        pictureUrl: pictureUrl ?? null,
        about: status?.status || null,
        business: business
          ? {
              description: business.description || null,
              category: business.category ?? null,
              email: business.email ?? null,
              website: business.website[0] ?? null,
              address: business.address ?? null,
            }
          : null,
      };
      return profile;
    },

    async updateOwn(changes) {
      const sock = socket();
      if (changes.name !== undefined) await sock.updateProfileName(changes.name);
      if (changes.about !== undefined) await sock.updateProfileStatus(changes.about);
      if (changes.picture) await sock.updateProfilePicture(withoutDevice(sock.user!.id), changes.picture);
    },

    async setBlocked(jid, action) {
      await socket().updateBlockStatus(jid, action);
    },

    async blocklist() {
      const sock = socket();
      const listed = (await sock.fetchBlocklist()).filter((jid): jid is string => !!jid);
      // WhatsApp lists blocked users by LID: the phone's JID is what callers know them by.
      return Promise.all(
        listed.map(async (jid) =>
          isLidJid(jid) ? ((await sock.signalRepository.lidMapping.getPNForLID(jid)) ?? jid) : jid,
        ),
      ).then((jids) => jids.map(withoutDevice));
    },
  });
}

/**
 * Each action with WhatsApp's refusals (Baileys' Boom errors: a key not shared yet, an address it cannot resolve)
 * as `unavailable` saying what failed, instead of an unknown error answered 500.
 */
function refusalsAsUnavailable(actions: ProfileActions): ProfileActions {
  const wrapped = Object.entries(actions).map(([name, action]: [string, (...args: unknown[]) => Promise<unknown>]) => [
    name,
    async (...args: unknown[]) => {
      try {
        return await action(...args);
      } catch (error) {
        if (!(error as { isBoom?: boolean }).isBoom) throw error;
        throw new KirimError('unavailable', `WhatsApp refused ${name}: ${(error as Error).message}`, { cause: error });
      }
    },
  ]);
  return Object.fromEntries(wrapped) as ProfileActions;
}

/** The answer, or undefined when WhatsApp does not show it (no picture, hidden by privacy, not a business). */
async function shown<T>(asking: Promise<T>): Promise<T | undefined> {
  try {
    return await asking;
  } catch (error) {
    const code = iqErrorCode(error);
    if (code !== undefined && NOT_SHOWN.has(code)) return undefined;
    throw error;
  }
}
