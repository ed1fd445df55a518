import type { ContactProfile, ProfileActions } from '../transport/transport.js';
import type { Network } from './simulated-network.js';
import type { SimulatedConnection } from './simulated-network-connection.js';
import { isPhoneNumber, parseJid, userJid } from './simulated-network-ids.js';

/** A number check a session asked the network, as WhatsApp would have seen it. */
export interface SimulatedNumberCheck {
  sessionId: string;
  phones: string[];
  at: Date;
}

/** Numbers, profiles and the blocklist on the simulated network, as the linked phone of `connection` sees them. */
export function simulatedProfiles(network: Network, connection: SimulatedConnection): ProfileActions {
  const userPhone = (jid: string) => {
    const parsed = parseJid(jid);
    if (parsed?.kind !== 'user') throw new Error(`Not a user JID: ${jid}`);
    return network.account(parsed.phone);
  };
  return {
    async checkNumbers(phones) {
      connection.linkedPhone();
      network.numberChecks.push({ sessionId: connection.record.sessionId, phones, at: network.clock.now() });
      return phones.map((phone) => {
        const found = network.lookUp(phone);
        return { ...found, lid: found.exists ? network.account(phone).lid : null };
      });
    },

    async profile(jid) {
      connection.linkedPhone();
      const phone = userPhone(jid);
      const none: ContactProfile = { pictureUrl: null, about: null, business: null };
      if (!phone.reachable) return none;
      return { pictureUrl: phone.picture, about: phone.about, business: phone.business };
    },

    async updateOwn(changes) {
      const phone = connection.linkedPhone();
      if (changes.name !== undefined) phone.name = changes.name;
      if (changes.about !== undefined) phone.about = changes.about;
      if (changes.picture) {
        phone.pictureJpeg = changes.picture;
        phone.picture = `https://pps.whatsapp.net/simulated/${phone.number}.jpg`;
      }
    },

    async setBlocked(jid, action) {
      const blocked = connection.linkedPhone().blocked;
      const { number } = userPhone(jid);
      if (action === 'block') blocked.add(number);
      else blocked.delete(number);
    },

    async blocklist() {
      return [...connection.linkedPhone().blocked].filter(isPhoneNumber).map(userJid);
    },
  };
}
