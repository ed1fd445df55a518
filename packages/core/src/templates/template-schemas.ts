import { z } from 'zod';
import { optionalText } from '../contacts/contact-schemas.js';
import { listQuerySchema, looseBoolean, writeSchemas } from '../validation.js';

export const MESSAGE_TYPES = ['text', 'image', 'video', 'audio', 'document'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** A reusable message with placeholders and spintax. */
export interface Template {
  id: string;
  user_id: string;
  name: string;
  content: string;
  message_type: MessageType;
  media_url: string | null;
  caption: string | null;
  is_active: boolean;
  /** The placeholders the content and caption use. */
  placeholders: string[];
  created_at: string;
  updated_at: string;
}

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(2000);

const fields = {
  name: z.string().trim().min(1).max(200),
  content: z.string().min(1).max(10_000),
  message_type: z.enum(MESSAGE_TYPES),
  media_url: z.preprocess((v) => (v === '' ? null : v), httpUrl.nullable().optional()),
  caption: optionalText(3000),
  is_active: looseBoolean,
};

/** What creating a template takes (a text and active unless told), and updating one (any of those fields). */
export const { create: createTemplateSchema, update: updateTemplateSchema } = writeSchemas(fields, {
  message_type: 'text',
  is_active: true,
});
export type CreateTemplateInput = z.input<typeof createTemplateSchema>;
export type UpdateTemplateInput = z.input<typeof updateTemplateSchema>;

export const listTemplatesSchema = listQuerySchema({ message_type: z.enum(MESSAGE_TYPES).optional() });

export const duplicateTemplateSchema = z.object({ name: z.string().trim().min(1).max(200).optional() });
