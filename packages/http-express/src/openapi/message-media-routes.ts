import type { RouteDoc } from './route-doc.js';

/** A stored message's media, fetched from WhatsApp on demand. */
export const MESSAGE_MEDIA_ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/whatsapp/messages/:messageId/media',
    tag: 'Message actions',
    summary: 'Download the media of a message: the decrypted bytes, with their type and filename',
    description:
      '`messageId` is the WhatsApp id (`message_id`) of a message stored in one of your sessions, received or sent, ' +
      'whose `media` is set. The bytes stream from WhatsApp’s media hosts as they are decrypted (nothing is stored), ' +
      'with `Content-Type`, `Content-Disposition` (the filename) and `Content-Length` when WhatsApp announced it; any ' +
      'server sharing the database answers. When WhatsApp no longer has the file, the server connected to the ' +
      'session asks the phone to upload it again (a `503` from another server, or when the phone does not). Another ' +
      'user’s message, one without media, or one naming its media on a host that is not WhatsApp’s (the sender wrote ' +
      'it) is a `404` naming `message_id`. A type the sender gave that HTTP cannot carry is served as ' +
      '`application/octet-stream`.',
    answer: { raw: { 'application/octet-stream': { type: 'string', contentMediaType: 'application/octet-stream' } } },
    errors: [503],
  },
];
