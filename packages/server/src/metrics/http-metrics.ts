import type { Request, RequestHandler } from 'express';
import { Counter, Histogram, type Registry } from 'prom-client';

/** The `route` label of a request no route answered: an unknown path, or one refused before routing (no valid token). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Middleware counting and timing every request on `registry`, by method and route template
 * (`/api/whatsapp/sessions/:id`, never the raw path: ids in labels would make a series per resource).
 */
export function httpMetrics(registry: Registry): RequestHandler {
  const requests = new Counter({
    name: 'kirim_http_requests_total',
    help: `HTTP requests answered, by method, route template (${UNMATCHED_ROUTE}: no route answered) and status.`,
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'kirim_http_request_duration_seconds',
    help: `Time to answer an HTTP request, by method and route template (${UNMATCHED_ROUTE}: no route answered); an event stream counts until it closes.`,
    labelNames: ['method', 'route'],
    registers: [registry],
  });
  return (req, res, next) => {
    const stop = duration.startTimer();
    // `close` comes for every response, also one cut short by the client (`finish` would not).
    res.once('close', () => {
      const labels = { method: req.method, route: routeTemplate(req) };
      requests.inc({ ...labels, status: res.statusCode });
      stop(labels);
    });
    next();
  };
}

/**
 * The template of the route that answered: its router's mount path and its own path (the first of a route
 * declared with several, as `/docs` serves `/` and `/index.html`: one label, not the list joined by commas).
 */
function routeTemplate(req: Request): string {
  const route = (req as { route?: { path?: unknown } }).route;
  const path = Array.isArray(route?.path) ? route.path[0] : route?.path;
  if (path === undefined) return UNMATCHED_ROUTE;
  return req.baseUrl + String(path);
}
