import type { Router } from 'express';
import { openApiDocument, type OpenApiOptions } from './openapi-document.js';

/** `GET /openapi.json`: public, as it documents the API and discloses no data. Built once, on the first request. */
export function openApiRoutes(router: Router, options: OpenApiOptions = {}): void {
  let document: Record<string, unknown> | undefined;
  router.get('/openapi.json', (_req, res) => {
    res.json((document ??= openApiDocument(options)));
  });
}
