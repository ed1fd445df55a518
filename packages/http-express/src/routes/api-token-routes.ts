import type { Kirim } from '@kirim/core';
import type { Router } from 'express';
import { actorOf, inputOf } from '../auth.js';
import { ok } from '../envelope.js';

/** `GET /api-tokens`, `POST /api-tokens/generate`, `DELETE /api-tokens`. */
export function apiTokenRoutes(router: Router, kirim: Kirim): void {
  router.get('/api-tokens', async (req, res) => {
    res.json(ok(await kirim.accounts.listTokens(actorOf(req), inputOf(req))));
  });

  router.post('/api-tokens/generate', async (req, res) => {
    const token = await kirim.accounts.generateToken(actorOf(req), req.body);
    // The plaintext token must not be kept by any cache on the way.
    res
      .status(201)
      .set('Cache-Control', 'no-store')
      .json(ok(token, 'Token generated. Store it now: it will not be shown again.'));
  });

  router.delete('/api-tokens', async (req, res) => {
    await kirim.accounts.revokeToken(actorOf(req), inputOf(req));
    res.json(ok(null, 'Token revoked'));
  });
}
