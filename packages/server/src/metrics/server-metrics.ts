import type { DeliveryState, Kirim, Logger } from '@kirim/core';
import type { RequestHandler, Router } from 'express';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { engineMetrics } from './engine-metrics.js';
import { httpMetrics } from './http-metrics.js';
import { adminMetricsRoute, serveMetrics, type MetricsListener } from './metrics-endpoint.js';

let processMetrics: Registry | undefined;

/**
 * prom-client's default metrics of this process (`process_*`, `nodejs_*`), collected once per process: a collection
 * starts a GC observer and an event-loop monitor that are never stopped, and would keep every closed server's
 * registry (and through its gauges the engine and database) in memory.
 */
export function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}

/** The reference server's Prometheus metrics, on a registry of their own (two servers in one process do not collide). */
export interface ServerMetrics {
  /** This server's own metrics: the engine's and the HTTP API's. */
  readonly registry: Registry;
  /** What `GET /metrics` serves: the process's metrics and this server's, merged at each scrape. */
  served(): Registry;
  /** createKirim's `onWebhookAttempt`: counts webhook delivery attempts by result. */
  webhookAttempt(state: DeliveryState): void;
  /** Counts `kirim`'s events from now on and reads the gauges from its database; call before `kirim.start()`. */
  observe(kirim: Kirim): void;
  /** Middleware counting and timing every request by route template; mount it first. */
  readonly measureHttp: RequestHandler;
  /** `GET /metrics` for an admin's token. */
  adminRoute(kirim: Kirim, logger: Logger): Router;
  /** Serves `GET /metrics` without a token on its own port. */
  listen(port: number, host: string, logger: Logger): Promise<MetricsListener>;
}

/** Prometheus metrics of the engine, the HTTP API and the process (prom-client's default metrics). */
export function createServerMetrics(): ServerMetrics {
  const registry = new Registry();
  const engine = engineMetrics(registry);
  // Merged per scrape: `observe` registers the database gauges after this returns.
  const served = () => Registry.merge([processRegistry(), registry]);
  return {
    registry,
    served,
    webhookAttempt: engine.webhookAttempt,
    observe: engine.observe,
    measureHttp: httpMetrics(registry),
    adminRoute: (kirim, logger) => adminMetricsRoute(served, kirim, logger),
    listen: (port, host, logger) => serveMetrics(served, port, host, logger),
  };
}
