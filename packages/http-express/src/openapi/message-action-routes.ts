import { jsonSchemaOf, storedCopyRemovedSchema } from '@kirim/core/schemas';
import { ref } from './components.js';
import { input, type RouteDoc } from './route-doc.js';

const SENT = 'Message sent successfully';
const QUEUED =
  'Message queued: held by a rate limit or a reconnecting device; follow its status in the history or by webhook';
// The message's session must be connected to act on it.
const ACTION_ERRORS = [503];
const how =
  '`messageId` is the WhatsApp id (`message_id`) of a message stored in one of your sessions; the action goes ' +
  'through that session, as an outbox row answered like a send. Give an `Idempotency-Key` header to make a retry ' +
  'safe. Another user’s message, or one never stored, is a `404`.';

const action = (
  method: 'post' | 'patch' | 'delete',
  path: string,
  summary: string,
  body: Parameters<typeof input>[0] | undefined,
  example: unknown,
): RouteDoc => ({
  method,
  path,
  tag: 'Message actions',
  summary,
  description: how,
  ...(body ? { body: input(body) } : {}),
  ...(example ? { example } : {}),
  answer: { data: 'SendResult', message: SENT, also: { 202: QUEUED } },
  errors: ACTION_ERRORS,
});

/** Reactions, replies, edits, deletes, forwards and reads of a stored message, and the message itself. */
export const MESSAGE_ACTION_ROUTES: RouteDoc[] = [
  action(
    'post',
    '/whatsapp/messages/:messageId/reaction',
    'React with one emoji (`""` removes your reaction)',
    'messageReaction',
    { emoji: '👍' },
  ),
  action(
    'post',
    '/whatsapp/messages/:messageId/reply',
    'Send a text quoting the message, to its chat',
    'messageReply',
    { message: 'Yes, it is still available.' },
  ),
  action(
    'patch',
    '/whatsapp/messages/:messageId',
    'Edit one of your own text messages: WhatsApp allows it for 15 minutes after sending (later: `422` `edit_window_closed`)',
    'messageEdit',
    { message: 'Meeting at 10:30, not 10:00' },
  ),
  {
    ...action(
      'delete',
      '/whatsapp/messages/:messageId',
      'Delete one of your own messages for everyone',
      undefined,
      null,
    ),
    description:
      `${how} With \`?for=me\` only the stored copy is deleted, at once: nothing is sent and any message ` +
      '(incoming too) may be deleted so.',
    query: input('messageDelete'),
    answer: {
      data: { oneOf: [ref('SendResult'), jsonSchemaOf(storedCopyRemovedSchema, 'output')] },
      message: `${SENT} (for=me: Stored copy deleted)`,
      also: { 202: QUEUED },
    },
  },
  action(
    'post',
    '/whatsapp/messages/:messageId/forward',
    'Forward the message to a phone number (`to`) or a group (`group_id`)',
    'messageForward',
    { to: '6281234567890' },
  ),
  action(
    'post',
    '/whatsapp/messages/:messageId/read',
    'Mark a received message, and the earlier received ones of its chat, read: their senders see blue ticks',
    'messageRead',
    null,
  ),
  {
    method: 'get',
    path: '/whatsapp/messages/:messageId',
    tag: 'Message actions',
    summary: 'The stored message: its kind, content, status history, reactions, poll votes, edit and delete times',
    description: how,
    answer: { data: 'Message' },
  },
];
