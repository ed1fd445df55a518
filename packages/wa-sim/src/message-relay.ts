import { isJidGroup, jidNormalizedUser, proto } from 'baileys';
import type { BinaryNode } from 'baileys';
import type { ClientConnection } from './client-connection.js';
import type { LinkedDevice } from './linked-device.js';
import type { SimGroup } from './sim-group.js';
import { decodeMessage, textOf } from './decoded-message.js';
import type { PhoneMessage, SimPhone } from './sim-phone.js';
import { child, children, contentBytes, unixTime } from './stanzas.js';

/** One `<to jid><enc/></to>` of an outgoing message: a copy encrypted for one device. */
interface DeviceCopy {
  jid: string;
  enc: BinaryNode;
}

function deviceCopies(stanza: BinaryNode): DeviceCopy[] {
  return children(child(stanza, 'participants'), 'to').flatMap((to) => {
    const enc = child(to, 'enc');
    return to.attrs.jid && enc ? [{ jid: to.attrs.jid, enc }] : [];
  });
}

/**
 * A `message` stanza from a linked device: the server acknowledges it (`ack class=message`, which
 * Baileys needs for nothing but errors), then every simulated phone it is for decrypts its copy and
 * answers with receipts according to its policy.
 */
export async function relayFromDevice(connection: ClientConnection, stanza: BinaryNode): Promise<void> {
  const device = connection.device;
  const { id, to } = stanza.attrs;
  if (!device || !id || !to) return;
  connection.send({ tag: 'ack', attrs: { class: 'message', id, from: to, t: unixTime() } });
  // Peer messages (app-state and history requests to the own phone) need no answer here.
  if (stanza.attrs.category === 'peer') return;

  const { network } = connection;
  const copies = deviceCopies(stanza);
  const copyFor = (phone: SimPhone): DeviceCopy | undefined =>
    copies.find((copy) => {
      const resolved = network.resolveDevice(copy.jid);
      return resolved?.account === phone && resolved.deviceId === 0;
    });

  if (isJidGroup(to)) {
    const group = network.groups.get(to);
    if (!group || !group.has(device.account)) return;
    const groupEnc = child(stanza, 'enc');
    for (const { phone } of group.members.values()) {
      if (phone === device.account) continue;
      const message = await readGroupCopy(phone, device, group, copyFor(phone), groupEnc);
      phone.recordReceived({
        id,
        chat: group.jid,
        from: device.jid,
        receivedAt: new Date(),
        ...message,
        decoded: decodeMessage(message.message),
      });
      sendReceipts(phone, device, id, { from: group.jid, participant: group.addressOf(phone) });
    }
    return;
  }

  const recipient = network.findAccount(to);
  if (!recipient) return;
  const copy = copyFor(recipient);
  const message = copy
    ? await readCopy(recipient, device, copy.enc)
    : { message: null, text: null, error: 'no copy for the phone' };
  // A copy for one's own phone is a "sent from another device" echo, not a message to it.
  const received = message.message?.deviceSentMessage
    ? { ...message, message: message.message.deviceSentMessage.message ?? null }
    : message;
  recipient.recordReceived({
    id,
    chat: jidNormalizedUser(to),
    from: device.jid,
    receivedAt: new Date(),
    ...received,
    text: textOf(received.message),
    decoded: decodeMessage(received.message),
  });
  if (recipient !== device.account) sendReceipts(recipient, device, id, { from: jidNormalizedUser(to) });
}

type ReadResult = Pick<PhoneMessage, 'message' | 'text' | 'error'>;

async function readCopy(phone: SimPhone, sender: LinkedDevice, enc: BinaryNode): Promise<ReadResult> {
  const type = enc.attrs.type;
  const ciphertext = contentBytes(enc);
  if ((type !== 'pkmsg' && type !== 'msg') || !ciphertext)
    return { message: null, text: null, error: `cannot read enc type ${type}` };
  try {
    const message = await phone.signal.decrypt(sender.lidJid, type, ciphertext);
    return { message, text: textOf(message) };
  } catch (error) {
    return { message: null, text: null, error: `decryption failed: ${String(error)}` };
  }
}

async function readGroupCopy(
  phone: SimPhone,
  sender: LinkedDevice,
  group: SimGroup,
  copy: DeviceCopy | undefined,
  groupEnc: BinaryNode | undefined,
): Promise<ReadResult> {
  // The sender key arrives once per member device, in a pairwise copy, before the first `skmsg`.
  if (copy) {
    const distribution = await readCopy(phone, sender, copy.enc);
    const item = distribution.message?.senderKeyDistributionMessage;
    if (item) await phone.signal.acceptSenderKey(sender.lidJid, item);
  }
  const ciphertext = contentBytes(groupEnc);
  if (!ciphertext || groupEnc?.attrs.type !== 'skmsg') return { message: null, text: null, error: 'no skmsg' };
  try {
    const message = await phone.signal.decryptGroup(group.jid, sender.lidJid, ciphertext);
    return { message, text: textOf(message) };
  } catch (error) {
    return { message: null, text: null, error: `group decryption failed: ${String(error)}` };
  }
}

/**
 * The phone's receipts to the sending device: delivered (no type), then `read`, per its policy, each
 * after the phone's receipt delay. Without a delay they would reach Baileys while it still buffers
 * its own copy of the message, and it would fold them into that copy instead of `messages.update`.
 */
function sendReceipts(
  phone: SimPhone,
  sender: LinkedDevice,
  id: string,
  address: { from: string; participant?: string },
): void {
  if (phone.receipts === 'none') return;
  const attrs = { ...address, id };
  setTimeout(() => {
    sender.deliver({ tag: 'receipt', attrs: { ...attrs, t: unixTime() } });
    if (phone.receipts !== 'read') return;
    setTimeout(
      () => sender.deliver({ tag: 'receipt', attrs: { ...attrs, type: 'read', t: unixTime() } }),
      phone.receiptDelayMs,
    );
  }, phone.receiptDelayMs);
}

/** Options of a message a phone sends to linked devices. */
interface PhoneOutgoing {
  id: string;
  message: proto.IMessage;
  /** The group it is sent in, or null for a 1:1 message. */
  chat: SimGroup | null;
  /** A message from the phone to its own linked devices (`category=peer`), such as history sync. */
  peer?: boolean;
  /** The account a message the phone sent went to, when this is the copy for its own linked devices. */
  sentTo?: SimPhone;
}

/** Whom a phone's message is from, and in which chat, as the stanza's attributes say it. */
function stanzaAddress(phone: SimPhone, { chat, peer, sentTo }: PhoneOutgoing): Record<string, string> {
  if (peer) return { from: phone.jid, category: 'peer' };
  if (sentTo) return { from: phone.jid, recipient: sentTo.jid, recipient_lid: sentTo.lidJid };
  if (chat)
    return {
      from: chat.jid,
      participant: chat.addressOf(phone),
      ...(chat.addressingMode === 'lid' ? { participant_pn: phone.jid } : { participant_lid: phone.lidJid }),
      addressing_mode: chat.addressingMode,
    };
  return phone.addressing === 'lid'
    ? { from: phone.lidJid, sender_pn: phone.jid, addressing_mode: 'lid' }
    : { from: phone.jid, sender_lid: phone.lidJid };
}

/**
 * Delivers a phone's message to linked devices, each its own stanza: Signal-encrypted with the
 * device's uploaded keys when the phone encrypts (a `pkmsg` first, then `msg`), else as `plaintext`.
 */
export async function deliverFromPhone(
  phone: SimPhone,
  devices: LinkedDevice[],
  outgoing: PhoneOutgoing,
): Promise<void> {
  const { id, chat, sentTo } = outgoing;
  // The own devices' copy names the chat it was sent to and wraps the message, as WhatsApp's does.
  const message = sentTo
    ? { deviceSentMessage: { destinationJid: sentTo.jid, message: outgoing.message } }
    : outgoing.message;
  const address = stanzaAddress(phone, outgoing);

  for (const device of devices) {
    // An account that blocked the phone is not given its 1:1 messages (WhatsApp keeps them from it).
    if (!chat && device.account.profile.blocked.has(phone.number)) continue;
    // Group messages from the phone go as plaintext: sender-key distribution from a phone is not simulated.
    const encrypted =
      phone.encryption === 'signal' && !chat
        ? await phone.signal.encryptFor(device.lidJid, message, () => device.takeBundle())
        : undefined;
    const payload: BinaryNode = encrypted
      ? { tag: 'enc', attrs: { v: '2', type: encrypted.type }, content: encrypted.ciphertext }
      : { tag: 'plaintext', attrs: {}, content: Buffer.from(proto.Message.encode(message).finish()) };
    device.deliver({
      tag: 'message',
      attrs: { ...address, id, t: unixTime(), type: 'text', notify: phone.pushName },
      content: [payload],
    });
  }
}

/** A `receipt` from a linked device for a message a phone sent: raises that message's status. */
export function recordDeviceReceipt(connection: ClientConnection, stanza: BinaryNode): void {
  const { id, to, participant, type } = stanza.attrs;
  if (!id || !to) return;
  const sender = connection.network.findAccount(isJidGroup(to) ? (participant ?? '') : to);
  if (!sender) return;
  const ids = [
    id,
    ...children(child(stanza, 'list'), 'item').flatMap((item) => (item.attrs.id ? [item.attrs.id] : [])),
  ];
  const status =
    type === 'read' || type === 'read-self'
      ? 'read'
      : type === undefined || type === 'inactive'
        ? 'delivered'
        : undefined;
  if (!status) return;
  for (const messageId of ids) sender.recordReceipt(messageId, status);
}
