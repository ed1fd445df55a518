import type { Kirim } from '@kirim/core';
import type { Router } from 'express';
import { actorOf } from '../auth.js';
import { ok } from '../envelope.js';

/** WhatsApp groups run live through a session, under `/whatsapp/sessions/:id/groups`; `:groupId` is a `…@g.us` JID. */
export function groupRoutes(router: Router, kirim: Kirim): void {
  const group = '/whatsapp/sessions/:id/groups/:groupId';

  router.post('/whatsapp/sessions/:id/groups', async (req, res) => {
    res.status(201).json(ok(await kirim.groups.create(actorOf(req), req.params.id, req.body), 'Group created'));
  });

  router.get(group, async (req, res) => {
    res.json(ok(await kirim.groups.get(actorOf(req), req.params.id, req.params.groupId)));
  });

  router.patch(group, async (req, res) => {
    const { id, groupId } = req.params;
    res.json(ok(await kirim.groups.update(actorOf(req), id, groupId, req.body), 'Group updated'));
  });

  router.post(`${group}/participants`, async (req, res) => {
    const { id, groupId } = req.params;
    res.json(ok(await kirim.groups.participants(actorOf(req), id, groupId, req.body)));
  });

  router.get(`${group}/invite-link`, async (req, res) => {
    res.json(ok(await kirim.groups.inviteLink(actorOf(req), req.params.id, req.params.groupId)));
  });

  router.delete(`${group}/invite-link`, async (req, res) => {
    const { id, groupId } = req.params;
    res.json(ok(await kirim.groups.revokeInviteLink(actorOf(req), id, groupId), 'Invite link revoked'));
  });

  router.post(`${group}/leave`, async (req, res) => {
    res.json(ok(await kirim.groups.leave(actorOf(req), req.params.id, req.params.groupId), 'Left the group'));
  });
}
