import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createSimulatedNetwork, type SimulatedNetwork } from '@kirim/core';
import { ManualClock } from '@kirim/core/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';
import { linkSession, phoneSequence } from '../support/linking.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

// Screenshots of each step, for a person to look at (gitignored).
const SHOTS = fileURLToPath(new URL('../../test-results/console/', import.meta.url));

/** Debian's chromium (`.ci/run` installs it when missing; CHROMIUM_PATH names another), driven by playwright-core. */
function launchChromium() {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath))
    throw new Error(`No Chromium at ${executablePath}: apt-get install chromium, or set CHROMIUM_PATH to a Chromium`);
  return chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
}

describe.each(DATABASES)('the web console at /, in headless Chromium, on %s', (database) => {
  let t: TestServer;
  let network: SimulatedNetwork;
  let browser: Browser;
  let receiver: WebhookReceiver;
  const nextPhone = phoneSequence('62813', database);

  beforeAll(async () => {
    network = createSimulatedNetwork({ latencyMs: 20 });
    // A short gap between sends, so a bulk job's bar moves at its `delay` and not at the anti-ban default.
    t = await startTestServer(
      database,
      // Webhooks may call the test's receiver on loopback.
      { KIRIM_SEND_MIN_GAP_MS: '100', KIRIM_SEND_JITTER_MS: '0', KIRIM_ALLOW_PRIVATE_URLS: 'true' },
      { transport: network.transport },
    );
    browser = await launchChromium();
    receiver = await startWebhookReceiver();
    await mkdir(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await t?.close();
  });

  /**
   * Watches a page: requests to any other origin, script errors, and console errors (a CSP refusal is one); the
   * 401 and 422 answers the test provokes on purpose are the browser's only expected complaints.
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
      if (message.type() === 'error' && !/status of (401|422)/.test(message.text())) errors.push(message.text());
    });
    return { elsewhere, errors };
  }

  const shot = (page: Page, name: string, fullPage = true) =>
    page.screenshot({ path: `${SHOTS}${database}-${name}.png`, fullPage });

  it('signs in, links a new session by its QR code without a reload, sends a message and sees it delivered then read, and follows and cancels a bulk job', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const seen = watch(page);
    // What the page showed when a step failed, to see why.
    onTestFailed(async () => void (await shot(page, 'failed')));

    await page.goto(`${t.url}/`);
    await page.getByLabel('API token').waitFor();
    await page.getByLabel('API token').fill('kirim_not-a-token-anyone-holds');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('That token was refused.').waitFor();
    expect(await page.getByRole('alert').textContent()).toBe('That token was refused.');
    await shot(page, '01-sign-in-refused');
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
    const delivered = network.sent.filter((s) => s.to.startsWith(to) && s.text === 'Hello from the console');
    expect(delivered).toHaveLength(1);
    await shot(page, '05-delivered');
    // The recipient opens it: the same row moves on to read, live.
    network.phone(to).read(delivered[0].messageId);
    await sent.filter({ hasText: 'read' }).waitFor();

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

  it('schedules and cancels a message, imports, searches and exports contacts, previews a template per contact, and redelivers a webhook delivery', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const seen = watch(page);
    onTestFailed(async () => void (await shot(page, 'more-failed')));
    const session = await linkSession(t, network, t.adminToken, nextPhone(), { name: 'Office' });

    // Signed in from the keyboard alone: the token field has the focus, Enter submits.
    await page.goto(`${t.url}/#scheduled`);
    await page.getByLabel('API token').waitFor();
    await page.keyboard.type(t.adminToken);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Scheduled messages', level: 1 }).waitFor();
    const sessionSelect = page.getByLabel('Session', { exact: true });
    await sessionSelect.locator(`option[value="${session}"]`).waitFor({ state: 'attached' });
    await sessionSelect.selectOption(session);
    await page.getByLabel('To', { exact: true }).fill(`+${nextPhone()}`);
    await page.getByLabel('Message', { exact: true }).fill('See you tomorrow');
    // The browser's local time, as a person picks it: a day from now.
    const at = new Date(Date.now() + 86_400_000);
    const pad = (n: number) => String(n).padStart(2, '0');
    const local = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
    await page.getByLabel('Send at').fill(local);
    await page.getByRole('button', { name: 'Schedule', exact: true }).click();
    const scheduled = page.getByRole('list', { name: 'Scheduled messages' }).getByRole('listitem').first();
    await scheduled.getByText('pending', { exact: true }).waitFor();
    await shot(page, '09-scheduled');
    await scheduled.getByRole('button', { name: 'Cancel' }).click();
    await scheduled.getByText('cancelled', { exact: true }).waitFor();

    await page.getByRole('link', { name: 'Contacts' }).click();
    const csv =
      'Name,Phone,City\nBudi Santoso,081311110001,Bandung\nSiti Rahma,081311110002,Jakarta\nAgus,081311110003,Bandung\n';
    await page
      .getByLabel('Spreadsheet')
      .setInputFiles({ name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText('3 imported, 0 updated, 0 skipped, 0 failed').waitFor();
    expect(await page.getByRole('progressbar', { name: 'Upload progress' }).getAttribute('aria-valuenow')).toBe('100');
    const table = page.getByRole('table', { name: /Contacts/ });
    await table.getByRole('cell', { name: 'Siti Rahma' }).waitFor();
    await page.getByLabel('Search').fill('Budi');
    await page.getByText('1 contact matching “Budi”').waitFor();
    expect(await table.locator('tbody').getByRole('row').count()).toBe(1);
    await shot(page, '10-contacts');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export .csv' }).click(),
    ]);
    const exported = await (await download.createReadStream()).toArray();
    expect(Buffer.concat(exported).toString()).toContain('Budi Santoso');

    const contacts = (await t.request('GET', '/api/contacts')).body.data as Array<{ id: string }>;
    const group = (await t.request('POST', '/api/contact-groups', { body: { name: 'Customers' } })).body.data;
    await t.request('POST', `/api/contact-groups/${group.id}/contacts`, {
      body: { contact_ids: contacts.map((c) => c.id) },
    });
    await page.getByRole('link', { name: 'Templates' }).click();
    await page
      .getByLabel('Preview for contact group')
      .locator(`option[value="${group.id}"]`)
      .waitFor({ state: 'attached' });
    await page.getByLabel('Preview for contact group').selectOption(group.id);
    await page.getByLabel('Name', { exact: true }).fill('Greeting');
    await page.getByLabel('Content').fill('Hi {name} from {city}');
    const preview = page.getByRole('list', { name: 'Preview per contact' });
    await preview.getByText('Hi Budi Santoso from Bandung').waitFor();
    await preview.getByText('Hi Siti Rahma from Jakarta').waitFor();
    await page.getByLabel('Content').fill('Hi {nama}');
    await page
      .getByRole('form', { name: 'Template' })
      .getByRole('alert')
      .getByText('content', { exact: true })
      .waitFor();
    await shot(page, '11-template-error');
    await page.getByLabel('Content').fill('{Hi|Hello} {name}');
    await preview.getByText(/^(Hi|Hello) Agus$/).waitFor();
    await page.getByRole('button', { name: 'Save template' }).click();
    await page.getByRole('list', { name: 'Templates' }).getByText('Greeting').waitFor();
    await shot(page, '12-template-preview');

    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByLabel('URL').fill(receiver.url);
    await page.getByLabel('Events').fill('message.status');
    await page.getByRole('button', { name: 'Add webhook' }).click();
    await page.getByText(/Signing secret \(shown only now\)/).waitFor();
    const sent = await t.request('POST', '/api/whatsapp/messages/text', {
      body: { session_id: session, to: nextPhone(), message: 'Webhook, please' },
    });
    expect(sent.status).toBe(200);
    await receiver.waitFor(1);
    const hook = page.getByRole('list', { name: 'Webhooks' }).getByRole('listitem').first();
    await hook.getByRole('button', { name: 'Recent deliveries' }).click();
    const delivered = hook.getByRole('table').locator('tbody').getByRole('row').filter({ hasText: 'delivered' });
    await delivered.first().waitFor();
    // Redeliver sends that event again: a request carrying the webhook-id of one already received.
    const before = receiver.received.map((r) => r.headers['webhook-id']);
    await delivered
      .first()
      .getByRole('button', { name: /^Redeliver/ })
      .click();
    const [again] = (await receiver.waitFor(before.length + 1)).slice(before.length);
    expect(before).toContain(again.headers['webhook-id']);
    await shot(page, '13-webhook-deliveries');

    expect(seen.elsewhere).toEqual([]);
    expect(seen.errors).toEqual([]);
    await page.close();
  }, 180_000);
});

// The simulated network on a clock of the test's: its QR codes rotate when the test says so.
describe.each(DATABASES)(
  'the web console linking a session, on a network whose clock the test moves, on %s',
  (database) => {
    let t: TestServer;
    let network: SimulatedNetwork;
    let clock: ManualClock;
    let browser: Browser;
    const nextPhone = phoneSequence('62814', database);

    beforeAll(async () => {
      clock = new ManualClock();
      network = createSimulatedNetwork({ clock });
      t = await startTestServer(database, {}, { transport: network.transport });
      browser = await launchChromium();
      await mkdir(SHOTS, { recursive: true });
    });
    afterAll(async () => {
      await browser?.close();
      await t?.close();
    });

    async function signedIn() {
      const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
      await page.goto(`${t.url}/`);
      await page.getByLabel('API token').fill(t.adminToken);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Sessions', level: 1 }).waitFor();
      return page;
    }

    async function createSession(page: Page, name: string) {
      await page.getByLabel('Session name').fill(name);
      await page.getByRole('button', { name: 'Create' }).click();
      await page.getByRole('img', { name: /QR code/ }).waitFor();
      const sessions = (await t.request('GET', '/api/whatsapp/sessions')).body.data as Array<{
        id: string;
        name: string;
      }>;
      return sessions.find((s) => s.name === name)!.id;
    }

    it('shows the new QR code when WhatsApp rotates it, and links by the new one', async () => {
      const page = await signedIn();
      onTestFailed(async () => void (await page.screenshot({ path: `${SHOTS}${database}-rotate-failed.png` })));
      const id = await createSession(page, 'Rotating');
      const qr = page.getByRole('img', { name: /QR code/ });
      const first = await qr.getAttribute('src');
      const status = async () => (await t.request('GET', `/api/whatsapp/sessions/${id}/status`)).body.data;
      const { qr: firstCode } = await status();

      await clock.advance(60_000);
      const rotated = await eventually(async () => {
        const now = await status();
        return now.qr !== firstCode && now.qr;
      });
      await eventually(async () => (await qr.getAttribute('src')) !== first);
      await page.screenshot({ path: `${SHOTS}${database}-14-qr-rotated.png` });

      const phone = nextPhone();
      await network.phone(phone).scanQr(rotated);
      await page.getByRole('region', { name: 'Selected session' }).getByText(`+${phone}`).waitFor();
      await qr.waitFor({ state: 'detached' });
      await page.close();
    }, 120_000);

    it('links a session by a pairing code asked for on the page', async () => {
      const page = await signedIn();
      onTestFailed(async () => void (await page.screenshot({ path: `${SHOTS}${database}-pairing-failed.png` })));
      await createSession(page, 'By code');
      const phone = nextPhone();
      await page.getByLabel('Phone number').fill(phone);
      await page.getByRole('button', { name: 'Get pairing code' }).click();
      const code = page.getByText(/^[A-Z0-9]{8}$/);
      await code.waitFor();
      await page.getByRole('img', { name: /QR code/ }).waitFor({ state: 'hidden' });
      await page.screenshot({ path: `${SHOTS}${database}-15-pairing-code.png` });

      await network.phone(phone).enterPairingCode((await code.textContent())!);
      const selected = page.getByRole('region', { name: 'Selected session' });
      await selected.getByText('connected', { exact: true }).waitFor();
      await selected.getByText(`+${phone}`).waitFor();
      await page.close();
    }, 120_000);
  },
);

describe.each(DATABASES)('the web console recovering from odd addresses and failed reads, on %s', (database) => {
  let t: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    t = await startTestServer(database);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function signedIn(path: string) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${t.url}/${path}`);
    await page.getByLabel('API token').fill(t.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    return { page, errors };
  }

  it('shows the sessions view for #constructor and #toString (they found the views’ prototype members and threw)', async () => {
    const { page, errors } = await signedIn('#constructor');
    await page.getByRole('heading', { name: 'Sessions', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    // A new hash on the same page: the console routes it without a reload.
    await page.goto(`${t.url}/#toString`);
    await page.getByRole('heading', { name: 'Sessions', level: 1 }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('follows a webhook’s deliveries again when reopened after a failed read (the failure left it marked as followed, never refreshed)', async () => {
    const hook = await t.request('POST', '/api/webhooks', {
      body: { url: 'https://hooks.example.com/kirim', events: ['message.status'] },
    });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
    const { page } = await signedIn('#webhooks');
    const card = page.getByRole('list', { name: 'Webhooks' }).getByRole('listitem').first();
    const toggle = card.getByRole('button', { name: 'Recent deliveries' });
    // No delivery yet: the open list is read again every few seconds.
    await toggle.click();
    await card.getByText('No delivery yet.').waitFor();

    const reads: string[] = [];
    let failNext = true;
    await page.route('**/api/webhooks/*/deliveries*', async (route) => {
      reads.push(route.request().url());
      if (!failNext) return route.continue();
      failNext = false;
      return route.abort('connectionreset');
    });
    await page.waitForEvent('requestfailed');

    await toggle.click();
    await toggle.click();
    await card.getByText('No delivery yet.').waitFor();
    // The reopened list's own read, then the follower's: the list is followed again.
    await eventually(() => reads.length >= 3);
    await page.close();
  }, 60_000);
});
