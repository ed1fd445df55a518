import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Webhook, WebhookDelivery } from '../../webhooks/webhook-schemas.js';
import { insertTwoUsers, LATER, NOW, ownedRecord, T0, type ConformanceContext } from './conformance-context.js';

const aWebhook = ownedRecord<Webhook>(() => ({
  url: 'https://hooks.example.com/kirim',
  events: ['message.received'],
  secret_encrypted: 'v1.k.iv.tag.ct',
  is_active: true,
  disabled_reason: null,
  failing_since: null,
  created_at: T0,
  updated_at: T0,
}));

function aDelivery(webhook: Webhook, overrides: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return {
    id: randomUUID(),
    webhook_id: webhook.id,
    user_id: webhook.user_id,
    event_id: `evt_${randomUUID()}`,
    event_type: 'message.received',
    payload: '{"a":1}',
    state: 'pending',
    attempts: 0,
    next_attempt_at: T0,
    last_status_code: null,
    last_latency_ms: null,
    last_error: null,
    claimed_by: null,
    claim_expires_at: null,
    created_at: T0,
    updated_at: T0,
    delivered_at: null,
    ...overrides,
  };
}

/** Conformance of `webhooks` and `webhookDeliveries`. */
export function describeWebhooks(ctx: ConformanceContext): void {
  describe('WebhookRepository', () => {
    it('round-trips every field, events as an array and booleans as booleans', async () => {
      const [userId] = await insertTwoUsers(ctx.storage());
      const webhook = aWebhook(userId, {
        events: ['*'],
        is_active: false,
        disabled_reason: 'failing',
        failing_since: T0,
      });
      await ctx.storage().webhooks.insert(webhook);
      expect(await ctx.storage().webhooks.get(userId, webhook.id)).toEqual(webhook);
      expect(await ctx.storage().webhooks.getById(webhook.id)).toEqual(webhook);
    });

    it('hides a webhook from every other user: get, list, listActiveFor and remove', async () => {
      const [owner, other] = await insertTwoUsers(ctx.storage());
      const webhook = aWebhook(owner);
      await ctx.storage().webhooks.insert(webhook);
      expect(await ctx.storage().webhooks.get(other, webhook.id)).toBeUndefined();
      expect(await ctx.storage().webhooks.list(other)).toEqual([]);
      expect(await ctx.storage().webhooks.listActiveFor(other, 'message.received')).toEqual([]);
      expect(await ctx.storage().webhooks.remove(other, webhook.id)).toBe(false);
      expect(await ctx.storage().webhooks.list(owner)).toEqual([webhook]);
    });

    it('lists as active for an event only active webhooks naming it or *', async () => {
      const [userId] = await insertTwoUsers(ctx.storage());
      const named = aWebhook(userId, {
        events: ['message.received', 'message.status'],
        created_at: '2026-01-01T00:00:01.000Z',
      });
      const all = aWebhook(userId, { events: ['*'], created_at: '2026-01-01T00:00:02.000Z' });
      const otherEvent = aWebhook(userId, { events: ['bulk.completed'] });
      const inactive = aWebhook(userId, { events: ['*'], is_active: false });
      for (const w of [named, all, otherEvent, inactive]) await ctx.storage().webhooks.insert(w);
      expect((await ctx.storage().webhooks.listActiveFor(userId, 'message.status')).map((w) => w.id)).toEqual([
        named.id,
        all.id,
      ]);
    });

    it('updates, and removing a webhook removes its deliveries', async () => {
      const [userId] = await insertTwoUsers(ctx.storage());
      const webhook = aWebhook(userId);
      await ctx.storage().webhooks.insert(webhook);
      const delivery = aDelivery(webhook);
      await ctx.storage().webhookDeliveries.insertMany([delivery]);
      expect(await ctx.storage().webhooks.update(webhook.id, { is_active: false, events: ['*'] })).toMatchObject({
        is_active: false,
        events: ['*'],
      });
      expect(await ctx.storage().webhooks.remove(userId, webhook.id)).toBe(true);
      expect(await ctx.storage().webhooks.getById(webhook.id)).toBeUndefined();
      expect(await ctx.storage().webhookDeliveries.get(webhook.id, delivery.id)).toBeUndefined();
    });
  });

  describe('WebhookDeliveryRepository', () => {
    const setup = async () => {
      const [userId] = await insertTwoUsers(ctx.storage());
      const webhook = aWebhook(userId);
      await ctx.storage().webhooks.insert(webhook);
      return webhook;
    };

    it('round-trips a delivery and rejects the same event twice for one webhook as conflict', async () => {
      const webhook = await setup();
      const delivery = aDelivery(webhook);
      await ctx.storage().webhookDeliveries.insertMany([delivery]);
      expect(await ctx.storage().webhookDeliveries.get(webhook.id, delivery.id)).toEqual(delivery);
      expect(await ctx.storage().webhookDeliveries.get(randomUUID(), delivery.id)).toBeUndefined();
      await expect(
        ctx.storage().webhookDeliveries.insertMany([aDelivery(webhook, { event_id: delivery.event_id })]),
      ).rejects.toMatchObject({ code: 'conflict' });
    });

    it('claims only due, open, unclaimed deliveries, oldest due first, up to the limit', async () => {
      const webhook = await setup();
      const early = aDelivery(webhook, { next_attempt_at: '2026-01-01T00:01:00.000Z' });
      const retry = aDelivery(webhook, { state: 'failed', attempts: 2, next_attempt_at: '2026-01-01T00:02:00.000Z' });
      const later = aDelivery(webhook, { next_attempt_at: '2026-01-01T00:03:00.000Z' });
      const future = aDelivery(webhook, { next_attempt_at: '2026-01-02T00:00:00.000Z' });
      const done = aDelivery(webhook, { state: 'delivered', next_attempt_at: null });
      const dead = aDelivery(webhook, { state: 'dead', next_attempt_at: null });
      const claimedElsewhere = aDelivery(webhook, { claimed_by: 'other', claim_expires_at: LATER });
      await ctx.storage().webhookDeliveries.insertMany([later, future, done, dead, early, retry, claimedElsewhere]);
      const first = await ctx.storage().webhookDeliveries.claimDue(NOW, 'me', LATER, 2);
      expect(first.map((d) => d.id)).toEqual([early.id, retry.id]);
      expect(first[0]).toMatchObject({ claimed_by: 'me', claim_expires_at: LATER });
      expect((await ctx.storage().webhookDeliveries.claimDue(NOW, 'me', LATER, 10)).map((d) => d.id)).toEqual([
        later.id,
      ]);
      expect(await ctx.storage().webhookDeliveries.claimDue(NOW, 'me', LATER, 10)).toEqual([]);
      // An expired claim (its process died) is claimable again.
      expect(
        (
          await ctx
            .storage()
            .webhookDeliveries.claimDue('2026-01-01T00:12:00.000Z', 'next', '2026-01-01T00:13:00.000Z', 10)
        )
          .map((d) => d.id)
          .sort(),
      ).toEqual([early.id, retry.id, later.id, claimedElsewhere.id].sort());
    });

    it('never hands one delivery to two concurrent claimers', async () => {
      const webhook = await setup();
      const deliveries = Array.from({ length: 60 }, () => aDelivery(webhook));
      await ctx.storage().webhookDeliveries.insertMany(deliveries);
      const claims = await Promise.all(
        Array.from({ length: 6 }, (_, i) => ctx.storage().webhookDeliveries.claimDue(NOW, `claimer-${i}`, LATER, 15)),
      );
      const ids = claims.flat().map((d) => d.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(60);
    });

    it('finishes only while the claim is held, and releases claims', async () => {
      const webhook = await setup();
      const [a, b] = [aDelivery(webhook), aDelivery(webhook)];
      await ctx.storage().webhookDeliveries.insertMany([a, b]);
      await ctx.storage().webhookDeliveries.claimDue(NOW, 'me', LATER, 10);
      expect(await ctx.storage().webhookDeliveries.finish(a.id, 'someone-else', { state: 'delivered' })).toBe(false);
      expect(
        await ctx.storage().webhookDeliveries.finish(a.id, 'me', {
          state: 'delivered',
          attempts: 1,
          last_status_code: 204,
          last_latency_ms: 12,
          next_attempt_at: null,
        }),
      ).toBe(true);
      expect(await ctx.storage().webhookDeliveries.get(webhook.id, a.id)).toMatchObject({
        state: 'delivered',
        attempts: 1,
        last_status_code: 204,
        claimed_by: null,
      });
      expect(await ctx.storage().webhookDeliveries.releaseClaims('me')).toBe(1);
      expect((await ctx.storage().webhookDeliveries.claimDue(NOW, 'you', LATER, 10)).map((d) => d.id)).toEqual([b.id]);
    });

    it('pages newest first, kills open deliveries, updates regardless of claims, prunes finished ones', async () => {
      const webhook = await setup();
      const old = aDelivery(webhook, { state: 'delivered', created_at: T0, updated_at: T0 });
      const open = aDelivery(webhook, { created_at: '2026-01-01T00:00:01.000Z' });
      const failing = aDelivery(webhook, { created_at: '2026-01-01T00:00:02.000Z', state: 'failed', attempts: 3 });
      await ctx.storage().webhookDeliveries.insertMany([old, open, failing]);
      const page = await ctx.storage().webhookDeliveries.list(webhook.id, { limit: 2, offset: 0 });
      expect(page.total).toBe(3);
      expect(page.items.map((d) => d.id)).toEqual([failing.id, open.id]);
      expect(await ctx.storage().webhookDeliveries.killOpen(webhook.id, 'disabled', NOW)).toBe(2);
      expect(await ctx.storage().webhookDeliveries.get(webhook.id, failing.id)).toMatchObject({
        state: 'dead',
        last_error: 'disabled',
        next_attempt_at: null,
      });
      expect(
        await ctx.storage().webhookDeliveries.update(failing.id, { state: 'pending', next_attempt_at: NOW }),
      ).toMatchObject({ state: 'pending', attempts: 3 });
      expect(await ctx.storage().webhookDeliveries.pruneFinishedBefore('2026-01-01T00:05:00.000Z')).toBe(1);
      expect(await ctx.storage().webhookDeliveries.get(webhook.id, old.id)).toBeUndefined();
    });
  });
}
