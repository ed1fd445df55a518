/**
 * The API reference's page and its start-up script, served by this server (no CDN, no inline script: the
 * Content-Security-Policy allows scripts and styles from this server only). Paths are relative to `/docs/`.
 */
export const DOCS_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Kirim API reference</title>
    <link rel="stylesheet" href="swagger-ui.css" />
    <link rel="icon" type="image/png" href="favicon-32x32.png" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="swagger-ui-bundle.js"></script>
    <script src="docs-init.js"></script>
  </body>
</html>
`;

/**
 * Starts Swagger UI on the document at /api/openapi.json (relative, so a proxy's path prefix is kept).
 * "Authorize" keeps the API token in this page's memory only, for "Try it out" (no persistAuthorization: Swagger UI
 * would write it to localStorage, where it outlives the tab, as the console's token does not); no validator badge,
 * which would send the document to validator.swagger.io.
 */
export const DOCS_INIT = `window.ui = SwaggerUIBundle({
  url: new URL('../api/openapi.json', window.location.href).href,
  dom_id: '#swagger-ui',
  deepLinking: true,
  tryItOutEnabled: true,
  validatorUrl: null,
});
`;
