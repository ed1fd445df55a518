import type { Actor } from '../actor.js';
import type { Clock } from '../clock.js';
import { INVALID_PHONE_MESSAGE, phoneSchema, toUserJid, tryNormalisePhone } from '../contacts/phone.js';
import { isKirimError, KirimError } from '../errors.js';
import type { MediaLoader } from '../outbox/media-loader.js';
import type { Storage } from '../storage/storage.js';
import type { OwnProfileChanges } from '../transport/transport.js';
import { parse, validationError } from '../validation.js';
import { liveConnection } from './live-connection.js';
import { checkNumbersCached } from './number-checks.js';
import { profilePicture } from './profile-picture.js';
import {
  checkNumbersSchema,
  ownProfileSchema,
  type BlockedView,
  type ContactProfileView,
  type NumberCheckView,
} from './profile-schemas.js';
import type { SessionManager } from './session-manager.js';

/**
 * Numbers, profiles and the blocklist, asked live through the caller's session: `not_found` for a session not
 * theirs, `no_device` (503) unless this process drives it connected; a bad phone is `validation` naming it.
 */
export interface ProfileService {
  /** Which of 1 to 50 phones are on WhatsApp, with JID and LID; a day's answers are reused, the rest asked at the session's pace. */
  checkNumbers(actor: Actor, sessionId: string, input: unknown): Promise<NumberCheckView[]>;
  /** A contact's public profile: picture URL, about text and business profile, each null where not shown. */
  profile(actor: Actor, sessionId: string, phone: string): Promise<ContactProfileView>;
  /** Changes the linked account's own name, about text or picture (fetched through the SSRF guard, made a JPEG). */
  updateOwn(actor: Actor, sessionId: string, input: unknown): Promise<Record<string, string>>;
  /** Blocks (`blocked` true) or unblocks a phone. */
  setBlocked(
    actor: Actor,
    sessionId: string,
    phone: string,
    blocked: boolean,
  ): Promise<BlockedView & { blocked: boolean }>;
  /** The users the linked account blocks. */
  blocklist(actor: Actor, sessionId: string): Promise<BlockedView[]>;
}

/** Creates the {@link ProfileService}; `pace` waits for a session's turn to ask WhatsApp (its send gap). */
export function createProfileService(deps: {
  storage: Storage;
  clock: Clock;
  manager: SessionManager;
  media: MediaLoader;
  defaultCountryCode: string;
  pace: (sessionId: string) => Promise<void>;
}): ProfileService {
  const phone = phoneSchema(deps.defaultCountryCode);
  const checkInput = checkNumbersSchema(phone);
  const link = (actor: Actor, sessionId: string) => liveConnection(deps, actor, sessionId);
  const userJidOf = (input: string) => {
    const digits = tryNormalisePhone(input, deps.defaultCountryCode);
    if (digits === null) throw validationError({ phone: [INVALID_PHONE_MESSAGE] });
    return { phone: digits, jid: toUserJid(digits) };
  };

  return {
    async checkNumbers(actor, sessionId, input) {
      const { phones } = parse(checkInput, input);
      const { profiles } = await link(actor, sessionId);
      return checkNumbersCached(deps, profiles, phones, () => deps.pace(sessionId));
    },

    async profile(actor, sessionId, input) {
      const user = userJidOf(input);
      const found = await (await link(actor, sessionId)).profiles.profile(user.jid);
      return { ...user, picture_url: found.pictureUrl, about: found.about, business: found.business };
    },

    async updateOwn(actor, sessionId, input) {
      const { name, about, picture_url } = parse(ownProfileSchema, input);
      const { profiles } = await link(actor, sessionId);
      const changes: OwnProfileChanges = { name, about };
      if (picture_url) changes.picture = await profilePicture((await loadPicture(deps.media, picture_url)).data);
      await profiles.updateOwn(changes);
      return Object.fromEntries(
        Object.entries({ name, about, picture_url }).filter(([, v]) => v !== undefined),
      ) as Record<string, string>;
    },

    async setBlocked(actor, sessionId, input, blocked) {
      const user = userJidOf(input);
      await (await link(actor, sessionId)).profiles.setBlocked(user.jid, blocked ? 'block' : 'unblock');
      return { ...user, blocked };
    },

    async blocklist(actor, sessionId) {
      const jids = await (await link(actor, sessionId)).profiles.blocklist();
      return jids.map((jid) => ({ phone: jid.endsWith('@s.whatsapp.net') ? jid.split('@')[0]! : null, jid }));
    },
  };
}

/** The image at `url` through the media loader's SSRF guard; its faults name `picture_url`, the field given. */
async function loadPicture(media: MediaLoader, url: string) {
  try {
    await media.check(url);
    return await media.load(url, 'image');
  } catch (error) {
    if (isKirimError(error, 'validation') && error.details?.media_url)
      throw new KirimError('validation', error.message.replace('media_url', 'picture_url'), {
        details: { picture_url: error.details.media_url },
        cause: error,
      });
    throw error;
  }
}
