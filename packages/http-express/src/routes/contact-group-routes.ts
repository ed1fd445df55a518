import type { Kirim } from '@kirim/core';
import type { Request, Response, Router } from 'express';
import { actorOf } from '../auth.js';
import { ok, paged } from '../envelope.js';

/** Contact groups, their members, and `GET /test-contact-groups` (the caller's own groups). */
export function contactGroupRoutes(router: Router, kirim: Kirim): void {
  const list = async (req: Request, res: Response) => {
    res.json(paged(await kirim.contactGroups.list(actorOf(req), req.query)));
  };
  router.get('/contact-groups', list);
  router.get('/test-contact-groups', list);

  router.post('/contact-groups', async (req, res) => {
    res.status(201).json(ok(await kirim.contactGroups.create(actorOf(req), req.body), 'Contact group created'));
  });

  router.get('/contact-groups/:id', async (req, res) => {
    res.json(ok(await kirim.contactGroups.get(actorOf(req), req.params.id)));
  });

  const update = async (req: Request<{ id: string }>, res: Response) => {
    res.json(ok(await kirim.contactGroups.update(actorOf(req), req.params.id, req.body), 'Contact group updated'));
  };
  router.route('/contact-groups/:id').put(update).patch(update);

  router.delete('/contact-groups/:id', async (req, res) => {
    await kirim.contactGroups.remove(actorOf(req), req.params.id);
    res.json(ok(null, 'Contact group deleted'));
  });

  router.post('/contact-groups/:id/contacts', async (req, res) => {
    const result = await kirim.contactGroups.addContacts(actorOf(req), req.params.id, req.body);
    res.json(ok(result, `${result.added} contacts added`));
  });

  router.delete('/contact-groups/:id/contacts', async (req, res) => {
    const result = await kirim.contactGroups.removeContacts(actorOf(req), req.params.id, req.body);
    res.json(ok(result, `${result.removed} contacts removed`));
  });

  router.get('/contact-groups/:id/phone-numbers', async (req, res) => {
    res.json(ok(await kirim.contactGroups.phoneNumbers(actorOf(req), req.params.id)));
  });

  router.get('/contact-groups/:id/contacts', async (req, res) => {
    res.json(ok(await kirim.contactGroups.members(actorOf(req), req.params.id)));
  });

  router.post('/contact-groups/:id/personalized-preview', async (req, res) => {
    res.json(ok(await kirim.contactGroups.personalizedPreview(actorOf(req), req.params.id, req.body)));
  });
}
