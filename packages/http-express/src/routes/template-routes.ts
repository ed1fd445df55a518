import type { Kirim } from '@kirim/core';
import type { Request, Response, Router } from 'express';
import { actorOf } from '../auth.js';
import { ok, paged } from '../envelope.js';

/** Message templates. */
export function templateRoutes(router: Router, kirim: Kirim): void {
  router.get('/templates', async (req, res) => {
    res.json(paged(await kirim.templates.list(actorOf(req), req.query)));
  });

  router.post('/templates', async (req, res) => {
    res.status(201).json(ok(await kirim.templates.create(actorOf(req), req.body), 'Template created'));
  });

  router.get('/templates/:id', async (req, res) => {
    res.json(ok(await kirim.templates.get(actorOf(req), req.params.id)));
  });

  const update = async (req: Request<{ id: string }>, res: Response) => {
    res.json(ok(await kirim.templates.update(actorOf(req), req.params.id, req.body), 'Template updated'));
  };
  router.route('/templates/:id').put(update).patch(update);

  router.delete('/templates/:id', async (req, res) => {
    await kirim.templates.remove(actorOf(req), req.params.id);
    res.json(ok(null, 'Template deleted'));
  });

  router.post('/templates/:id/duplicate', async (req, res) => {
    res
      .status(201)
      .json(ok(await kirim.templates.duplicate(actorOf(req), req.params.id, req.body), 'Template duplicated'));
  });
}
