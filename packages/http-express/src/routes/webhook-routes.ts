import type { Kirim } from '@kirim/core';
import type { Router } from 'express';
import { actorOf } from '../auth.js';
import { ok, paged } from '../envelope.js';

/** `/webhooks`: subscriptions, their delivery log and manual redelivery. */
export function webhookRoutes(router: Router, kirim: Kirim): void {
  router.get('/webhooks', async (req, res) => {
    res.json(ok(await kirim.webhooks.list(actorOf(req))));
  });

  router.post('/webhooks', async (req, res) => {
    const webhook = await kirim.webhooks.create(actorOf(req), req.body);
    // The signing secret must not be kept by any cache on the way.
    res.status(201).set('Cache-Control', 'no-store').json(ok(webhook, 'Webhook created; its secret is shown only now'));
  });

  router.get('/webhooks/:id', async (req, res) => {
    res.json(ok(await kirim.webhooks.get(actorOf(req), req.params.id)));
  });

  router.delete('/webhooks/:id', async (req, res) => {
    await kirim.webhooks.remove(actorOf(req), req.params.id);
    res.json(ok(null, 'Webhook deleted'));
  });

  router.get('/webhooks/:id/deliveries', async (req, res) => {
    res.json(paged(await kirim.webhooks.deliveries(actorOf(req), req.params.id, req.query)));
  });

  router.post('/webhooks/:id/deliveries/:deliveryId/redeliver', async (req, res) => {
    res
      .status(202)
      .json(
        ok(await kirim.webhooks.redeliver(actorOf(req), req.params.id, req.params.deliveryId), 'Delivery queued again'),
      );
  });
}
