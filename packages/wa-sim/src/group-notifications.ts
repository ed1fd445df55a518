import type { BinaryNode } from 'baileys';
import type { SimGroup } from './sim-group.js';
import type { SimPhone } from './sim-phone.js';
import { newMessageId, unixTime } from './stanzas.js';

/** A `<participant>` of a group notification: addressed as the group addresses members, with the other address beside. */
export function participantNode(group: SimGroup, phone: SimPhone): BinaryNode {
  return {
    tag: 'participant',
    attrs: {
      jid: group.addressOf(phone),
      ...(group.addressingMode === 'lid' ? { phone_number: phone.jid } : { lid: phone.lidJid }),
    },
  };
}

/**
 * Tells every linked device of the group's members (and of `alsoTo`, those a change removed) of a change `actor`
 * made, as WhatsApp does: a `w:gp2` notification from the group whose one child names the change (`<add>`,
 * `<subject>`, `<announcement/>`...). Baileys turns it into `group-participants.update` or `groups.update`.
 */
export function notifyGroup(group: SimGroup, actor: SimPhone, change: BinaryNode, alsoTo: SimPhone[] = []): void {
  const lid = group.addressingMode === 'lid';
  const stanza: BinaryNode = {
    tag: 'notification',
    attrs: {
      from: group.jid,
      type: 'w:gp2',
      id: newMessageId(),
      t: unixTime(),
      participant: group.addressOf(actor),
      ...(lid ? { participant_pn: actor.jid, addressing_mode: 'lid' } : { addressing_mode: 'pn' }),
    },
    content: [change],
  };
  const phones = new Set([...[...group.members.values()].map((m) => m.phone), ...alsoTo]);
  for (const phone of phones) for (const device of phone.devices.values()) device.deliver(stanza);
}
