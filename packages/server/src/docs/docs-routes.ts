import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import express, { type Router } from 'express';
import { DOCS_INIT, DOCS_PAGE } from './docs-page.js';

// swagger-ui-dist's folder of prebuilt assets, from the installed package: served as is, so it works offline.
const swaggerUiDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/**
 * The interactive API reference at `/docs`: Swagger UI from swagger-ui-dist, on `GET /api/openapi.json`.
 * Mount it at `/docs`. Its own index.html (the Petstore demo) and initializer are never served.
 */
export function docsRouter(): Router {
  const router = express.Router({ strict: true });
  router.get(['/', '/index.html'], (req, res) => {
    // `/docs` → `/docs/`, so the page's relative asset paths resolve under it.
    if (req.path === '/' && !req.originalUrl.split('?')[0]!.endsWith('/')) return res.redirect(301, `${req.baseUrl}/`);
    res.type('html').send(DOCS_PAGE);
  });
  router.get('/docs-init.js', (_req, res) => {
    res.type('text/javascript').send(DOCS_INIT);
  });
  router.get(['/swagger-initializer.js', '/oauth2-redirect.html'], (_req, res) => {
    res.status(404).end();
  });
  router.use(express.static(swaggerUiDir, { index: false }));
  return router;
}
