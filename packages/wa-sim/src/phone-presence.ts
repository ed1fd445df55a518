import type { BinaryNode } from 'baileys';
import type { ClientConnection } from './client-connection.js';
import type { LinkedDevice } from './linked-device.js';
import type { SimGroup } from './sim-group.js';
import type { SimPhone } from './sim-phone.js';

/** Whether a phone is online (`available`) or offline (`unavailable`), as devices subscribed to it are told. */
export type PhoneAvailability = 'available' | 'unavailable';

/** What a phone shows in a chat: typing (`composing`), recording a voice note (`recording`), or stopped (`paused`). */
export type PhoneChatState = 'composing' | 'recording' | 'paused';

/**
 * A linked device's `<presence type="subscribe|unsubscribe" to=JID>` (Baileys' `presenceSubscribe`): the device
 * subscribes to the account of that phone or LID JID, and is told its presence at once, as WhatsApp does; an
 * unsubscribe ends that. JIDs of no account on the network are ignored.
 */
export function answerPresenceSubscription(connection: ClientConnection, stanza: BinaryNode): void {
  const device = connection.device;
  const jid = stanza.attrs.to;
  const account = jid ? connection.network.findAccount(jid) : undefined;
  if (!device || !jid || !account) return;
  const jids = account.presenceSubscribers.get(device) ?? new Set<string>();
  if (stanza.attrs.type === 'unsubscribe') {
    jids.delete(jid);
    if (jids.size === 0) account.presenceSubscribers.delete(device);
    return;
  }
  account.presenceSubscribers.set(device, jids.add(jid));
  connection.send(presenceOf(account, jid));
}

/**
 * `phone` goes online or offline (going offline sets its `lastSeen`); every device subscribed to it that is online
 * is told, from the JID it subscribed with. Nothing is sent when the availability is unchanged.
 */
export function announceAvailability(phone: SimPhone, availability: PhoneAvailability): void {
  if (phone.availability === availability) return;
  if (availability === 'unavailable') phone.lastSeen = new Date();
  phone.availability = availability;
  for (const [device, jids] of phone.presenceSubscribers)
    for (const jid of jids) sendIfOnline(device, presenceOf(phone, jid));
}

/**
 * `phone` shows `state` in its 1:1 chat with `to`, or in `group` when given (then every other member sees it, and
 * `to` is not used): a `chatstate` stanza as WhatsApp relays it, which needs no subscription. Only online devices
 * get it. Throws if `phone` is not a member of `group`.
 */
export function relayChatState(phone: SimPhone, to: SimPhone, state: PhoneChatState, group?: SimGroup): void {
  const shown: BinaryNode =
    state === 'paused'
      ? { tag: 'paused', attrs: {} }
      : { tag: 'composing', attrs: state === 'recording' ? { media: 'audio' } : {} };
  if (group) {
    if (!group.has(phone)) throw new Error(`${phone.number} is not a member of ${group.jid}`);
    const stanza: BinaryNode = {
      tag: 'chatstate',
      attrs: { from: group.jid, participant: group.addressOf(phone) },
      content: [shown],
    };
    for (const member of group.members.values())
      if (member.phone !== phone) for (const device of member.phone.devices.values()) sendIfOnline(device, stanza);
    return;
  }
  const from = phone.addressing === 'lid' ? phone.lidJid : phone.jid;
  for (const device of to.devices.values())
    sendIfOnline(device, { tag: 'chatstate', attrs: { from }, content: [shown] });
}

/** The `<presence>` a subscriber of `phone` gets, from the JID it subscribed with; `last` only once it was seen. */
function presenceOf(phone: SimPhone, from: string): BinaryNode {
  if (phone.availability === 'available') return { tag: 'presence', attrs: { from, type: 'available' } };
  const attrs: Record<string, string> = { from, type: 'unavailable' };
  if (phone.lastSeen) attrs.last = Math.floor(phone.lastSeen.getTime() / 1000).toString();
  return { tag: 'presence', attrs };
}

// Presences are not kept for offline devices (as LinkedDevice.deliver would): WhatsApp drops them.
function sendIfOnline(device: LinkedDevice, stanza: BinaryNode): void {
  if (device.connection?.phase === 'online') device.connection.send(stanza);
}
