import type { Contact, GroupMetadata, proto, WAMessage, WASocket } from 'baileys';
import type { GroupInfo, IncomingMessage, ReceiptStatus, SeenContact } from '../transport.js';
import type { BaileysModule } from './baileys-module.js';
import { receivedKind } from './received-content.js';

/** `proto.WebMessageInfo.Status` → the port's receipt status (1, PENDING, is not a receipt). */
export const RECEIPT_BY_STATUS: Readonly<Record<number, ReceiptStatus>> = {
  0: 'failed',
  2: 'sent',
  3: 'delivered',
  4: 'read',
  5: 'read',
};

/** The user part of a JID, without device: `123:4@s.whatsapp.net` → `123`. */
export function userOf(jid: string): string {
  return jid.split('@')[0]!.split(':')[0]!;
}

/** A JID without its device part: `123:4@lid` → `123@lid`. */
export function withoutDevice(jid: string): string {
  const at = jid.indexOf('@');
  return at < 0 ? jid : `${userOf(jid)}${jid.slice(at)}`;
}

/** True for a LID (`…@lid`). */
export function isLidJid(jid: string | null | undefined): jid is string {
  return !!jid && jid.endsWith('@lid');
}

/** True for a phone number's JID (`…@s.whatsapp.net`, or the older `…@c.us`). */
export function isPhoneJid(jid: string | null | undefined): jid is string {
  return !!jid && (jid.endsWith('@s.whatsapp.net') || jid.endsWith('@c.us'));
}

/** The phone number of a user's JID, a LID asked of Baileys' mapping store; null when unknown or the lookup fails. */
export async function phoneOf(sock: WASocket, jid: string): Promise<string | null> {
  if (isPhoneJid(jid)) return userOf(jid);
  if (!isLidJid(jid)) return null;
  const pn = await sock.signalRepository.lidMapping.getPNForLID(jid).catch(() => null);
  return pn ? userOf(pn) : null;
}

/** The phone number and LID of `jid`, which is either: the other one from `phoneJid` / `lidJid` where known. */
export function addressesOf(jid: string, phoneJid?: string | null, lidJid?: string | null): SenderAddress {
  const phone = isPhoneJid(jid) ? jid : phoneJid;
  const lid = isLidJid(jid) ? jid : lidJid;
  return { phone: phone ? userOf(phone) : null, lid: lid ? withoutDevice(lid) : null };
}

/** A group as the port describes it: each participant with both addresses where Baileys knows them. */
export function toGroupInfo(group: GroupMetadata): GroupInfo {
  return {
    jid: group.id,
    subject: group.subject,
    description: group.desc ?? null,
    owner: group.ownerPn ?? group.owner ?? null,
    participants: group.participants.map((participant) => ({
      jid: participant.id,
      ...addressesOf(participant.id, participant.phoneNumber, participant.lid),
      admin: participant.admin === 'admin' || participant.admin === 'superadmin',
    })),
    createdAt: group.creation ? new Date(group.creation * 1000) : null,
  };
}

/** A contact Baileys reported, as the port describes it; null without an id. */
export function toSeenContact(contact: Partial<Contact>): SeenContact | null {
  if (!contact.id) return null;
  return {
    jid: withoutDevice(contact.id),
    ...addressesOf(contact.id, contact.phoneNumber, contact.lid),
    name: contact.name ?? contact.notify ?? contact.verifiedName ?? null,
  };
}

/**
 * The transport's serialisation of a message (`raw` in the port): the `WAMessage` as JSON, with
 * Buffers through `BufferJSON` and protobuf Longs as plain numbers (they do not survive JSON otherwise).
 */
export function serialiseMessage(baileys: BaileysModule, message: WAMessage): string {
  return JSON.stringify(message, (key, value: unknown) => {
    if (
      value &&
      typeof value === 'object' &&
      'low' in value &&
      'high' in value &&
      typeof (value as { toNumber?: unknown }).toNumber === 'function'
    ) {
      return (value as unknown as { toNumber(): number }).toNumber();
    }
    return baileys.BufferJSON.replacer(key, value);
  });
}

/** Reads back {@link serialiseMessage}. */
export function deserialiseMessage(baileys: BaileysModule, raw: string): WAMessage {
  const message = JSON.parse(raw, baileys.BufferJSON.reviver) as WAMessage;
  // Received content is a protobuf object, serialised by its own toJSON: bytes (a poll's secret, media keys) as
  // base64 and enums as names. Typed again here, it reads as Baileys built it, whichever way it was stored.
  if (message.message) message.message = baileys.proto.Message.fromObject(message.message);
  return message;
}

/**
 * Content with nothing for a user to see: protocol traffic (history sync, key shares, ...), and what changes
 * another message (reactions, edits and revokes, poll votes), reported as updates.
 */
const INVISIBLE_CONTENT = new Set<keyof proto.IMessage>([
  'protocolMessage',
  'senderKeyDistributionMessage',
  'messageContextInfo',
  'reactionMessage',
  'pollUpdateMessage',
]);

/** How a message's sender is known: its address and, where known, the other one. */
export interface SenderAddress {
  phone: string | null;
  lid: string | null;
}

/** A message's content a user sees, its type, its text (a text's, or a caption) and its context (quotes). */
export interface VisibleContent {
  content: proto.IMessage;
  contentType: keyof proto.IMessage;
  text: string | null;
  contextInfo: proto.IContextInfo | null;
}

/** The content of a message a user sees (wrappers such as view-once looked through), or null for none. */
export function visibleContent(
  baileys: BaileysModule,
  message: proto.IMessage | null | undefined,
): VisibleContent | null {
  const content = baileys.normalizeMessageContent(message);
  const contentType = content ? baileys.getContentType(content) : undefined;
  if (!content || !contentType || INVISIBLE_CONTENT.has(contentType)) return null;
  const inner = content[contentType] as
    | {
        text?: string | null;
        caption?: string | null;
        contextInfo?: proto.IContextInfo | null;
        message?: proto.IMessage | null;
      }
    | string
    | null
    | undefined;
  const innerObject = typeof inner === 'object' && inner !== null ? inner : undefined;
  const documentWithCaption =
    contentType === 'documentWithCaptionMessage' ? innerObject?.message?.documentMessage : undefined;

  let text: string | null = null;
  if (typeof inner === 'string') text = inner;
  else text = innerObject?.text ?? innerObject?.caption ?? documentWithCaption?.caption ?? null;

  const contextInfo = innerObject?.contextInfo ?? documentWithCaption?.contextInfo ?? null;
  return { content, contentType, text, contextInfo };
}

/** When a message was sent: its own time, else `receivedAt` (it carries none). */
export function sentAt(message: WAMessage, receivedAt: Date): Date {
  const seconds = Number(message.messageTimestamp ?? 0);
  return seconds > 0 ? new Date(seconds * 1000) : receivedAt;
}

/**
 * Maps a received `WAMessage` to the port's {@link IncomingMessage}, or null when it carries nothing a
 * user sees (protocol messages, stubs without content, updates of other messages). `sender` holds the phone
 * and LID already resolved by the caller (from `remoteJidAlt`/`participantAlt` or the LID mapping store);
 * `receivedAt` is its time when the message carries none.
 */
export function toIncomingMessage(
  baileys: BaileysModule,
  message: WAMessage,
  sender: SenderAddress,
  from: string,
  raw: string | null,
  receivedAt: Date,
): IncomingMessage | null {
  const visible = visibleContent(baileys, message.message);
  if (!visible) return null;
  return {
    messageId: message.key.id ?? '',
    chat: message.key.remoteJid ?? '',
    fromPhone: sender.phone,
    fromLid: sender.lid,
    from,
    fromMe: !!message.key.fromMe,
    pushName: message.pushName ?? null,
    ...receivedKind(visible.content, visible.contentType),
    text: visible.text,
    quotedMessageId: visible.contextInfo?.stanzaId ?? null,
    timestamp: sentAt(message, receivedAt),
    raw,
  };
}
