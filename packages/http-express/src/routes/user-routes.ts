import type { Kirim } from '@kirim/core';
import type { Router } from 'express';
import { actorOf } from '../auth.js';
import { ok, paged } from '../envelope.js';

/** Admin user management: `/admin/users` and `/admin/users/{id}`. */
export function userRoutes(router: Router, kirim: Kirim): void {
  router.get('/admin/users', async (req, res) => {
    res.json(paged(await kirim.accounts.listUsers(actorOf(req), req.query)));
  });

  router.post('/admin/users', async (req, res) => {
    res.status(201).json(ok(await kirim.accounts.createUser(actorOf(req), req.body), 'User created'));
  });

  router.get('/admin/users/:id', async (req, res) => {
    res.json(ok(await kirim.accounts.getUser(actorOf(req), req.params.id)));
  });

  router.patch('/admin/users/:id', async (req, res) => {
    res.json(ok(await kirim.accounts.updateUser(actorOf(req), req.params.id, req.body), 'User updated'));
  });

  router.delete('/admin/users/:id', async (req, res) => {
    await kirim.accounts.removeUser(actorOf(req), req.params.id);
    res.json(ok(null, 'User deleted'));
  });
}
