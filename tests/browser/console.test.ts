import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createSimulatedNetwork, type SimulatedNetwork } from '@kirim/core';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';
import { phoneSequence } from '../support/linking.js';

// Screenshots of each step, for a person to look at (gitignored).
const SHOTS = fileURLToPath(new URL('../../test-results/console/', import.meta.url));

/** Debian's chromium (`.ci/run` installs it when missing), driven by playwright-core. */
const launchChromium = () =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });

describe.each(DATABASES)('the web console at /, in headless Chromium, on %s', (database) => {
  let t: TestServer;
  let network: SimulatedNetwork;
  let browser: Browser;
  const nextPhone = phoneSequence('62813', database);

  beforeAll(async () => {
    network = createSimulatedNetwork({ latencyMs: 20 });
    // A short gap between sends, so a bulk job's bar moves at its `delay` and not at the anti-ban default.
    t = await startTestServer(
      database,
      { KIRIM_SEND_MIN_GAP_MS: '100', KIRIM_SEND_JITTER_MS: '0' },
      { transport: network.transport },
    );
    browser = await launchChromium();
    await mkdir(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /**
   * Watches a page: requests to any other origin, script errors, and console errors (a CSP refusal is one); the
   * 422 the test provokes on purpose is the browser's one expected complaint.
   */
  function watch(page: Page) {
    const origin = new URL(t.url).origin;
    const elsewhere: string[] = [];
    const errors: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol !== 'data:' && url.protocol !== 'blob:' && url.origin !== origin) elsewhere.push(request.url());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().includes('status of 422')) errors.push(message.text());
    });
    return { elsewhere, errors };
  }

  const shot = (page: Page, name: string, fullPage = true) =>
    page.screenshot({ path: `${SHOTS}${database}-${name}.png`, fullPage });

  it('signs in, links a new session by its QR code without a reload, sends a message and sees it delivered, and follows and cancels a bulk job', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const seen = watch(page);
    // What the page showed when a step failed, to see why.
    onTestFailed(async () => void (await shot(page, 'failed')));

    await page.goto(`${t.url}/`);
    await page.getByLabel('API token').waitFor();
    await shot(page, '01-sign-in');
    await page.getByLabel('API token').fill(t.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Sessions', level: 1 }).waitFor();

    await page.getByLabel('Session name').fill('Shop');
    await page.getByRole('button', { name: 'Create' }).click();
    const qr = page.getByRole('img', { name: /QR code/ });
    await qr.waitFor();
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    await shot(page, '02-qr-code');

    // The phone scans the QR code the session shows; the page must follow over the event stream alone.
    await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));
    const sessions = (await t.request('GET', '/api/whatsapp/sessions')).body.data as Array<{
      id: string;
      name: string;
    }>;
    const id = sessions.find((s) => s.name === 'Shop')!.id;
    const shown = (await t.request('GET', `/api/whatsapp/sessions/${id}/status`)).body.data;
    const phone = nextPhone();
    await network.phone(phone).scanQr(shown.qr);

    const selected = page.getByRole('region', { name: 'Selected session' });
    await selected.getByText('connected', { exact: true }).waitFor();
    await selected.getByText(`+${phone}`).waitFor();
    await qr.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await shot(page, '03-connected');

    // The API's errors appear beside the form, by the API's field names.
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const sendForm = page.getByRole('form', { name: 'Send a message' });
    await sendForm.getByRole('alert').getByText('to', { exact: true }).waitFor();
    expect(await page.getByLabel('To', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await shot(page, '04-send-errors');

    const to = nextPhone();
    await page.getByLabel('To', { exact: true }).fill(`+${to}`);
    await page.getByLabel('Message', { exact: true }).fill('Hello from the console');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const sent = page
      .getByRole('list', { name: 'Message history' })
      .getByRole('listitem')
      .filter({ hasText: 'Hello from the console' });
    await sent.filter({ hasText: 'delivered' }).waitFor();
    expect(network.sent.filter((s) => s.to.startsWith(to) && s.text === 'Hello from the console')).toHaveLength(1);
    await shot(page, '05-delivered');

    await page.getByRole('link', { name: 'Bulk jobs' }).click();
    const sessionSelect = page.getByLabel('Session', { exact: true });
    await sessionSelect.locator(`option[value="${id}"]`).waitFor({ state: 'attached' });
    await sessionSelect.selectOption(id);
    const recipients = Array.from({ length: 40 }, () => `+${nextPhone()}`);
    await page.getByLabel('Recipients').fill(recipients.join('\n'));
    await page.getByLabel('Message', { exact: true }).fill('Hi {name|there}, our shop opens at nine');
    await page.getByLabel('Delay between messages (ms)').fill('1000');
    await page.getByRole('button', { name: 'Start bulk job' }).click();

    const job = page.getByRole('list', { name: 'Bulk jobs' }).getByRole('listitem').first();
    const bar = job.getByRole('progressbar');
    await bar.waitFor();
    expect(await bar.getAttribute('aria-valuemax')).toBe('40');
    const before = Number(await bar.getAttribute('aria-valuenow'));
    await eventually(async () => Number(await bar.getAttribute('aria-valuenow')) > before);
    await job.getByText(/Estimated finish/).waitFor();
    await shot(page, '06-bulk-progress');

    await job.getByRole('button', { name: 'Cancel' }).click();
    await job.getByText('cancelled', { exact: true }).waitFor();
    const jobs = (await t.request('GET', '/api/whatsapp/messages/bulk')).body.data as Array<{
      status: string;
      sent: number;
    }>;
    expect(jobs[0].status).toBe('cancelled');
    expect(jobs[0].sent).toBeLessThan(40);
    await shot(page, '07-bulk-cancelled');

    // A phone's screen: nothing wider than it.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.getByRole('region', { name: 'Selected session' }).getByText('connected', { exact: true }).waitFor();
    expect(
      await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth as number),
    ).toBeLessThanOrEqual(390);
    await shot(page, '08-phone-390x844', false);

    expect(seen.elsewhere).toEqual([]);
    expect(seen.errors).toEqual([]);
    await page.close();
  }, 180_000);
});
