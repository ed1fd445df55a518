import { z } from 'zod';
import { optionalText } from '../contacts/contact-schemas.js';
import { exactlyOneOf, listQuerySchema, looseBoolean, writeSchemas } from '../validation.js';

/** A named set of contacts, for sending and personalisation. */
export interface ContactGroup {
  id: string;
  user_id: string;
  name: string;
  description: string | null;
  color: string;
  is_active: boolean;
  /** Members, active or not. */
  contacts_count: number;
  created_at: string;
  updated_at: string;
}

const fields = {
  name: z.string().trim().min(1).max(200),
  description: optionalText(2000),
  color: z.string().regex(/^#[0-9A-Fa-f]{6}$/, 'must be a colour like #2196F3'),
  is_active: looseBoolean,
};

/** What creating a contact group takes (blue and active unless told), and updating one (any of those fields). */
export const { create: createContactGroupSchema, update: updateContactGroupSchema } = writeSchemas(fields, {
  color: '#2196F3',
  is_active: true,
});
export type CreateContactGroupInput = z.input<typeof createContactGroupSchema>;
export type UpdateContactGroupInput = z.input<typeof updateContactGroupSchema>;

export const listContactGroupsSchema = listQuerySchema({});

export const groupMembersSchema = z.object({ contact_ids: z.array(z.uuid()).min(1).max(10_000) });

/** A preview of `template` (the text) or `template_id` (a saved template), exactly one of them. */
export const personalizedPreviewSchema = z
  .object({
    template: z.string().min(1).max(10_000).optional(),
    template_id: z.uuid().optional(),
    /** Optional spintax seed; a bulk send given the same seed sends exactly what the preview shows. */
    seed: z.string().max(200).optional(),
  })
  .superRefine(exactlyOneOf('template', 'template_id'), { when: () => true });
