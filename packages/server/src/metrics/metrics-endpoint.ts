import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAdmin, KirimError, type Kirim, type Logger } from '@kirim/core';
import { actorOf, bearerAuth, errorHandler } from '@kirim/http-express';
import express, { type RequestHandler, type Router } from 'express';
import type { Registry } from 'prom-client';

/** The metrics listener of `METRICS_PORT`. */
export interface MetricsListener {
  /** The port it listens on (the one asked for, or the system's choice for 0). */
  port: number;
  close(): Promise<void>;
}

/**
 * `GET /metrics` on the API's port: an admin's bearer token, verified as the API verifies it (401 without a
 * valid one, 403 for a non-admin, in the API's error bodies).
 */
export function adminMetricsRoute(registry: Registry, kirim: Kirim, logger: Logger): Router {
  const router = express.Router();
  // The error handler is the route's own: errors of other middleware keep going where they went.
  router.get('/metrics', bearerAuth(kirim), adminOnly, scrape(registry), errorHandler(logger));
  return router;
}

/** Serves `GET /metrics` without a token on `port` of `host`: for a scraper on a network the API's clients do not reach. */
export async function serveMetrics(
  registry: Registry,
  port: number,
  host: string,
  logger: Logger,
): Promise<MetricsListener> {
  const server = createServer((req, res) => {
    if (
      (req.method !== 'GET' && req.method !== 'HEAD') ||
      new URL(req.url ?? '/', 'http://metrics').pathname !== '/metrics'
    ) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found: metrics are at /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => {
        logger.error({ err: error }, 'collecting metrics failed');
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Collecting metrics failed\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        // A scraper keeps its connection open between scrapes.
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const adminOnly: RequestHandler = (req, _res, next) => {
  if (!isAdmin(actorOf(req))) throw new KirimError('forbidden', 'Admin access required');
  next();
};

function scrape(registry: Registry): RequestHandler {
  return async (_req, res) => {
    const text = await registry.metrics();
    res.type(registry.contentType).send(text);
  };
}
