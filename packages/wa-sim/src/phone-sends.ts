import { randomBytes } from 'node:crypto';
import { proto } from 'baileys';
import { decodeMessage } from './decoded-message.js';
import { encryptPollVote } from './poll-vote-encryption.js';
import type { PhoneSendOptions, SimPhone } from './sim-phone.js';

/** A location a phone shares. */
export interface PhoneLocation {
  latitude: number;
  longitude: number;
  name?: string;
  address?: string;
}

/** A contact card a phone shares. */
export interface PhoneContactCard {
  name: string;
  /** Digits with country code. */
  phone: string;
  organization?: string;
  email?: string;
}

/** A poll a phone creates. */
export interface PhonePoll {
  question: string;
  options: string[];
  /** How many options a voter may pick: 1 for a single choice, 0 for any number. Default 1. */
  selectableCount?: number;
}

/**
 * Which JIDs a vote's encryption names the poll's creator and the voter by. Default: the chat's addressing (a
 * group's addressing mode, else the phone's).
 */
export interface PhoneVoteOptions extends PhoneSendOptions {
  voteAddressing?: 'pn' | 'lid';
}

const { Type } = proto.Message.ProtocolMessage;

/** Shares a location in a 1:1 chat. Resolves with the message id. */
export function sendLocation(
  phone: SimPhone,
  to: string,
  location: PhoneLocation,
  options?: PhoneSendOptions,
): Promise<string> {
  const { latitude, longitude, name, address } = location;
  return phone.sendMessage(
    to,
    { locationMessage: { degreesLatitude: latitude, degreesLongitude: longitude, name, address } },
    options,
  );
}

/** A vCard as WhatsApp phones write it: N and FN, and the number in an item group with its `waid`. */
export function phoneVcard(card: PhoneContactCard): string {
  const digits = card.phone.replace(/\D/g, '');
  return [
    'BEGIN:VCARD',
    'VERSION:3.0',
    `N:;${card.name};;;`,
    `FN:${card.name}`,
    ...(card.organization ? [`ORG:${card.organization};`] : []),
    ...(card.email ? [`item2.EMAIL;type=INTERNET:${card.email}`] : []),
    `item1.TEL;waid=${digits}:+${digits}`,
    'item1.X-ABLabel:Mobile',
    'END:VCARD',
  ].join('\n');
}

/** Shares contact cards: one as a `contactMessage`, several as a `contactsArrayMessage`. */
export function sendContacts(
  phone: SimPhone,
  to: string,
  cards: PhoneContactCard[],
  options?: PhoneSendOptions,
): Promise<string> {
  const contacts = cards.map((card) => ({ displayName: card.name, vcard: phoneVcard(card) }));
  const message: proto.IMessage =
    contacts.length === 1
      ? { contactMessage: contacts[0] }
      : { contactsArrayMessage: { displayName: `${contacts.length} contacts`, contacts } };
  return phone.sendMessage(to, message, options);
}

/** Creates a poll with a fresh secret (kept in the phone's `sent`, for votes on it). */
export function sendPoll(phone: SimPhone, to: string, poll: PhonePoll, options?: PhoneSendOptions): Promise<string> {
  return phone.sendMessage(
    to,
    {
      messageContextInfo: { messageSecret: randomBytes(32) },
      pollCreationMessageV3: {
        name: poll.question,
        options: poll.options.map((optionName) => ({ optionName })),
        selectableOptionsCount: poll.selectableCount ?? 1,
      },
    },
    options,
  );
}

/** Reacts to a message of the chat with `to`, an account or a group (its own or theirs); an empty emoji removes it. */
export function react(
  phone: SimPhone,
  to: string,
  messageId: string,
  emoji: string,
  options?: PhoneSendOptions,
): Promise<string> {
  return phone.sendMessage(
    to,
    { reactionMessage: { key: keyIn(phone, to, messageId), text: emoji, senderTimestampMs: Date.now() } },
    options,
  );
}

/** Edits the text of a message the phone sent. */
export function editMessage(
  phone: SimPhone,
  to: string,
  messageId: string,
  text: string,
  options?: PhoneSendOptions,
): Promise<string> {
  const protocolMessage = {
    key: keyIn(phone, to, messageId),
    type: Type.MESSAGE_EDIT,
    editedMessage: { conversation: text },
    timestampMs: Date.now(),
  };
  return phone.sendMessage(to, { protocolMessage }, options);
}

/** Deletes a message the phone sent, for everyone. */
export function revokeMessage(
  phone: SimPhone,
  to: string,
  messageId: string,
  options?: PhoneSendOptions,
): Promise<string> {
  return phone.sendMessage(to, { protocolMessage: { key: keyIn(phone, to, messageId), type: Type.REVOKE } }, options);
}

/**
 * Votes on a poll in the chat with `to` (an account or a group): one the phone sent, or one a linked device sent
 * it (the phone decoded it and its secret). `selected` names the options; none withdraws the vote. The vote is encrypted with the
 * poll's secret, as WhatsApp encrypts it.
 */
export function votePoll(
  phone: SimPhone,
  to: string,
  pollId: string,
  selected: string[],
  options: PhoneVoteOptions = {},
): Promise<string> {
  const poll = phone.sent.get(pollId)?.message ?? phone.received.find((message) => message.id === pollId)?.message;
  const secret = poll?.messageContextInfo?.messageSecret;
  if (!poll || !secret) throw new Error(`${phone.number} has no poll ${pollId} with its secret`);
  const creator = authorOf(phone, pollId);
  const decoded = decodeMessage(poll);
  const unknown = selected.filter((name) => decoded.kind !== 'poll' || !decoded.options.includes(name));
  if (unknown.length) throw new Error(`poll ${pollId} has no option ${unknown.join(', ')}`);
  const addressing = options.voteAddressing ?? phone.network.groups.get(to)?.addressingMode ?? phone.addressing;
  const jidOf = (account: SimPhone) => (addressing === 'lid' ? account.lidJid : account.jid);
  const vote = encryptPollVote(selected, {
    pollId,
    secret,
    creatorJid: jidOf(creator),
    voterJid: jidOf(phone),
  });
  return phone.sendMessage(
    to,
    {
      pollUpdateMessage: {
        pollCreationMessageKey: keyIn(phone, to, pollId),
        vote,
        senderTimestampMs: Date.now(),
      },
    },
    options,
  );
}

/** Who wrote a message the phone sent or received. */
function authorOf(phone: SimPhone, messageId: string): SimPhone {
  if (phone.sent.has(messageId)) return phone;
  const received = phone.received.find((message) => message.id === messageId);
  const author = received && phone.network.findAccount(received.from);
  if (!author) throw new Error(`${phone.number} has no message ${messageId}`);
  return author;
}

/**
 * The key of a message in the chat with `to`, from the phone's side: its own if it sent it; in a group, with
 * its author as the group addresses them. A message unknown to the phone is taken as the other side's (1:1).
 */
function keyIn(phone: SimPhone, to: string, messageId: string): proto.IMessageKey {
  const fromMe = phone.sent.has(messageId);
  const group = phone.network.groups.get(to);
  if (group)
    return { remoteJid: group.jid, fromMe, id: messageId, participant: group.addressOf(authorOf(phone, messageId)) };
  const chat = phone.network.findAccount(to);
  if (!chat) throw new Error(`${to} is not on the simulated network`);
  return { remoteJid: phone.addressing === 'lid' ? chat.lidJid : chat.jid, fromMe, id: messageId };
}
