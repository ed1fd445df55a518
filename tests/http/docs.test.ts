import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';

/** Every `src` and `href` of a page's scripts, stylesheets and icons. */
const assetsOf = (html: string) =>
  [...html.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);

describe.each(DATABASES)('GET /docs on %s', (database) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(database);
  });
  afterAll(() => t?.close());

  it('answers an HTML page that loads only this server’s own assets, with no inline script or style', async () => {
    const res = await fetch(`${t.url}/docs/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    const assets = assetsOf(html);
    expect(assets).toEqual(expect.arrayContaining(['swagger-ui.css', 'swagger-ui-bundle.js', 'docs-init.js']));
    for (const asset of assets) {
      expect(new URL(asset, `${t.url}/docs/`).origin, asset).toBe(t.url);
      expect((await fetch(new URL(asset, `${t.url}/docs/`))).status, asset).toBe(200);
    }
    expect(html).not.toMatch(/<script>|<script\s+type="[^"]*">|<style|\sstyle="/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('redirects /docs to /docs/, where the page’s relative paths resolve', async () => {
    const res = await fetch(`${t.url}/docs`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/docs/');
  });

  it('starts Swagger UI on /api/openapi.json from a served file, without persisting the pasted token', async () => {
    const res = await fetch(`${t.url}/docs/docs-init.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    const init = await res.text();
    expect(init).toContain('/api/openapi.json');
    expect(init).not.toContain('persistAuthorization');
  });

  it("never serves swagger-ui-dist's own Petstore page or initializer", async () => {
    expect(await (await fetch(`${t.url}/docs/index.html`)).text()).toContain('docs-init.js');
    expect((await fetch(`${t.url}/docs/swagger-initializer.js`)).status).toBe(404);
  });
});

describe('the API reference in headless Chromium', () => {
  let t: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    t = await startTestServer('sqlite');
    const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
    if (!existsSync(executablePath))
      throw new Error(`No Chromium at ${executablePath}: apt-get install chromium, or set CHROMIUM_PATH to a Chromium`);
    browser = await chromium.launch({
      executablePath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('renders every operation under the strict policy and tries GET /me with the pasted token, never storing it in localStorage', async () => {
    const page = await browser.newPage();
    const refused: string[] = [];
    const elsewhere: string[] = [];
    page.on('console', (message) => {
      if (/Content.Security.Policy/i.test(message.text())) refused.push(message.text());
    });
    page.on('request', (request) => {
      if (!request.url().startsWith(t.url) && !request.url().startsWith('data:')) elsewhere.push(request.url());
    });
    await page.goto(`${t.url}/docs/`);
    await page.locator('.opblock').first().waitFor();
    // Swagger UI renders a long list of operations virtually (only what is on screen is in the page), so the count of
    // operations it took from the document is read from its own state, and the last one is scrolled to.
    const documented = (await (await fetch(`${t.url}/api/openapi.json`)).json()) as { paths: object };
    const operationIds = Object.values(
      documented.paths as Record<string, Record<string, { operationId?: string }>>,
    ).flatMap((operations) => Object.values(operations).flatMap((operation) => operation.operationId ?? []));
    expect(operationIds.length).toBeGreaterThan(100);
    const rendered = await page.evaluate(
      () =>
        (
          globalThis as unknown as { ui: { specSelectors: { operations(): { size: number } } } }
        ).ui.specSelectors.operations().size,
    );
    expect(rendered).toBe(operationIds.length);
    await page.mouse.wheel(0, 1_000_000);
    await expect.poll(() => page.locator(`[id$="-${operationIds.at(-1)}"]`).count()).toBe(1);

    await page.locator('button.authorize').first().click();
    await page.locator('.modal-ux input').first().fill(t.adminToken);
    await page.locator('.modal-ux button.authorize').click();
    await page.locator('.modal-ux button.btn-done').click();

    const me = page.locator('#operations-System-getMe');
    await me.locator('.opblock-summary').click();
    // tryItOutEnabled: an opened operation is ready to execute.
    await me.locator('button.execute').click();
    const answer = me.locator('.live-responses-table tr.response');
    await expect.poll(() => answer.locator('.response-col_status').textContent()).toBe('200');
    expect(await answer.innerText()).toContain('"role": "admin"');
    // The token stays in the page's memory: persistAuthorization would have written it to localStorage "authorized".
    const stored = await page.evaluate(() => {
      const storage = (
        globalThis as unknown as { localStorage: Record<string, string> & { getItem(key: string): string | null } }
      ).localStorage;
      return { authorized: storage.getItem('authorized'), all: JSON.stringify({ ...storage }) };
    });
    expect(stored.authorized).toBeNull();
    expect(stored.all).not.toContain(t.adminToken);
    expect(refused).toEqual([]);
    expect(elsewhere).toEqual([]);
  });
});
