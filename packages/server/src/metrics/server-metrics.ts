import type { DeliveryState, Kirim, Logger } from '@kirim/core';
import type { RequestHandler, Router } from 'express';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { engineMetrics } from './engine-metrics.js';
import { httpMetrics } from './http-metrics.js';
import { adminMetricsRoute, serveMetrics, type MetricsListener } from './metrics-endpoint.js';

/** The reference server's Prometheus metrics, on a registry of their own (two servers in one process do not collide). */
export interface ServerMetrics {
  readonly registry: Registry;
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
  collectDefaultMetrics({ register: registry });
  const engine = engineMetrics(registry);
  return {
    registry,
    webhookAttempt: engine.webhookAttempt,
    observe: engine.observe,
    measureHttp: httpMetrics(registry),
    adminRoute: (kirim, logger) => adminMetricsRoute(registry, kirim, logger),
    listen: (port, host, logger) => serveMetrics(registry, port, host, logger),
  };
}
