import type { Kirim } from '@kirim/core';
import type { Router } from 'express';
import { actorOf } from '../auth.js';
import { ok } from '../envelope.js';
import { answer, keyOf } from './message-routes.js';

/** The actions posted to `/whatsapp/messages/:messageId/<path>`, each answered as a send: path → method. */
const POSTED_ACTIONS = {
  reaction: 'react',
  reply: 'reply',
  forward: 'forward',
  read: 'read',
} as const satisfies Record<string, keyof Kirim['messages']>;

/**
 * Actions on a stored message by its WhatsApp id. Mounted after the other `/whatsapp/messages` routes: its
 * `:messageId` would otherwise take their paths (`bulk`, `schedule`).
 */
export function messageActionRoutes(router: Router, kirim: Kirim): void {
  for (const [path, action] of Object.entries(POSTED_ACTIONS))
    router.post(`/whatsapp/messages/:messageId/${path}`, async (req, res) =>
      answer(res, await kirim.messages[action](actorOf(req), req.params.messageId, req.body, keyOf(req))),
    );
  router.patch('/whatsapp/messages/:messageId', async (req, res) =>
    answer(res, await kirim.messages.edit(actorOf(req), req.params.messageId, req.body, keyOf(req))),
  );
  router.delete('/whatsapp/messages/:messageId', async (req, res) => {
    const result = await kirim.messages.remove(actorOf(req), req.params.messageId, req.query, keyOf(req));
    if ('deleted_for' in result) res.json(ok(result, 'Stored copy deleted'));
    else answer(res, result);
  });
  router.get('/whatsapp/messages/:messageId', async (req, res) => {
    res.json(ok(await kirim.messages.get(actorOf(req), req.params.messageId)));
  });
}
