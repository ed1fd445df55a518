import type { Kirim } from '@kirim/core';
import type { Router } from 'express';
import { actorOf, inputOf } from '../auth.js';
import { ok, paged } from '../envelope.js';

/** WhatsApp sessions (linked devices) under `/whatsapp/sessions`. */
export function sessionRoutes(router: Router, kirim: Kirim): void {
  router.post('/whatsapp/sessions', async (req, res) => {
    res
      .status(201)
      .json(
        ok(await kirim.sessions.create(actorOf(req), req.body), 'Session created: scan the QR code from its status'),
      );
  });

  router.get('/whatsapp/sessions', async (req, res) => {
    res.json(ok(await kirim.sessions.list(actorOf(req))));
  });

  router.get('/whatsapp/sessions/:id/status', async (req, res) => {
    res.json(ok(await kirim.sessions.status(actorOf(req), req.params.id)));
  });

  router.get('/whatsapp/sessions/:id', async (req, res) => {
    res.json(ok(await kirim.sessions.get(actorOf(req), req.params.id)));
  });

  router.post('/whatsapp/sessions/:id/pairing-code', async (req, res) => {
    res.json(
      ok(
        await kirim.sessions.requestPairingCode(actorOf(req), req.params.id, req.body),
        'Enter this code on the phone: Linked devices → Link with phone number',
      ),
    );
  });

  router.post('/whatsapp/sessions/:id/connect', async (req, res) => {
    res.json(ok(await kirim.sessions.connect(actorOf(req), req.params.id), 'Connecting'));
  });

  router.delete('/whatsapp/sessions/:id/disconnect', async (req, res) => {
    res.json(ok(await kirim.sessions.disconnect(actorOf(req), req.params.id), 'Disconnected; credentials kept'));
  });

  router.delete('/whatsapp/sessions/:id/device', async (req, res) => {
    await kirim.sessions.removeDevice(actorOf(req), req.params.id);
    res.json(ok(null, 'Device and everything stored for it deleted'));
  });

  router.delete('/whatsapp/sessions/:id', async (req, res) => {
    await kirim.sessions.remove(actorOf(req), req.params.id);
    res.json(ok(null, 'Session logged out and deleted'));
  });

  router.get('/whatsapp/sessions/:id/settings', async (req, res) => {
    res.json(ok(await kirim.sessions.settings(actorOf(req), req.params.id)));
  });

  router.patch('/whatsapp/sessions/:id/settings', async (req, res) => {
    res.json(ok(await kirim.sessions.updateSettings(actorOf(req), req.params.id, req.body), 'Send limits updated'));
  });

  router.get('/whatsapp/sessions/:id/messages', async (req, res) => {
    res.json(paged(await kirim.sessions.messages(actorOf(req), req.params.id, req.query)));
  });

  router.get('/whatsapp/sessions/:id/contacts', async (req, res) => {
    res.json(paged(await kirim.sessions.contacts(actorOf(req), req.params.id, req.query)));
  });

  router.post('/whatsapp/sessions/:id/presence', async (req, res) => {
    res.json(ok(await kirim.sessions.sendPresence(actorOf(req), req.params.id, req.body), 'Presence shown'));
  });

  router.post('/whatsapp/sessions/:id/presence/subscribe', async (req, res) => {
    const subscribed = await kirim.sessions.subscribePresence(actorOf(req), req.params.id, req.body);
    res.json(ok(subscribed, 'Subscribed: presence.update events follow'));
  });

  router.get('/whatsapp/sessions/:id/groups', async (req, res) => {
    res.json(ok(await kirim.sessions.liveGroups(actorOf(req), req.params.id)));
  });
}

/** Saved WhatsApp groups under `/whatsapp/groups`. */
export function whatsappGroupRoutes(router: Router, kirim: Kirim): void {
  router.post('/whatsapp/groups/sync', async (req, res) => {
    const counts = await kirim.sessions.syncGroups(actorOf(req), inputOf(req));
    res.json(ok(counts, `${counts.added} added, ${counts.updated} updated, ${counts.removed} removed`));
  });

  // The original document sends `session_device_id` in a GET body; a query parameter works too (and `session_id`, on both routes).
  router.get('/whatsapp/groups/device', async (req, res) => {
    res.json(ok(await kirim.sessions.savedGroups(actorOf(req), inputOf(req))));
  });

  router.delete('/whatsapp/groups/:id', async (req, res) => {
    await kirim.sessions.removeSavedGroup(actorOf(req), req.params.id);
    res.json(ok(null, 'Group deleted'));
  });
}
