import { KirimError, type Kirim, type Logger } from '@kirim/core';
import express, { type RequestHandler, type Router } from 'express';
import { bearerAuth } from './auth.js';
import { errorHandler, unknownRoute } from './errors.js';
import { openApiRoutes } from './openapi/openapi-routes.js';
import { announcementRoutes, publicAnnouncementRoutes } from './routes/announcement-routes.js';
import { apiTokenRoutes } from './routes/api-token-routes.js';
import { contactGroupRoutes } from './routes/contact-group-routes.js';
import { contactRoutes } from './routes/contact-routes.js';
import { groupRoutes } from './routes/group-routes.js';
import { leadRoutes } from './routes/lead-routes.js';
import { leadTaskRoutes } from './routes/lead-task-routes.js';
import { messageRoutes } from './routes/message-routes.js';
import { messageActionRoutes } from './routes/message-action-routes.js';
import { messageMediaRoutes } from './routes/message-media-routes.js';
import { poolRoutes } from './routes/pool-routes.js';
import { profileRoutes } from './routes/profile-routes.js';
import { sessionRoutes, whatsappGroupRoutes } from './routes/session-routes.js';
import { publicSystemRoutes, systemRoutes } from './routes/system-routes.js';
import { templateRoutes } from './routes/template-routes.js';
import { userRoutes } from './routes/user-routes.js';
import { eventRoutes } from './routes/event-routes.js';
import { webhookRoutes } from './routes/webhook-routes.js';

/** Options of {@link kirimRouter}. */
export interface KirimRouterOptions {
  /** Largest JSON body accepted (413 past it); default `1mb`. */
  bodyLimit?: string | number;
  /** Where unexpected errors are logged; default silent. */
  logger?: Logger;
  /** Largest uploaded spreadsheet; default 50 MB. */
  maxUploadBytes?: number;
  /** The `service` field of `GET /health`; default `Kirim WhatsApp Gateway`. */
  serviceName?: string;
  /** Keep-alive comment interval of `GET /events`; default 15 s. */
  sseHeartbeatMs?: number;
}

/** An `express.Router` serving the Kirim HTTP API; mount it at `/api`. */
export function kirimRouter(kirim: Kirim, options: KirimRouterOptions = {}): Router {
  const router = express.Router();
  router.use(refuseNulInUrl);
  router.use(express.json({ limit: options.bodyLimit ?? '1mb' }));

  publicSystemRoutes(router, options.serviceName ?? 'Kirim WhatsApp Gateway');
  publicAnnouncementRoutes(router, kirim);
  openApiRoutes(router, { title: options.serviceName });

  router.use(bearerAuth(kirim));
  systemRoutes(router, kirim);
  apiTokenRoutes(router, kirim);
  userRoutes(router, kirim);
  announcementRoutes(router, kirim);
  contactRoutes(router, kirim, { maxUploadBytes: options.maxUploadBytes ?? 50 * 1024 * 1024 });
  contactGroupRoutes(router, kirim);
  templateRoutes(router, kirim);
  sessionRoutes(router, kirim);
  whatsappGroupRoutes(router, kirim);
  groupRoutes(router, kirim);
  profileRoutes(router, kirim);
  messageRoutes(router, kirim);
  messageActionRoutes(router, kirim);
  messageMediaRoutes(router, kirim);
  poolRoutes(router, kirim);
  leadTaskRoutes(router, kirim);
  leadRoutes(router, kirim, { maxUploadBytes: options.maxUploadBytes ?? 50 * 1024 * 1024 });
  webhookRoutes(router, kirim);
  eventRoutes(router, kirim, { heartbeatMs: options.sseHeartbeatMs });

  router.use(unknownRoute);
  router.use(errorHandler(options.logger ?? kirim.logger));
  return router;
}

// No id, filter or search can hold a NUL character, and no database compares one: PostgreSQL refuses it, SQLite's
// LIKE stops at it (`a%00x` would find every name ending in `a`) and its full-text MATCH fails on it. Refused once
// here, the same on every database. A NUL in a body is the storage adapter's to refuse (PostgreSQL) or keep (SQLite).
const refuseNulInUrl: RequestHandler = (req, _res, next) => {
  if (/%00/.test(req.originalUrl)) throw new KirimError('bad_request', 'The URL contains a NUL character (%00)');
  next();
};
