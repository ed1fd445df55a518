import { KirimError, type Actor, type Kirim } from '@kirim/core';
import type { Request, RequestHandler } from 'express';

declare module 'express-serve-static-core' {
  interface Request {
    /** The user the bearer token belongs to; set by {@link bearerAuth}. */
    actor?: Actor;
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Resolves `Authorization: Bearer <token>` to `req.actor`, with the document's exact 401 bodies. */
export function bearerAuth(kirim: Kirim): RequestHandler {
  return async (req, _res, next) => {
    const token = BEARER.exec(req.get('authorization') ?? '')?.[1];
    if (!token) throw new KirimError('unauthorized', 'Unauthorized - No Bearer Token');
    req.actor = await kirim.accounts.authenticate(token);
    next();
  };
}

/** The authenticated actor of a request behind {@link bearerAuth}. */
export function actorOf(req: Request): Actor {
  if (!req.actor) throw new KirimError('unauthorized', 'Unauthorized - No Bearer Token');
  return req.actor;
}

/**
 * The request's input for routes whose document sends a body even on GET and DELETE:
 * query parameters and JSON body together (the body wins).
 */
// Typed loosely on purpose: core's parse() validates it.
export function inputOf(req: Request): any {
  const body = req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? req.body : {};
  return { ...req.query, ...body };
}
