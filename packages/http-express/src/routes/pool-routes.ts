import type { Kirim } from '@kirim/core';
import type { Request, Response, Router } from 'express';
import { actorOf } from '../auth.js';
import { ok } from '../envelope.js';

/** Send pools (rotators) under `/whatsapp/pools`. */
export function poolRoutes(router: Router, kirim: Kirim): void {
  router.get('/whatsapp/pools', async (req, res) => {
    res.json(ok(await kirim.pools.list(actorOf(req))));
  });
  router.post('/whatsapp/pools', async (req, res) => {
    res.status(201).json(ok(await kirim.pools.create(actorOf(req), req.body), 'Pool created'));
  });
  router.get('/whatsapp/pools/:id', async (req, res) => {
    res.json(ok(await kirim.pools.get(actorOf(req), req.params.id)));
  });
  const update = async (req: Request<{ id: string }>, res: Response) => {
    res.json(ok(await kirim.pools.update(actorOf(req), req.params.id, req.body), 'Pool updated'));
  };
  router.route('/whatsapp/pools/:id').put(update).patch(update);
  router.delete('/whatsapp/pools/:id', async (req, res) => {
    await kirim.pools.remove(actorOf(req), req.params.id);
    res.json(ok(null, 'Pool deleted'));
  });
  router.post('/whatsapp/pools/:id/members', async (req, res) => {
    res.json(ok(await kirim.pools.addMembers(actorOf(req), req.params.id, req.body), 'Members added'));
  });
  router.delete('/whatsapp/pools/:id/members', async (req, res) => {
    res.json(ok(await kirim.pools.removeMembers(actorOf(req), req.params.id, req.body), 'Members removed'));
  });
}
