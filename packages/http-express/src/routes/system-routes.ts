import type { Kirim } from '@kirim/core';
import type { Router } from 'express';
import { actorOf } from '../auth.js';
import { ok } from '../envelope.js';

/** `GET /health` (public). */
export function publicSystemRoutes(router: Router, serviceName: string): void {
  router.get('/health', (_req, res) => {
    res.json({ status: 'OK', timestamp: new Date().toISOString(), service: serviceName });
  });
}

/** `GET /me`, `GET /test-node-connection`. */
export function systemRoutes(router: Router, kirim: Kirim): void {
  router.get('/me', async (req, res) => {
    const user = await kirim.accounts.me(actorOf(req));
    res.json(ok(user));
  });

  router.get('/test-node-connection', async (req, res) => {
    res.json(ok(await kirim.status.engineStatus(actorOf(req)), 'Node connection OK'));
  });
}
