import { pipeline } from 'node:stream/promises';
import type { Kirim } from '@kirim/core';
import type { Router } from 'express';
import { actorOf } from '../auth.js';

/**
 * A stored message's media, streamed from WhatsApp as it is decrypted. Mounted with the other routes under
 * `/whatsapp/messages/:messageId`, after the `/whatsapp/messages` routes whose paths its `:messageId` would take.
 */
export function messageMediaRoutes(router: Router, kirim: Kirim): void {
  router.get('/whatsapp/messages/:messageId/media', async (req, res) => {
    const file = await kirim.messageMedia.download(actorOf(req), req.params.messageId);
    // `attachment` writes the filename as RFC 6266 says (content-disposition), non-ASCII names included.
    res.attachment(file.filename).type(file.mimetype);
    if (file.size !== null) res.setHeader('Content-Length', file.size);
    // Once the headers are out, a failure can only cut the response short. pipeline destroys both ends either way,
    // so a client that leaves mid-stream ends the download from WhatsApp at once.
    await pipeline(file.data, res).catch(() => undefined);
  });
}
