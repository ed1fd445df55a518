import type { JsonSchema } from '@kirim/core/schemas';
import { input, type RouteDoc } from './route-doc.js';

const nullableString = { type: ['string', 'null'] } as const;

const numberCheck: JsonSchema = {
  type: 'object',
  properties: {
    phone: { type: 'string', description: 'E.164 digits without `+`' },
    exists: { type: 'boolean', description: 'The number has a WhatsApp account' },
    jid: { ...nullableString, description: 'Its user JID, when on WhatsApp' },
    lid: { ...nullableString, description: 'Its LID, when WhatsApp told it' },
  },
  required: ['phone', 'exists', 'jid', 'lid'],
};

const blockedProperties = { phone: nullableString, jid: { type: 'string' } };
const blocked: JsonSchema = { type: 'object', properties: blockedProperties, required: ['phone', 'jid'] };

/** A block or unblock's answer: the user, and whether now blocked. */
const blockAnswer = (now: boolean): JsonSchema => ({
  type: 'object',
  properties: { ...blockedProperties, blocked: { const: now } },
  required: ['phone', 'jid', 'blocked'],
});

const phoneInPath =
  '`phone` is a phone number in any spelling (`+62 812-3456-7890`, `081234567890`, a user JID); a bad one is a `422` ' +
  'naming `phone`.';

/** Numbers on WhatsApp, contacts' profiles, the linked account's own profile and its blocklist. */
export const PROFILE_ROUTES: RouteDoc[] = [
  {
    method: 'post',
    path: '/whatsapp/sessions/:id/check-numbers',
    tag: 'Numbers and profiles',
    summary: 'Which of 1 to 50 phone numbers are on WhatsApp, with each one’s JID and LID',
    description:
      'Answers in the order asked. Each number’s answer is kept a day in the database, shared by every session and ' +
      'server: only numbers not asked within a day are asked of WhatsApp, in one question that waits for the ' +
      'session’s turn like a send (its `min_gap_ms` and `jitter_ms`), because WhatsApp bans number-checking sprees. ' +
      'A bad number is a `422` naming it by index (`phones.3`).',
    body: input('checkNumbers'),
    example: { phones: ['+62 812-3456-7890', '081234567891'] },
    answer: { data: { type: 'array', items: numberCheck } },
    errors: [503],
  },
  {
    method: 'get',
    path: '/whatsapp/sessions/:id/profile/:phone',
    tag: 'Numbers and profiles',
    summary: 'A contact’s public profile: picture URL, about text and business profile',
    description: `Each is null where the contact has none or their privacy settings hide it. ${phoneInPath}`,
    answer: {
      data: {
        type: 'object',
        properties: {
          phone: { type: 'string' },
          jid: { type: 'string' },
          picture_url: { ...nullableString, description: 'A temporary URL of the full-size picture on WhatsApp' },
          about: nullableString,
          business: {
            type: ['object', 'null'],
            description: 'Null unless a business account',
            properties: {
              description: nullableString,
              category: nullableString,
              email: nullableString,
              website: nullableString,
              address: nullableString,
            },
            required: ['description', 'category', 'email', 'website', 'address'],
          },
        },
        required: ['phone', 'jid', 'picture_url', 'about', 'business'],
      },
    },
    errors: [503],
  },
  {
    method: 'patch',
    path: '/whatsapp/sessions/:id/profile',
    tag: 'Numbers and profiles',
    summary: 'Change the linked account’s own name, about text or picture',
    description:
      '`picture_url` is fetched through the same guard as media (no private addresses, size and time limits) and ' +
      'made a 640×640 JPEG, cropped to its centre, as WhatsApp shows profile pictures. Answers the fields changed.',
    body: input('ownProfile'),
    example: { name: 'Toko Kirim', about: 'Buka 08.00–17.00' },
    answer: {
      data: {
        type: 'object',
        properties: { name: { type: 'string' }, about: { type: 'string' }, picture_url: { type: 'string' } },
      },
      message: 'Profile updated',
    },
    errors: [503],
  },
  {
    method: 'get',
    path: '/whatsapp/sessions/:id/blocklist',
    tag: 'Numbers and profiles',
    summary: 'The users the linked account blocks',
    answer: { data: { type: 'array', items: blocked } },
    errors: [503],
  },
  {
    method: 'post',
    path: '/whatsapp/sessions/:id/blocklist/:phone',
    tag: 'Numbers and profiles',
    summary: 'Block a phone number: its messages and calls no longer reach the account',
    description: phoneInPath,
    answer: {
      data: blockAnswer(true),
      message: 'Blocked',
    },
    errors: [503],
  },
  {
    method: 'delete',
    path: '/whatsapp/sessions/:id/blocklist/:phone',
    tag: 'Numbers and profiles',
    summary: 'Unblock a phone number',
    description: phoneInPath,
    answer: {
      data: blockAnswer(false),
      message: 'Unblocked',
    },
    errors: [503],
  },
];
