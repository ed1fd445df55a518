import type { Kirim } from '@kirim/core';
import type { Router } from 'express';
import { actorOf } from '../auth.js';
import { ok } from '../envelope.js';

/** Numbers on WhatsApp, contacts' profiles, the linked account's own profile and its blocklist, live through a session. */
export function profileRoutes(router: Router, kirim: Kirim): void {
  router.post('/whatsapp/sessions/:id/check-numbers', async (req, res) => {
    res.json(ok(await kirim.profiles.checkNumbers(actorOf(req), req.params.id, req.body)));
  });

  router.get('/whatsapp/sessions/:id/profile/:phone', async (req, res) => {
    res.json(ok(await kirim.profiles.profile(actorOf(req), req.params.id, req.params.phone)));
  });

  router.patch('/whatsapp/sessions/:id/profile', async (req, res) => {
    res.json(ok(await kirim.profiles.updateOwn(actorOf(req), req.params.id, req.body), 'Profile updated'));
  });

  router.get('/whatsapp/sessions/:id/blocklist', async (req, res) => {
    res.json(ok(await kirim.profiles.blocklist(actorOf(req), req.params.id)));
  });

  router.post('/whatsapp/sessions/:id/blocklist/:phone', async (req, res) => {
    res.json(ok(await kirim.profiles.setBlocked(actorOf(req), req.params.id, req.params.phone, true), 'Blocked'));
  });

  router.delete('/whatsapp/sessions/:id/blocklist/:phone', async (req, res) => {
    res.json(ok(await kirim.profiles.setBlocked(actorOf(req), req.params.id, req.params.phone, false), 'Unblocked'));
  });
}
