import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAdmin, KirimError, type Kirim, type Logger } from '@kirim/core';
import { actorOf, bearerAuth, errorHandler } from '@kirim/http-express';
import express, { type RequestHandler, type Router } from 'express';
import type { Registry } from 'prom-client';

/** The registry `GET /metrics` serves, as it is at the moment of a scrape. */
export type MetricsSource = () => Registry;

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
export function adminMetricsRoute(source: MetricsSource, kirim: Kirim, logger: Logger): Router {
  const router = express.Router();
  // The error handler is the route's own: errors of other middleware keep going where they went.
  router.get('/metrics', bearerAuth(kirim), adminOnly, scrape(source), errorHandler(logger));
  return router;
}

/**
 * Serves `GET /metrics` without a token on `port` of `host`: for a scraper on a network the API's clients do not
 * reach. Throws an error naming METRICS_PORT and the address when the port cannot be opened.
 */
export async function serveMetrics(
  source: MetricsSource,
  port: number,
  host: string,
  logger: Logger,
): Promise<MetricsListener> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', scrape(source), errorHandler(logger));
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('Not found: metrics are at /metrics\n');
  });
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(new Error(`METRICS_PORT ${port} could not be opened on ${host}: ${error.message}`, { cause: error })),
    );
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

/** The one handler answering a scrape, on either port; a failure goes to the error handler (a logged 500). */
function scrape(source: MetricsSource): RequestHandler {
  return async (_req, res) => {
    const registry = source();
    const text = await registry.metrics();
    res.type(registry.contentType).send(text);
  };
}
