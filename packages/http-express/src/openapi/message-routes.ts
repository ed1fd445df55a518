import { input, type RouteDoc } from './route-doc.js';

const SENT = 'Message sent successfully';
const QUEUED =
  'Message queued: held by a rate limit or a reconnecting device; follow its status in the history or by webhook';
// A send names its device (`session_id`) or a pool; a pool is a Supporter feature and needs a connected member.
const SEND_ERRORS = [402, 404, 409, 429, 503];
const idempotent =
  'Give an `Idempotency-Key` header to make a retry safe: the same key answers with the first request’s message.';

const send = (path: string, summary: string, schema: Parameters<typeof input>[0], example: unknown): RouteDoc => ({
  method: 'post',
  path,
  tag: 'Sending',
  summary,
  description: `Exactly one of \`session_id\` or \`pool_id\`. ${idempotent}`,
  body: input(schema),
  example,
  answer: { data: 'SendResult', message: SENT, also: { 202: QUEUED } },
  errors: SEND_ERRORS,
});

const session = 'my-device-8f14e45f_1717000000';
const image = { media_url: 'https://example.com/catalogue.jpg', type: 'image', caption: 'Our new catalogue' };

/** Sends, bulk jobs, scheduled messages and send pools. */
export const MESSAGE_ROUTES: RouteDoc[] = [
  send(
    '/whatsapp/messages/text',
    'Send a text to a phone number; its first link is previewed unless `link_preview` is false',
    'sendText',
    { session_id: session, to: '6281234567890', message: 'Hello from Kirim! https://kirim.dev' },
  ),
  send(
    '/whatsapp/messages/media',
    'Send an image, video, audio, voice note (Ogg/Opus), document or sticker fetched from `media_url`',
    'sendMedia',
    { session_id: session, to: '6281234567890', ...image },
  ),
  send('/whatsapp/messages/group/text', 'Send a text to a group', 'sendGroupText', {
    session_id: session,
    group_id: '120363025246125486@g.us',
    message: 'Meeting at 10:00',
  }),
  send('/whatsapp/messages/group/media', 'Send media to a group', 'sendGroupMedia', {
    session_id: session,
    group_id: '120363025246125486@g.us',
    ...image,
  }),
  send(
    '/whatsapp/messages/location',
    'Send a location to a phone number (`to`) or a group (`group_id`)',
    'sendLocation',
    {
      session_id: session,
      to: '6281234567890',
      latitude: -6.175392,
      longitude: 106.827153,
      name: 'Monas',
      address: 'Gambir, Jakarta Pusat',
    },
  ),
  send(
    '/whatsapp/messages/contact',
    'Send 1 to 20 contact cards (vCards) to a phone number or a group',
    'sendContact',
    {
      session_id: session,
      to: '6281234567890',
      contacts: [{ name: 'Budi Santoso', phone: '6289876543210', organization: 'Toko Budi' }],
    },
  ),
  send('/whatsapp/messages/poll', 'Send a poll (2 to 12 distinct options) to a phone number or a group', 'sendPoll', {
    session_id: session,
    group_id: '120363025246125486@g.us',
    question: 'Lunch on Friday?',
    options: ['Soto', 'Sate', 'Nasi goreng'],
    multiple_answers: false,
  }),
  send(
    '/whatsapp/messages/sticker',
    'Send a sticker (a WebP, or a PNG/JPEG made into a 512×512 WebP) to a phone number or a group',
    'sendSticker',
    { session_id: session, to: '6281234567890', media_url: 'https://example.com/thumbs-up.png' },
  ),
  {
    method: 'post',
    path: '/whatsapp/messages/bulk/text',
    tag: 'Bulk jobs',
    summary: 'Queue a personalised text to many recipients (`contacts[]` or `contact_group_id`), paced by `delay`',
    body: input('bulkText'),
    example: { session_id: session, contacts: ['6281234567890', '6289876543210'], message: 'Hi {name}!', delay: 5000 },
    answer: { status: 201, data: 'BulkJob', message: 'Bulk job queued for 2 recipients' },
    errors: [402, 404],
  },
  {
    method: 'post',
    path: '/whatsapp/messages/bulk/media',
    tag: 'Bulk jobs',
    summary: 'Queue media with a personalised caption to many recipients',
    body: input('bulkMedia'),
    example: { session_id: session, contact_group_id: '2a3dd333-830e-4df5-b8dc-d9846b7d31d6', ...image },
    answer: { status: 201, data: 'BulkJob', message: 'Bulk job queued for 120 recipients' },
    errors: [402, 404],
  },
  {
    method: 'get',
    path: '/whatsapp/messages/bulk',
    tag: 'Bulk jobs',
    summary: "The caller's bulk jobs, newest first, with progress",
    query: input('page'),
    answer: { data: 'BulkJob', paged: true },
  },
  {
    method: 'get',
    path: '/whatsapp/messages/bulk/:jobId/status',
    tag: 'Bulk jobs',
    summary: 'Progress, estimated finish, and a page of the recipients skipped with the reason',
    query: input('bulkStatus'),
    answer: { data: 'BulkJobStatus' },
  },
  {
    method: 'delete',
    path: '/whatsapp/messages/bulk/:jobId',
    tag: 'Bulk jobs',
    summary: 'Cancel a job: nothing more is sent',
    answer: { data: 'BulkJob', message: 'Bulk job cancelled' },
  },
  {
    method: 'post',
    path: '/whatsapp/messages/schedule/text',
    tag: 'Scheduled messages',
    summary: 'Schedule a text for `scheduled_at` (in the future); it fires once, across restarts and processes',
    body: input('scheduleText'),
    example: {
      session_id: session,
      to: '6281234567890',
      message: 'Reminder: pay day!',
      scheduled_at: '2026-07-01T09:00:00+07:00',
    },
    answer: { status: 201, data: 'ScheduledMessage', message: 'Message scheduled' },
    errors: [402, 404],
  },
  {
    method: 'post',
    path: '/whatsapp/messages/schedule/media',
    tag: 'Scheduled messages',
    summary: 'Schedule media for `scheduled_at`',
    body: input('scheduleMedia'),
    example: { session_id: session, to: '6281234567890', ...image, scheduled_at: '2026-07-01T09:00:00+07:00' },
    answer: { status: 201, data: 'ScheduledMessage', message: 'Message scheduled' },
    errors: [402, 404],
  },
  {
    method: 'get',
    path: '/whatsapp/messages/schedule',
    tag: 'Scheduled messages',
    summary: "The caller's scheduled messages",
    query: input('listScheduled'),
    answer: { data: 'ScheduledMessage', paged: true },
  },
  {
    method: 'get',
    path: '/whatsapp/messages/schedule/:id/status',
    tag: 'Scheduled messages',
    summary: '`pending`, `sent`, `failed` (with the error) or `cancelled`',
    answer: { data: 'ScheduledMessage' },
  },
  {
    method: 'delete',
    path: '/whatsapp/messages/schedule/:id',
    tag: 'Scheduled messages',
    summary: 'Cancel a scheduled message',
    answer: { data: 'ScheduledMessage', message: 'Scheduled message cancelled' },
    errors: [409],
  },
  {
    method: 'get',
    path: '/whatsapp/pools',
    tag: 'Send pools',
    summary: "The caller's send pools, with each member's health",
    answer: { data: ['Pool'] },
  },
  {
    method: 'post',
    path: '/whatsapp/pools',
    tag: 'Send pools',
    summary: 'Create a pool: sends to it rotate over its healthy members',
    body: input('createPool'),
    example: { name: 'Sales', session_ids: [session] },
    answer: { status: 201, data: 'Pool', message: 'Pool created' },
    errors: [402],
  },
  { method: 'get', path: '/whatsapp/pools/:id', tag: 'Send pools', summary: 'One pool', answer: { data: 'Pool' } },
  {
    method: ['put', 'patch'],
    path: '/whatsapp/pools/:id',
    tag: 'Send pools',
    summary: 'Change a pool',
    body: input('updatePool'),
    example: { name: 'Sales team' },
    answer: { data: 'Pool', message: 'Pool updated' },
  },
  {
    method: 'delete',
    path: '/whatsapp/pools/:id',
    tag: 'Send pools',
    summary: 'Delete a pool (its sessions stay)',
    answer: { data: null, message: 'Pool deleted' },
  },
  {
    method: 'post',
    path: '/whatsapp/pools/:id/members',
    tag: 'Send pools',
    summary: 'Add sessions to the pool',
    body: input('poolMembers'),
    example: { session_ids: [session] },
    answer: { data: 'Pool', message: 'Members added' },
  },
  {
    method: 'delete',
    path: '/whatsapp/pools/:id/members',
    tag: 'Send pools',
    summary: 'Remove sessions from the pool',
    body: input('poolMembers'),
    example: { session_ids: [session] },
    answer: { data: 'Pool', message: 'Members removed' },
  },
];
