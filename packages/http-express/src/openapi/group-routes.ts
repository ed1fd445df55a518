import { PARTICIPANT_RESULTS } from '@kirim/core';
import { input, type RouteDoc } from './route-doc.js';

const group = '/whatsapp/sessions/:id/groups/:groupId';
const participantResults = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      phone: { type: 'string' },
      result: { type: 'string', enum: [...PARTICIPANT_RESULTS] },
    },
  },
};
const groupView = {
  type: 'object',
  properties: {
    group_id: { type: 'string' },
    subject: { type: 'string' },
    description: { type: ['string', 'null'] },
    owner: { type: ['string', 'null'] },
    participants: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          jid: { type: 'string' },
          phone: { type: ['string', 'null'] },
          lid: { type: ['string', 'null'] },
          role: { type: 'string', enum: ['superadmin', 'admin', 'member'] },
        },
      },
    },
    announce_only: { type: 'boolean' },
    locked: { type: 'boolean' },
    created_at: { type: ['string', 'null'], format: 'date-time' },
  },
};
const inviteLink = {
  type: 'object',
  properties: { group_id: { type: 'string' }, invite_code: { type: 'string' }, invite_link: { type: 'string' } },
};
// Every group route asks WhatsApp live: 503 when the session is not connected here, 403 when WhatsApp refuses.
const live = [403, 503];

/** WhatsApp groups run live through a session; `{groupId}` is a `…@g.us` JID. */
export const GROUP_ROUTES: RouteDoc[] = [
  {
    method: 'post',
    path: '/whatsapp/sessions/:id/groups',
    tag: 'Groups',
    summary: 'Create a group with participants: its group_id and a result per participant',
    body: input('createGroup'),
    example: { subject: 'Promo team', participants: ['6281234567890', '6281234567891'] },
    answer: {
      status: 201,
      data: {
        type: 'object',
        properties: { group_id: { type: 'string' }, subject: { type: 'string' }, participants: participantResults },
      },
      message: 'Group created',
    },
    errors: [503],
  },
  {
    method: 'get',
    path: group,
    tag: 'Groups',
    summary: 'Live metadata: subject, description, owner, participants with roles, settings',
    answer: { data: groupView },
    errors: live,
  },
  {
    method: 'patch',
    path: group,
    tag: 'Groups',
    summary: 'Change the subject, description, announce_only (only admins send) or locked (only admins edit info)',
    body: input('updateGroup'),
    example: { subject: 'Promo team 2026', announce_only: true },
    answer: { data: groupView, message: 'Group updated' },
    errors: live,
  },
  {
    method: 'post',
    path: `${group}/participants`,
    tag: 'Groups',
    summary: 'Add, remove, promote or demote participants: a result per participant',
    body: input('groupParticipants'),
    example: { action: 'add', participants: ['6281234567892'] },
    answer: {
      data: {
        type: 'object',
        properties: { group_id: { type: 'string' }, action: { type: 'string' }, participants: participantResults },
      },
    },
    errors: live,
  },
  {
    method: 'get',
    path: `${group}/invite-link`,
    tag: 'Groups',
    summary: "The group's invite link (admins only)",
    answer: { data: inviteLink },
    errors: live,
  },
  {
    method: 'delete',
    path: `${group}/invite-link`,
    tag: 'Groups',
    summary: 'Revoke the invite link: answers the new one',
    answer: { data: inviteLink, message: 'Invite link revoked' },
    errors: live,
  },
  {
    method: 'post',
    path: `${group}/leave`,
    tag: 'Groups',
    summary: 'The session leaves the group',
    answer: {
      data: { type: 'object', properties: { group_id: { type: 'string' }, left: { type: 'boolean' } } },
      message: 'Left the group',
    },
    errors: live,
  },
];
