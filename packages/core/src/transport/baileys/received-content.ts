import type { proto } from 'baileys';
import type { IncomingMedia, IncomingMessage, IncomingType, StructuredContent } from '../transport.js';
import { contactOfVcard } from '../vcard.js';

/** A received message's kind and that kind's fields, as the port describes them. */
export type ReceivedKind = Pick<IncomingMessage, 'type' | 'media' | 'content'>;

/** The fields media messages share (each kind has some of them); protobuf gives 64-bit sizes as Longs. */
interface MediaFields {
  mimetype?: string | null;
  fileLength?: number | { toNumber(): number } | null;
  fileName?: string | null;
  seconds?: number | null;
  ptt?: boolean | null;
}

const MEDIA_TYPE_BY_CONTENT: Partial<Record<keyof proto.IMessage, IncomingType>> = {
  imageMessage: 'image',
  videoMessage: 'video',
  ptvMessage: 'video',
  audioMessage: 'audio',
  documentMessage: 'document',
  stickerMessage: 'sticker',
};

const TEXT_CONTENT = new Set<keyof proto.IMessage>(['conversation', 'extendedTextMessage']);

/** A poll's creation content, whichever of WhatsApp's poll versions carries it. */
export function pollCreationOf(
  content: proto.IMessage | null | undefined,
): proto.Message.IPollCreationMessage | undefined {
  return (
    content?.pollCreationMessage ??
    content?.pollCreationMessageV2 ??
    content?.pollCreationMessageV3 ??
    content?.pollCreationMessageV5 ??
    undefined
  );
}

/** The kind of a message's (normalised) content of `contentType`, with its media or structured fields. */
export function receivedKind(content: proto.IMessage, contentType: keyof proto.IMessage): ReceivedKind {
  const mediaType = MEDIA_TYPE_BY_CONTENT[contentType];
  if (mediaType) {
    const fields = content[contentType] as MediaFields;
    return { type: fields.ptt ? 'voice' : mediaType, media: mediaOf(fields), content: null };
  }
  const structured = structuredContentOf(content);
  if (structured)
    return { type: structured.kind === 'contacts' ? 'contact' : structured.kind, media: null, content: structured };
  return { type: TEXT_CONTENT.has(contentType) ? 'text' : 'other', media: null, content: null };
}

function mediaOf(fields: MediaFields): IncomingMedia {
  const size = fields.fileLength;
  return {
    mimetype: fields.mimetype ?? null,
    size: typeof size === 'number' ? size : size ? size.toNumber() : null,
    filename: fields.fileName ?? null,
    seconds: fields.seconds ?? null,
  };
}

function structuredContentOf(content: proto.IMessage): StructuredContent | null {
  const location = content.locationMessage ?? content.liveLocationMessage;
  if (location) {
    const { name, address } = content.locationMessage ?? {};
    return {
      kind: 'location',
      latitude: location.degreesLatitude ?? 0,
      longitude: location.degreesLongitude ?? 0,
      ...(name ? { name } : {}),
      ...(address ? { address } : {}),
    };
  }
  const cards = content.contactMessage ? [content.contactMessage] : content.contactsArrayMessage?.contacts;
  if (cards) {
    // A card's own name wins; WhatsApp's display name stands in for a vCard without one.
    const contacts = cards.map((card) => {
      const contact = contactOfVcard(card.vcard ?? '');
      return { ...contact, name: contact.name || card.displayName || '' };
    });
    return { kind: 'contacts', contacts };
  }
  const poll = pollCreationOf(content);
  if (poll) {
    return {
      kind: 'poll',
      question: poll.name ?? '',
      options: (poll.options ?? []).map((option) => option.optionName ?? ''),
      // 0 lets a voter pick any number of options; only 1 makes a single-choice poll.
      multipleAnswers: poll.selectableOptionsCount !== 1,
    };
  }
  return null;
}
