import type { HostResolver } from '@kirim/core';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

// Loopback receivers need the operator's allow flag; retries are shortened from seconds to milliseconds.
const FAST = {
  KIRIM_ALLOW_PRIVATE_URLS: 'true',
  KIRIM_WEBHOOK_RETRY_BASE_MS: '20',
  KIRIM_WEBHOOK_RETRY_MAX_MS: '100',
  KIRIM_WEBHOOK_POLL_MS: '25',
  KIRIM_EVENT_POLL_MS: '25',
};

async function eventually<T>(read: () => Promise<T>, until: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (until(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A DNS of the test's: each name answers the addresses in `names` (changeable), any other does not exist. */
function testResolver(names: Record<string, string[]>): HostResolver {
  return async (hostname) => {
    // As DNS does, a trailing dot (the root) names the same host.
    const addresses = names[hostname.toLowerCase().replace(/\.$/, '')];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

describe.each(DATABASES)('webhooks over HTTP on %s', (database) => {
  let t: TestServer;
  let receiver: WebhookReceiver;
  let user: { id: string; token: string };

  beforeAll(async () => {
    t = await startTestServer(database, FAST);
    user = await t.createUser();
  });
  afterAll(async () => {
    await t?.close();
  });

  const subscribe = async (events: string[] = ['*'], extra: Record<string, unknown> = {}) => {
    receiver = await startWebhookReceiver();
    const res = await t.request('POST', '/api/webhooks', {
      token: user.token,
      body: { url: receiver.url, events, ...extra },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.data as { id: string; secret: string };
  };
  const deliveries = async (webhookId: string, token = user.token) =>
    (await t.request('GET', `/api/webhooks/${webhookId}/deliveries`, { token })).body.data as any[];
  const bulkCompleted = (jobId: string) =>
    t.server.kirim.events.publish('bulk.completed', user.id, {
      job_id: jobId,
      status: 'completed',
      total: 2,
      sent: 2,
      failed: 0,
    });

  it('signs each delivery per Standard Webhooks, verifiable with the standardwebhooks library, and shows the secret only at creation', async () => {
    const created = await subscribe(['bulk.completed']);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const listed = await t.request('GET', '/api/webhooks', { token: user.token });
    expect(listed.body.data).toEqual([
      expect.objectContaining({ id: created.id, url: receiver.url, events: ['bulk.completed'], is_active: true }),
    ]);
    expect(listed.body.data[0]).not.toHaveProperty('secret');

    await t.server.kirim.events.publish('bulk.progress', user.id, {
      job_id: 'j',
      total: 2,
      sent: 1,
      failed: 0,
      pending: 1,
    });
    const event = await bulkCompleted('job-sig');
    const [hook] = await receiver.waitFor(1);
    expect(hook.headers['webhook-id']).toBe(event.id);
    const verified = new Webhook(created.secret).verify(hook.body, hook.headers as Record<string, string>);
    expect(verified).toEqual(JSON.parse(JSON.stringify(event)));
    expect(() =>
      new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(
        hook.body,
        hook.headers as Record<string, string>,
      ),
    ).toThrow();
    // The other event type was not subscribed to.
    await pause(150);
    expect(receiver.received).toHaveLength(1);
    const [log] = await eventually(
      () => deliveries(created.id),
      (d) => d[0]?.state === 'delivered',
    );
    expect(log).toMatchObject({
      event_id: event.id,
      event_type: 'bulk.completed',
      state: 'delivered',
      attempts: 1,
      status_code: 204,
      latency_ms: expect.any(Number),
    });
    await receiver.close();
  });

  it('uses a secret given at creation', async () => {
    const secret = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
    const created = await subscribe(['*'], { secret });
    expect(created.secret).toBe(secret);
    await bulkCompleted('job-own-secret');
    const [hook] = await receiver.waitFor(1);
    expect(() => new Webhook(secret).verify(hook.body, hook.headers as Record<string, string>)).not.toThrow();
    await t.request('DELETE', `/api/webhooks/${created.id}`, { token: user.token });
    await receiver.close();
  });

  it('retries a receiver that fails 3 times, then marks the event delivered once with 4 attempts', async () => {
    const created = await subscribe(['bulk.completed']);
    receiver.respond = (_hook, index) => (index < 3 ? 500 : 200);
    const event = await bulkCompleted('job-retry');
    await receiver.waitFor(4);
    const [log] = await eventually(
      () => deliveries(created.id),
      (d) => d[0]?.state === 'delivered',
    );
    expect(log).toMatchObject({
      event_id: event.id,
      state: 'delivered',
      attempts: 4,
      status_code: 200,
      next_attempt_at: null,
    });
    await pause(300);
    expect(receiver.received).toHaveLength(4);
    expect(new Set(receiver.received.map((h) => h.headers['webhook-id']))).toEqual(new Set([event.id]));
    await t.request('DELETE', `/api/webhooks/${created.id}`, { token: user.token });
    await receiver.close();
  });

  it('does not retry a 4xx other than 408 and 429, and retries those two', async () => {
    const created = await subscribe(['bulk.completed']);
    receiver.respond = (hook) =>
      JSON.parse(hook.body).data.job_id === 'job-400' ? 400 : receiver.received.length <= 3 ? 429 : 204;
    await bulkCompleted('job-400');
    const [dead] = await eventually(
      () => deliveries(created.id),
      (d) => d[0]?.state === 'dead',
    );
    expect(dead).toMatchObject({ attempts: 1, status_code: 400, last_error: expect.stringContaining('not retried') });
    await pause(200);
    expect(receiver.received).toHaveLength(1);

    await bulkCompleted('job-429');
    const [retried] = await eventually(
      () => deliveries(created.id),
      (d) => d[0]?.event_type === 'bulk.completed' && d[0]?.state === 'delivered',
    );
    expect(retried.attempts).toBeGreaterThanOrEqual(2);
    await t.request('DELETE', `/api/webhooks/${created.id}`, { token: user.token });
    await receiver.close();
  });

  it('redelivers on request with the same webhook-id', async () => {
    const created = await subscribe(['bulk.completed']);
    const event = await bulkCompleted('job-redeliver');
    const [first] = await eventually(
      () => deliveries(created.id),
      (d) => d[0]?.state === 'delivered',
    );
    const res = await t.request('POST', `/api/webhooks/${created.id}/deliveries/${first.id}/redeliver`, {
      token: user.token,
    });
    expect(res.status).toBe(202);
    const hooks = await receiver.waitFor(2);
    expect(hooks.map((h) => h.headers['webhook-id'])).toEqual([event.id, event.id]);
    const [again] = await eventually(
      () => deliveries(created.id),
      (d) => d[0]?.attempts === 2 && d[0]?.state === 'delivered',
    );
    expect(again.id).toBe(first.id);
    await t.request('DELETE', `/api/webhooks/${created.id}`, { token: user.token });
    await receiver.close();
  });

  it("answers 404 for another user's webhook on every route, as if it did not exist", async () => {
    const created = await subscribe(['*']);
    await bulkCompleted('job-tenancy');
    const [delivery] = await eventually(
      () => deliveries(created.id),
      (d) => d.length === 1,
    );
    const other = await t.createUser();
    for (const [method, path] of [
      ['GET', `/api/webhooks/${created.id}`],
      ['GET', `/api/webhooks/${created.id}/deliveries`],
      ['DELETE', `/api/webhooks/${created.id}`],
      ['POST', `/api/webhooks/${created.id}/deliveries/${delivery.id}/redeliver`],
    ] as const) {
      expect((await t.request(method, path, { token: other.token })).status, `${method} ${path}`).toBe(404);
    }
    expect((await t.request('GET', '/api/webhooks', { token: other.token })).body.data).toEqual([]);
    // Admins see only their own too.
    expect((await t.request('GET', `/api/webhooks/${created.id}`)).status).toBe(404);
    expect((await t.request('DELETE', `/api/webhooks/${created.id}`, { token: user.token })).status).toBe(200);
    expect((await t.request('GET', `/api/webhooks/${created.id}`, { token: user.token })).status).toBe(404);
    await receiver.close();
  });

  it('names every bad field in a 422', async () => {
    const res = await t.request('POST', '/api/webhooks', {
      token: user.token,
      body: { url: 'ftp://example.com/x', events: ['message.received', 'party.started'], secret: 'hunter2' },
    });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.errors).sort()).toEqual(['events.1', 'secret', 'url']);
    const empty = await t.request('POST', '/api/webhooks', { token: user.token, body: {} });
    expect(Object.keys(empty.body.errors).sort()).toEqual(['events', 'url']);
  });

  it('refuses private, loopback and link-local URLs without the operator flag', async () => {
    const strict = await startTestServer(database);
    try {
      for (const url of [
        'http://127.0.0.1:9000/hook',
        'http://localhost/hook',
        'http://[::1]/hook',
        'http://169.254.169.254/latest',
        'http://10.0.0.7/',
        'http://[::ffff:127.0.0.1]/',
      ]) {
        const res = await strict.request('POST', '/api/webhooks', { body: { url, events: ['*'] } });
        expect(res.status, url).toBe(422);
        expect(res.body.errors.url, url).toEqual([expect.stringContaining('private')]);
      }
      expect(
        (
          await strict.request('POST', '/api/webhooks', {
            body: { url: 'https://hooks.example.com/kirim', events: ['*'] },
          })
        ).status,
      ).toBe(201);
    } finally {
      await strict.close();
    }
  });

  it('refuses at subscription a URL whose host name resolves to a loopback, private or link-local address, naming url, and stores nothing', async () => {
    const dns = {
      'loopback.test': ['127.0.0.1'],
      'metadata.test': ['169.254.169.254'],
      'intranet.test': ['10.1.2.3'],
      'mapped.test': ['::ffff:127.0.0.1'],
      'v6-local.test': ['fd00::1'],
      'mixed.test': ['93.184.216.34', '192.168.1.20'],
      'public.test': ['93.184.216.34', '2606:2800:220:1::1'],
    };
    const strict = await startTestServer(database, {}, { resolveHost: testResolver(dns) });
    try {
      for (const host of [
        'loopback.test',
        'metadata.test',
        'intranet.test',
        'mapped.test',
        'v6-local.test',
        'mixed.test',
        'LOOPBACK.test.',
      ]) {
        const res = await strict.request('POST', '/api/webhooks', {
          body: { url: `https://${host}/hook`, events: ['*'] },
        });
        expect(res.status, host).toBe(422);
        expect(res.body.errors, host).toEqual({ url: [expect.stringContaining('private')] });
      }
      expect((await strict.request('GET', '/api/webhooks')).body.data).toEqual([]);
      expect(
        (await strict.request('POST', '/api/webhooks', { body: { url: 'https://public.test/hook', events: ['*'] } }))
          .status,
      ).toBe(201);
      // A name that does not resolve now is taken: its receiver may not be in DNS yet, and delivery checks again.
      expect(
        (await strict.request('POST', '/api/webhooks', { body: { url: 'https://not-yet.test/hook', events: ['*'] } }))
          .status,
      ).toBe(201);
    } finally {
      await strict.close();
    }
    const allowed = await startTestServer(
      database,
      { KIRIM_ALLOW_PRIVATE_URLS: 'true' },
      { resolveHost: testResolver(dns) },
    );
    try {
      expect(
        (await allowed.request('POST', '/api/webhooks', { body: { url: 'https://loopback.test/hook', events: ['*'] } }))
          .status,
      ).toBe(201);
    } finally {
      await allowed.close();
    }
  });

  it('still refuses at delivery a host name that resolves to loopback only after subscription (DNS rebinding)', async () => {
    const dns: Record<string, string[]> = { 'rebind.test': ['93.184.216.34'] };
    const { KIRIM_ALLOW_PRIVATE_URLS: _allowed, ...strictFast } = FAST;
    const strict = await startTestServer(database, strictFast, { resolveHost: testResolver(dns) });
    const target = await startWebhookReceiver();
    try {
      const created = await strict.request('POST', '/api/webhooks', {
        body: { url: `http://rebind.test:${new URL(target.url).port}/hook`, events: ['bulk.completed'] },
      });
      expect(created.status).toBe(201);
      dns['rebind.test'] = ['127.0.0.1'];
      const admin = await strict.request('GET', '/api/me');
      await strict.server.kirim.events.publish('bulk.completed', admin.body.data.id, {
        job_id: 'job-rebind',
        status: 'completed',
        total: 1,
        sent: 1,
        failed: 0,
      });
      const read = async () =>
        (await strict.request('GET', `/api/webhooks/${created.body.data.id}/deliveries`)).body.data as any[];
      const [failed] = await eventually(read, (d) => d[0]?.attempts >= 1);
      expect(failed.state).not.toBe('delivered');
      expect(failed.last_error).toContain('private');
      expect(target.received).toEqual([]);
    } finally {
      await target.close();
      await strict.close();
    }
  });

  it('delivers every pending delivery after a restart on the same database', async () => {
    const created = await subscribe(['bulk.completed']);
    const port = Number(new URL(receiver.url).port);
    await receiver.close();
    const published = [];
    for (let i = 0; i < 5; i++) published.push((await bulkCompleted(`job-restart-${i}`)).id);
    await eventually(
      () => deliveries(created.id),
      (d) => d.length === 5 && d.every((x) => x.attempts >= 1 && x.state === 'failed'),
    );

    await t.restart();
    receiver = await startWebhookReceiver(port);
    const all = await eventually(
      () => deliveries(created.id),
      (d) => d.length === 5 && d.every((x) => x.state === 'delivered'),
    );
    expect(all.every((x) => x.attempts >= 2)).toBe(true);
    const received = new Set(receiver.received.map((h) => h.headers['webhook-id']));
    expect([...received].sort()).toEqual([...published].sort());
    await receiver.close();
  });
});
