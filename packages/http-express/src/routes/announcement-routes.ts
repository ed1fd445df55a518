import type { Kirim } from '@kirim/core';
import type { Request, Response, Router } from 'express';
import { actorOf } from '../auth.js';
import { ok, paged } from '../envelope.js';

/** `GET /announcements` and `GET /announcements/{id}`: public, only visible announcements. */
export function publicAnnouncementRoutes(router: Router, kirim: Kirim): void {
  router.get('/announcements', async (_req, res) => {
    res.json(ok(await kirim.announcements.listVisible()));
  });

  router.get('/announcements/:id', async (req, res, next) => {
    // `/announcements/admin` is the authenticated admin list, registered after auth.
    if (req.params.id === 'admin') return next();
    res.json(ok(await kirim.announcements.getVisible(req.params.id)));
  });
}

/** Admin management under `/announcements/admin`. */
export function announcementRoutes(router: Router, kirim: Kirim): void {
  router.get('/announcements/admin', async (req, res) => {
    res.json(paged(await kirim.announcements.list(actorOf(req), req.query)));
  });

  router.post('/announcements/admin', async (req, res) => {
    res.status(201).json(ok(await kirim.announcements.create(actorOf(req), req.body), 'Announcement created'));
  });

  router.get('/announcements/admin/:id', async (req, res) => {
    res.json(ok(await kirim.announcements.get(actorOf(req), req.params.id)));
  });

  const update = async (req: Request<{ id: string }>, res: Response) => {
    res.json(ok(await kirim.announcements.update(actorOf(req), req.params.id, req.body), 'Announcement updated'));
  };
  router.route('/announcements/admin/:id').put(update).patch(update);

  router.delete('/announcements/admin/:id', async (req, res) => {
    await kirim.announcements.remove(actorOf(req), req.params.id);
    res.json(ok(null, 'Announcement deleted'));
  });

  router.post('/announcements/admin/:id/toggle', async (req, res) => {
    res.json(ok(await kirim.announcements.toggle(actorOf(req), req.params.id), 'Announcement toggled'));
  });
}
