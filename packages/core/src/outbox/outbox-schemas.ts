import { z } from 'zod';
import { phoneSchema } from '../contacts/phone.js';
import { dateInput, pageSchema } from '../validation.js';

const id = z.string().trim().min(1).max(200);
/** A group's JID (`…@g.us`), as group sends and chat presences take it. */
export const groupJid = z
  .string()
  .trim()
  .regex(/^[\d-]+@g\.us$/, 'must be a group JID ending in @g.us');
/** A JID a text mentions (`@digits` in its text). */
export const mentionJid = z
  .string()
  .trim()
  .regex(/^\d{5,20}@(s\.whatsapp\.net|lid)$/, 'must be a JID such as 6281234567890@s.whatsapp.net');
const mediaType = z.enum(['image', 'video', 'audio', 'document']);
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(2000);

/** Runs cross-field rules even when a field is invalid, so one answer names every offending field. */
export const always = { when: () => true };

/** Exactly one of `session_id` and `pool_id`, named in the error when both or neither are given. */
const routing = { session_id: id.optional(), pool_id: id.optional() };
function oneRoute(value: { session_id?: unknown; pool_id?: unknown }, ctx: z.RefinementCtx) {
  if (!value.session_id === !value.pool_id) {
    const message = value.session_id ? 'give session_id or pool_id, not both' : 'session_id or pool_id is required';
    ctx.addIssue({ code: 'custom', message, path: ['session_id'] });
    ctx.addIssue({ code: 'custom', message, path: ['pool_id'] });
  }
}

/** A message's text: 1 to 65,536 characters. */
export const text = z.string().min(1).max(65_536);
/** Whether a text shows its first link's preview; default yes when it has an http(s) link. */
const linkPreview = z.boolean().optional();
const media = {
  media_url: httpUrl,
  /** `voice`: a voice note (Ogg/Opus); `sticker`: a WebP, or a PNG/JPEG made into one. */
  type: z.enum([...mediaType.options, 'voice', 'sticker']),
  caption: z.string().max(3000).optional(),
  filename: z.string().trim().min(1).max(255).optional(),
  view_once: z.boolean().optional(),
};
// WhatsApp shows images, videos and voice notes once; other media have no such mode.
const VIEW_ONCE_TYPES: readonly string[] = ['image', 'video', 'voice'];
function viewOnceFits(value: { type?: unknown; view_once?: unknown }, ctx: z.RefinementCtx) {
  if (value.view_once === true && typeof value.type === 'string' && !VIEW_ONCE_TYPES.includes(value.type))
    ctx.addIssue({ code: 'custom', message: 'is only for an image, a video or a voice note', path: ['view_once'] });
}
/** A media send with `fields` naming where (and when) it goes. */
const mediaSend = <F extends z.ZodRawShape>(fields: F) =>
  z
    .object({ ...routing, ...fields, ...media })
    .superRefine(oneRoute, always)
    .superRefine(viewOnceFits, always);

/** The recipient (`to`) field for a default country code. */
export const recipient = (cc: string) => phoneSchema(cc);

export const sendTextSchema = (cc: string) =>
  z
    .object({
      ...routing,
      to: recipient(cc),
      message: text,
      quoted_message_id: id.optional(),
      mentions: z.array(mentionJid).max(256).default([]),
      link_preview: linkPreview,
    })
    .superRefine(oneRoute, always);
export const sendMediaSchema = (cc: string) => mediaSend({ to: recipient(cc) });
export const sendGroupTextSchema = z
  .object({
    ...routing,
    group_id: groupJid,
    message: text,
    quoted_message_id: id.optional(),
    mentions: z.array(mentionJid).max(1024).default([]),
    link_preview: linkPreview,
  })
  .superRefine(oneRoute, always);
export const sendGroupMediaSchema = mediaSend({ group_id: groupJid });

/** A send's chat: a user (`to`) or a group (`group_id`). */
export const chat = (cc: string) => ({ to: recipient(cc).optional(), group_id: groupJid.optional() });
/** Exactly one of `to` and `group_id`, named in the error when both or neither are given. */
export function oneChat(value: { to?: unknown; group_id?: unknown }, ctx: z.RefinementCtx) {
  if (!value.to === !value.group_id) {
    const message = value.to ? 'give to or group_id, not both' : 'to or group_id is required';
    ctx.addIssue({ code: 'custom', message, path: ['to'] });
    ctx.addIssue({ code: 'custom', message, path: ['group_id'] });
  }
}
/** A send of a kind that is neither text nor media: strict (a misspelt field is refused), to a user or a group. */
const kindSchema = <F extends z.ZodRawShape>(cc: string, fields: F) =>
  z
    .strictObject({ ...routing, ...chat(cc), ...fields })
    .superRefine(oneRoute, always)
    .superRefine(oneChat, always);

const label = (max: number) => z.string().trim().min(1).max(max);
/** A location: `latitude` ±90, `longitude` ±180, optional `name` and `address`. */
export const sendLocationSchema = (cc: string) =>
  kindSchema(cc, {
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
    name: label(1000).optional(),
    address: label(1000).optional(),
  });
/** 1 to 20 contact cards, each `name` and `phone` (normalised as `to` is), optional `organization`, `email`. */
export const sendContactSchema = (cc: string) =>
  kindSchema(cc, {
    contacts: z
      .array(
        z.strictObject({
          name: label(200),
          phone: recipient(cc),
          organization: label(200).optional(),
          email: z.email().max(320).optional(),
        }),
      )
      .min(1)
      .max(20),
  });
/** A poll: `question`, 2 to 12 distinct `options` (a repeat is named by its index), `multiple_answers`. */
export const sendPollSchema = (cc: string) =>
  kindSchema(cc, {
    question: label(255),
    options: z
      .array(label(100))
      .min(2)
      .max(12)
      .superRefine((options, ctx) =>
        options.forEach((option, i) => {
          if (options.indexOf(option) < i) ctx.addIssue({ code: 'custom', message: 'repeats an option', path: [i] });
        }),
      ),
    multiple_answers: z.boolean().default(false),
  });

/** A sticker: `media_url` (a WebP, or a PNG/JPEG the server makes into a 512×512 WebP). */
export const sendStickerSchema = (cc: string) => kindSchema(cc, { media_url: httpUrl });

/** Scheduled sends: as the immediate ones, plus `scheduled_at` in the future. */
export const scheduleTextSchema = (cc: string) =>
  z
    .object({ ...routing, to: recipient(cc), message: text, link_preview: linkPreview, scheduled_at: dateInput })
    .superRefine(oneRoute, always);
export const scheduleMediaSchema = (cc: string) => mediaSend({ to: recipient(cc), scheduled_at: dateInput });

/** Bulk sends: `contacts[]` or `contact_group_id`; `message` or `template_id`; `delay` ms between sends. */
const bulkBase = {
  ...routing,
  contacts: z
    .array(z.union([z.string(), z.number(), z.object({ phone: z.union([z.string(), z.number()]) }).passthrough()]))
    .min(1)
    .max(100_000)
    .optional(),
  contact_group_id: z.uuid().optional(),
  template_id: z.uuid().optional(),
  delay: z.coerce.number().int().min(0).max(3_600_000).default(0),
  mentions: z.array(mentionJid).max(256).default([]),
  /** Spintax seed; a personalised preview with the same seed shows exactly what is sent. */
  seed: z.string().max(200).optional(),
};
function oneAudience<T extends { contacts?: unknown[]; contact_group_id?: string }>(value: T, ctx: z.RefinementCtx) {
  if (!value.contacts === !value.contact_group_id) {
    const message = value.contacts
      ? 'give contacts or contact_group_id, not both'
      : 'contacts or contact_group_id is required';
    ctx.addIssue({ code: 'custom', message, path: ['contacts'] });
    ctx.addIssue({ code: 'custom', message, path: ['contact_group_id'] });
  }
}
function oneContent<T extends { message?: string; template_id?: string }>(value: T, ctx: z.RefinementCtx) {
  if (!value.message === !value.template_id) {
    const message = value.message ? 'give message or template_id, not both' : 'message or template_id is required';
    ctx.addIssue({ code: 'custom', message, path: ['message'] });
    ctx.addIssue({ code: 'custom', message, path: ['template_id'] });
  }
}
export const bulkTextSchema = z
  .object({ ...bulkBase, message: text.optional() })
  .superRefine(oneRoute, always)
  .superRefine(oneAudience, always)
  .superRefine(oneContent, always);
export const bulkMediaSchema = z
  .object({
    ...bulkBase,
    media_url: httpUrl,
    type: mediaType,
    caption: z.string().max(3000).optional(),
    filename: media.filename,
    message: z.string().max(3000).optional(),
  })
  .superRefine(oneRoute, always)
  .superRefine(oneAudience, always);

export const listSchema = pageSchema.extend({ status: z.string().trim().max(20).optional() });

/** What immediate and scheduled sends and the scheduled list take, for default country code `cc`, by method name. */
export function sendSchemas(cc: string) {
  return {
    sendText: sendTextSchema(cc),
    sendMedia: sendMediaSchema(cc),
    sendGroupText: sendGroupTextSchema,
    sendGroupMedia: sendGroupMediaSchema,
    sendLocation: sendLocationSchema(cc),
    sendContact: sendContactSchema(cc),
    sendPoll: sendPollSchema(cc),
    sendSticker: sendStickerSchema(cc),
    scheduleText: scheduleTextSchema(cc),
    scheduleMedia: scheduleMediaSchema(cc),
    listScheduled: listSchema,
  };
}
