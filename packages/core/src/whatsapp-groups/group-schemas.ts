import { z } from 'zod';
import { phoneSchema } from '../contacts/phone.js';
import { groupJid } from '../outbox/outbox-schemas.js';
import type { GroupRole, ParticipantAction } from '../transport/transport.js';

/** How many participants one request names at most. */
export const MAX_GROUP_PARTICIPANTS = 50;

const participants = (cc: string) => z.array(phoneSchema(cc)).min(1).max(MAX_GROUP_PARTICIPANTS);

/** A `{groupId}` path segment: a group JID (`…@g.us`), named `groupId` when it is not one. */
export const groupIdSchema = z.object({ groupId: groupJid });

/** `POST /sessions/{id}/groups`: a new group's subject (WhatsApp allows 100 characters) and its first members. */
export const createGroupSchema = (cc: string) =>
  z.strictObject({ subject: z.string().trim().min(1).max(100), participants: participants(cc) });
export type CreateGroupInput = z.input<ReturnType<typeof createGroupSchema>>;

/** `PATCH /sessions/{id}/groups/{groupId}`: at least one of subject, description ("" clears it) and the two settings. */
export const updateGroupSchema = z
  .strictObject({
    subject: z.string().trim().min(1).max(100).optional(),
    description: z.string().max(2048).optional(),
    announce_only: z.boolean().optional(),
    locked: z.boolean().optional(),
  })
  .refine((value) => Object.values(value).some((field) => field !== undefined), {
    message: 'give at least one of subject, description, announce_only, locked',
  });
export type UpdateGroupInput = z.input<typeof updateGroupSchema>;

/** `POST /sessions/{id}/groups/{groupId}/participants`: what to do to which members. */
export const groupParticipantsSchema = (cc: string) =>
  z.strictObject({
    action: z.enum(['add', 'remove', 'promote', 'demote'] satisfies ParticipantAction[]),
    participants: participants(cc),
  });
export type GroupParticipantsInput = z.input<ReturnType<typeof groupParticipantsSchema>>;

/**
 * What became of one participant: `ok`; `not_on_whatsapp` (an add of a number not on WhatsApp); `not_authorized`
 * (the session is not an admin, or the person's privacy settings refuse being added); `already_member`; `not_member`
 * (a remove, promote or demote of someone not in the group); `recently_left` (WhatsApp refuses adding them again so
 * soon); `group_full`; `failed` (any other answer).
 */
export const PARTICIPANT_RESULTS = [
  'ok',
  'not_on_whatsapp',
  'not_authorized',
  'already_member',
  'not_member',
  'recently_left',
  'group_full',
  'failed',
] as const;
export type ParticipantResult = (typeof PARTICIPANT_RESULTS)[number];

/** One participant of a create or a members change, with its result. */
export interface GroupParticipantResult {
  phone: string;
  result: ParticipantResult;
}

/** A group as `GET /sessions/{id}/groups/{groupId}` answers it. */
export interface GroupView {
  group_id: string;
  subject: string;
  description: string | null;
  owner: string | null;
  participants: Array<{ jid: string; phone: string | null; lid: string | null; role: GroupRole }>;
  announce_only: boolean;
  locked: boolean;
  created_at: string | null;
}

/** A group's invite link and its code. */
export interface GroupInviteLink {
  group_id: string;
  invite_code: string;
  invite_link: string;
}
