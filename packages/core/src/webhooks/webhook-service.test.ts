import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSqliteStorage } from '@kirim/storage-sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import type { Actor } from '../actor.js';
import type { KirimEvent } from '../events.js';
import { createKirim, type Kirim, type KirimOptions } from '../kirim.js';
import { ManualClock } from '../testing/manual-clock.js';
import { aUser } from '../testing/conformance/conformance-context.js';
import type { DeliveryState, WebhookTimings } from './webhook-schemas.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A receiver answering every request with `status`; counts requests. */
async function receiver(status: number) {
  let count = 0;
  const server: Server = createServer((req, res) => {
    count++;
    req.resume();
    req.on('end', () => res.writeHead(status).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, count: () => count };
}

/** An engine on a manual clock and an in-memory database, started unless `started` is false, and a user. */
async function engine(
  timings: Partial<WebhookTimings>,
  { started = true, ...options }: Partial<KirimOptions> & { started?: boolean } = {},
) {
  const clock = new ManualClock('2026-05-01T00:00:00.000Z');
  const storage = createSqliteStorage({ filename: ':memory:' });
  await storage.migrate();
  const kirim = createKirim({
    storage,
    clock,
    secretKey: 's'.repeat(32),
    allowPrivateUrls: true,
    webhooks: { pollMs: 1_000, ...timings },
    ...options,
  });
  if (started) await kirim.start();
  cleanups.push(async () => {
    await kirim.stop();
    await storage.close();
  });
  const user = aUser();
  await storage.users.insert(user);
  const actor: Actor = { userId: user.id, role: 'user', plan: 'free', planExpiresAt: null };
  return { clock, kirim, actor, storage };
}

/** A receiver failing every delivery with `status`, and an engine retrying after 1 s, doubling up to 60 s, within `windows`. */
async function failingReceiver(status: number, windows: Pick<WebhookTimings, 'giveUpAfterMs' | 'disableAfterMs'>) {
  const target = await receiver(status);
  return { target, ...(await engine({ retryBaseMs: 1_000, retryMaxMs: 60_000, ...windows })) };
}

/** Moves the manual clock in steps, letting real I/O (HTTP, SQLite) run between them, until `check` holds. */
async function advanceUntil(clock: ManualClock, stepMs: number, check: () => Promise<boolean>, maxSteps = 400) {
  for (let i = 0; i < maxSteps; i++) {
    if (await check()) return;
    await clock.advance(stepMs);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('condition not met');
}

const bulkDone = (kirim: Kirim, userId: string) =>
  kirim.events.publish('bulk.completed', userId, { job_id: 'j', status: 'completed', total: 1, sent: 1, failed: 0 });

describe('WebhookService deliveries', () => {
  it('gives a delivery up as dead once its next attempt would fall past the give-up window', async () => {
    const { target, clock, kirim, actor } = await failingReceiver(503, {
      giveUpAfterMs: 10 * 60_000,
      disableAfterMs: 24 * 3_600_000,
    });
    const hook = await kirim.webhooks.create(actor, { url: target.url, events: ['bulk.completed'] });
    await bulkDone(kirim, actor.userId);
    const state = async () => (await kirim.webhooks.deliveries(actor, hook.id)).items[0];
    await advanceUntil(clock, 5_000, async () => (await state())?.state === 'dead');
    const dead = await state();
    expect(dead.last_error).toMatch(/gave up after \d+ attempts/);
    expect(dead.attempts).toBe(target.count());
    expect(dead.attempts).toBeGreaterThanOrEqual(8);
    expect((await kirim.webhooks.get(actor, hook.id)).is_active).toBe(true);
  });

  it('disables a webhook failing continuously past disableAfterMs, kills its open deliveries and publishes webhook.disabled', async () => {
    const { target, clock, kirim, actor } = await failingReceiver(500, {
      giveUpAfterMs: 24 * 3_600_000,
      disableAfterMs: 10 * 60_000,
    });
    const disabled: KirimEvent[] = [];
    kirim.on('webhook.disabled', (e) => disabled.push(e));
    const hook = await kirim.webhooks.create(actor, { url: target.url, events: ['*'] });
    await bulkDone(kirim, actor.userId);
    await advanceUntil(clock, 5_000, async () => disabled.length === 1);
    expect(disabled[0]).toMatchObject({
      user_id: actor.userId,
      data: { webhook_id: hook.id, url: target.url, reason: expect.stringContaining('failed continuously') },
    });
    const after = await kirim.webhooks.get(actor, hook.id);
    expect(after).toMatchObject({ is_active: false, disabled_reason: expect.stringContaining('failed continuously') });
    const log = (await kirim.webhooks.deliveries(actor, hook.id)).items;
    expect(log.every((d) => d.state === 'dead')).toBe(true);
    await expect(kirim.webhooks.redeliver(actor, hook.id, log[0].id)).rejects.toMatchObject({ code: 'conflict' });
    // A disabled webhook gets no new deliveries (not even of webhook.disabled itself).
    expect(log).toHaveLength(1);
  });

  it('tells onWebhookAttempt only of attempts made over HTTP, not of a delivery ended dead because its webhook was disabled', async () => {
    const target = await receiver(204);
    const attempts: DeliveryState[] = [];
    const { clock, kirim, actor, storage } = await engine(
      {},
      { started: false, onWebhookAttempt: (s) => attempts.push(s) },
    );
    const active = await kirim.webhooks.create(actor, { url: target.url, events: ['bulk.completed'] });
    const disabled = await kirim.webhooks.create(actor, { url: target.url, events: ['bulk.completed'] });
    // Queued for both while neither is disabled; the engine is started only once one is.
    await bulkDone(kirim, actor.userId);
    await storage.webhooks.update(disabled.id, { is_active: false, disabled_reason: 'by the test' });
    await kirim.start();
    const delivery = async (id: string) => (await kirim.webhooks.deliveries(actor, id)).items[0];
    await advanceUntil(clock, 1_000, async () => {
      const [a, d] = [await delivery(active.id), await delivery(disabled.id)];
      return a?.state === 'delivered' && d?.state === 'dead';
    });
    expect(await delivery(disabled.id)).toMatchObject({ state: 'dead', last_error: 'webhook disabled' });
    expect(target.count()).toBe(1);
    expect(attempts).toEqual(['delivered']);
  });

  it('keeps the secret sealed at rest', async () => {
    const { kirim, actor } = await engine({});
    const hook = await kirim.webhooks.create(actor, { url: 'https://hooks.example.com/x', events: ['*'] });
    const stored = await kirim.storage.webhooks.get(actor.userId, hook.id);
    expect(stored!.secret_encrypted).not.toContain(hook.secret!.slice(6));
    expect(stored!.secret_encrypted).toMatch(/^v1\./);
  });
});
