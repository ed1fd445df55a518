import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulatedNetwork, SESSION_STATUSES, type EventOrigin, type SimulatedNetwork } from '@kirim/core';
import { loadConfig, startServer } from '@kirim/server';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';
import { QUICK_SENDS } from '../support/quick-sends.js';
import { linkSession, phoneSequence } from '../support/linking.js';
import { freshPostgresUrl } from '../support/postgres.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

// Rate limits off, a fast dispatcher and webhook retries, loopback media and webhooks allowed, metrics on a port of their own.
const ENV = {
  ...QUICK_SENDS,
  KIRIM_ALLOW_PRIVATE_URLS: 'true',
  KIRIM_WEBHOOK_RETRY_BASE_MS: '20',
  KIRIM_WEBHOOK_RETRY_MAX_MS: '100',
  METRICS_PORT: '0',
};

const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

/** One sample of the text format: its metric name, labels and value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

// The text format's sample line: name, optional {label="value",…}, one space, a number.
const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\.)*)"/g;

/** Parses the Prometheus text format, failing on any line that is neither HELP, TYPE nor a sample. */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* \S/.test(line)) continue;
    const match = SAMPLE_LINE.exec(line);
    if (!match) throw new Error(`not a line of the Prometheus text format: ${JSON.stringify(line)}`);
    // Prometheus reads values with Go's ParseFloat: NaN and Inf in any case (prom-client writes `Nan`).
    const raw = match[3]!;
    const value = /^nan$/i.test(raw) ? NaN : Number(raw.replace(/^([+-]?)inf$/i, '$1Infinity'));
    if (Number.isNaN(value) && !/^nan$/i.test(raw)) throw new Error(`not a sample value: ${JSON.stringify(line)}`);
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(LABEL)].map(([, k, v]) => [k!, v!]));
    samples.push({ name: match[1]!, labels, value });
  }
  return samples;
}

/** The value of the sample `name` with exactly these labels; 0 when absent (a counter never incremented has none). */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.find(
    (s) =>
      s.name === name &&
      Object.keys(s.labels).length === Object.keys(labels).length &&
      Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return found?.value ?? 0;
}

describe.each(DATABASES)('GET /metrics on %s', (database) => {
  let t: TestServer;
  let network: SimulatedNetwork;
  let media: Server;
  let mediaUrl: string;
  let receiver: WebhookReceiver;
  // Sessions linked by this file's tests on this server: the `connected` gauge counts them.
  let linkedHere = 0;
  beforeAll(async () => {
    network = createSimulatedNetwork({ latencyMs: 1 });
    t = await startTestServer(database, ENV, { transport: network.transport });
    // A document may hold any bytes: plain text serves.
    media = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('Price list\n'));
    await new Promise<void>((resolve) => media.listen(0, '127.0.0.1', resolve));
    mediaUrl = `http://127.0.0.1:${(media.address() as AddressInfo).port}/price-list.txt`;
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await t?.close();
    media?.close();
    await receiver?.close();
  });

  const nextPhone = phoneSequence('62813', database);

  const scrape = async () => {
    const res = await t.request('GET', '/metrics');
    expect(res.status).toBe(200);
    return parseMetrics(res.body as string);
  };

  /** Scrapes until `done` holds of the samples (the engine counts an event just after answering the request). */
  const scrapeUntil = (done: (samples: Sample[]) => boolean) =>
    eventually(async () => {
      const samples = await scrape();
      if (!done(samples))
        throw new Error(
          `metrics not there yet:\n${JSON.stringify(samples.filter((s) => s.name.startsWith('kirim_')))}`,
        );
      return samples;
    });

  async function linked(token: string) {
    const id = await linkSession(t, network, token, nextPhone());
    linkedHere++;
    return id;
  }

  const sendText = async (token: string, sessionId: string, to: string, message: string) => {
    const res = await t.request('POST', '/api/whatsapp/messages/text', {
      token,
      body: { session_id: sessionId, to: `+${to}`, message },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };

  it('moves kirim_messages_total{status="sent"} by exactly N after N sends, and delivered and read by N as the receipts come', async () => {
    const u = await t.createUser();
    const id = await linked(u.token);
    const customer = network.phone(nextPhone(), { autoRead: true });
    const before = await scrape();
    const count = (samples: Sample[], status: string) =>
      valueOf(samples, 'kirim_messages_total', { status, kind: 'text' }) -
      valueOf(before, 'kirim_messages_total', { status, kind: 'text' });

    const N = 7;
    for (let i = 0; i < N; i++) await sendText(u.token, id, customer.number, `Halo ${i}`);

    // Read receipts come last: once all N are counted, every status has had its chance to be counted twice.
    const after = await scrapeUntil((samples) => count(samples, 'read') === N && count(samples, 'delivered') === N);
    expect(count(after, 'sent')).toBe(N);
    expect(count(after, 'failed')).toBe(0);
    const lagCount = (samples: Sample[]) => valueOf(samples, 'kirim_dispatch_lag_seconds_count');
    expect(lagCount(after) - lagCount(before)).toBe(N);
    expect(valueOf(after, 'kirim_dispatch_lag_seconds_sum')).toBeGreaterThanOrEqual(
      valueOf(before, 'kirim_dispatch_lag_seconds_sum'),
    );
    const statusEvents = (samples: Sample[]) => valueOf(samples, 'kirim_events_total', { type: 'message.status' });
    expect(statusEvents(after) - statusEvents(before)).toBe(3 * N);
    // Nothing else counted them since.
    const later = await scrape();
    expect(count(later, 'sent')).toBe(N);
    expect(count(later, 'read')).toBe(N);
  });

  it('labels a message with its type as kind: a document counts as kind="document"', async () => {
    const u = await t.createUser();
    const id = await linked(u.token);
    const customer = network.phone(nextPhone());
    const documents = (samples: Sample[], status: string) =>
      valueOf(samples, 'kirim_messages_total', { status, kind: 'document' });
    const before = await scrape();
    const res = await t.request('POST', '/api/whatsapp/messages/media', {
      token: u.token,
      body: { session_id: id, to: `+${customer.number}`, media_url: mediaUrl, type: 'document', caption: 'Prices' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const after = await scrapeUntil(
      (samples) => documents(samples, 'delivered') - documents(before, 'delivered') === 1,
    );
    expect(documents(after, 'sent') - documents(before, 'sent')).toBe(1);
  });

  it('counts webhook deliveries by result: delivered, failed (to be retried) and dead (given up)', async () => {
    const u = await t.createUser();
    const id = await linked(u.token);
    const customer = network.phone(nextPhone(), { autoRead: true });
    const hook = await t.request('POST', '/api/webhooks', {
      token: u.token,
      body: { url: receiver.url, events: ['message.status'] },
    });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
    // sent: accepted; delivered: refused with a 503 once, then accepted on the retry; read: refused for good (400).
    let refusedOnce = false;
    receiver.respond = (received) => {
      const status = (JSON.parse(received.body) as { data: { status: string } }).data.status;
      if (status === 'read') return 400;
      if (status === 'delivered' && !refusedOnce) return ((refusedOnce = true), 503);
      return 204;
    };
    const result = (samples: Sample[], name: string) =>
      valueOf(samples, 'kirim_webhook_deliveries_total', { result: name });
    const before = await scrape();

    await sendText(u.token, id, customer.number, 'Halo webhook');
    await receiver.waitFor(4);
    const after = await scrapeUntil(
      (samples) =>
        result(samples, 'dead') - result(before, 'dead') === 1 &&
        result(samples, 'delivered') - result(before, 'delivered') === 2,
    );
    expect(result(after, 'failed') - result(before, 'failed')).toBe(1);
  });

  it('answers 401 without a token or with an unknown one, and a non-admin as the admin routes do (403), in the API bodies', async () => {
    const missing = await t.request('GET', '/metrics', { token: null });
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual((await t.request('GET', '/api/admin/users', { token: null })).body);
    const unknown = await t.request('GET', '/metrics', { token: 'kirim_not-a-token' });
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual((await t.request('GET', '/api/admin/users', { token: 'kirim_not-a-token' })).body);

    const user = await t.createUser();
    const adminRoute = await t.request('GET', '/api/admin/users', { token: user.token });
    const metrics = await t.request('GET', '/metrics', { token: user.token });
    expect(metrics.status).toBe(403);
    expect({ status: metrics.status, body: metrics.body }).toEqual({
      status: adminRoute.status,
      body: adminRoute.body,
    });
  });

  it('serves the metrics without a token on METRICS_PORT, on loopback (METRICS_HOST unset), and nothing else there', async () => {
    const url = t.server.metricsUrl!;
    expect(new URL(url).hostname).toBe('127.0.0.1');
    expect(new URL(url).port).not.toBe(new URL(t.url).port);
    const open = await fetch(`${url}/metrics`);
    expect(open.status).toBe(200);
    expect(open.headers.get('content-type')).toBe(PROMETHEUS_TEXT);
    const samples = parseMetrics(await open.text());
    expect(samples.some((s) => s.name === 'kirim_outbox_queued')).toBe(true);
    expect((await fetch(`${url}/api/admin/users`)).status).toBe(404);
    expect((await fetch(`${url}/`)).status).toBe(404);
    // The API's port still asks for the admin's token.
    expect((await t.request('GET', '/metrics', { token: null })).status).toBe(401);
  });

  it('labels HTTP requests by route template, never by the raw path; an unknown path by the fixed label "unmatched"', async () => {
    const u = await t.createUser();
    const id = await linked(u.token);
    const route = '/api/whatsapp/sessions/:id/status';
    const requests = (samples: Sample[], labels: Record<string, string>) =>
      valueOf(samples, 'kirim_http_requests_total', labels);
    const before = await scrape();
    expect((await t.request('GET', `/api/whatsapp/sessions/${id}/status`, { token: u.token })).status).toBe(200);
    expect((await t.request('GET', `/api/whatsapp/sessions/${id}/status`, { token: u.token })).status).toBe(200);
    expect((await t.request('GET', `/api/no-such-route/${id}`, { token: u.token })).status).toBe(404);

    const after = await scrape();
    const ok = { method: 'GET', route, status: '200' };
    expect(requests(after, ok) - requests(before, ok)).toBe(2);
    const unmatched = { method: 'GET', route: 'unmatched', status: '404' };
    expect(requests(after, unmatched) - requests(before, unmatched)).toBe(1);
    expect(
      valueOf(after, 'kirim_http_request_duration_seconds_count', { method: 'GET', route }),
    ).toBeGreaterThanOrEqual(2);
    const routes = after.filter((s) => s.name.startsWith('kirim_http_')).map((s) => s.labels.route!);
    expect(routes.filter((r) => r.includes(id))).toEqual([]);
    expect(routes).toContain('/metrics');
  });

  it('labels a route declared with several paths by its first, not by the list joined with commas', async () => {
    expect((await t.request('GET', '/docs/index.html')).status).toBe(200);
    const routes = (await scrape()).filter((s) => s.name === 'kirim_http_requests_total').map((s) => s.labels.route!);
    expect(routes).toContain('/docs/');
    expect(routes.filter((r) => r.includes(','))).toEqual([]);
  });

  it('answers in the Prometheus text format: HELP and TYPE as prom-client writes them, every sample parsed, process metrics included', async () => {
    const res = await t.request('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(PROMETHEUS_TEXT);
    const text = res.body as string;
    const lines = text.split('\n');
    expect(lines).toContain('# TYPE kirim_messages_total counter');
    expect(lines).toContain('# TYPE kirim_dispatch_lag_seconds histogram');
    expect(lines).toContain('# TYPE kirim_sessions gauge');
    expect(lines).toContain(
      '# HELP kirim_outbox_queued Outgoing messages queued in the outbox, scheduled ones included. Read from the shared database: the same in every process.',
    );
    const samples = parseMetrics(text);
    const connected = valueOf(samples, 'kirim_sessions', { state: 'connected' });
    expect(lines).toContain(`kirim_sessions{state="connected"} ${connected}`);
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
    ])
      expect(samples.some((s) => s.name === name)).toBe(true);
  });

  it('reads the gauges from the database: sessions by state, the queued messages, the open breakers', async () => {
    const u = await t.createUser();
    const id = await linked(u.token);
    const before = await scrape();
    const scheduled = await t.request('POST', '/api/whatsapp/messages/schedule/text', {
      token: u.token,
      body: {
        session_id: id,
        to: nextPhone(),
        message: 'Besok',
        scheduled_at: new Date(Date.now() + 24 * 3_600_000).toISOString(),
      },
    });
    expect(scheduled.status, JSON.stringify(scheduled.body)).toBe(201);
    const after = await scrape();
    expect(valueOf(after, 'kirim_outbox_queued') - valueOf(before, 'kirim_outbox_queued')).toBe(1);
    expect(valueOf(after, 'kirim_sessions', { state: 'connected' })).toBe(linkedHere);
    for (const state of SESSION_STATUSES)
      expect(after.some((s) => s.name === 'kirim_sessions' && s.labels.state === state)).toBe(true);
    expect(valueOf(after, 'kirim_circuit_open')).toBe(0);
  });
});

describe('GET /metrics of two servers sharing one PostgreSQL database (only PostgreSQL is shared by processes)', () => {
  let databaseUrl: string;
  let a: TestServer;
  let b: TestServer | undefined;
  let network: SimulatedNetwork;
  beforeAll(async () => {
    databaseUrl = await freshPostgresUrl();
    network = createSimulatedNetwork({ latencyMs: 1 });
    a = await startTestServer('postgres', { ...ENV, DATABASE_URL: databaseUrl }, { transport: network.transport });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it("counts in each process only what it caused, not the events relayed from the other; the database's gauges read the same in both", async () => {
    const nextPhone = phoneSequence('62814', 'postgres');
    const u = await a.createUser();
    const id = await linkSession(a, network, u.token, nextPhone());
    // Started once A drives the session (its lease held): B never takes it up, so every send and receipt is A's.
    b = await startTestServer('postgres', { DATABASE_URL: databaseUrl, KIRIM_TRANSPORT: 'simulated' });
    const heardByB: EventOrigin[] = [];
    b.server.kirim.on('message.status', (_event, origin) => heardByB.push(origin));
    const customer = network.phone(nextPhone(), { autoRead: true });

    const N = 4;
    for (let i = 0; i < N; i++) {
      const res = await a.request('POST', '/api/whatsapp/messages/text', {
        token: u.token,
        body: { session_id: id, to: `+${customer.number}`, message: `Halo ${i}` },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    // B hears all of them (sent, delivered and read of each), through the relay.
    await eventually(() => heardByB.length === 3 * N);
    expect(new Set(heardByB)).toEqual(new Set(['relayed']));

    const scrapeOf = async (server: TestServer) =>
      parseMetrics((await server.request('GET', '/metrics')).body as string);
    const [ofA, ofB] = [await scrapeOf(a), await scrapeOf(b)];
    for (const status of ['sent', 'delivered', 'read']) {
      expect(valueOf(ofA, 'kirim_messages_total', { status, kind: 'text' }), status).toBe(N);
      expect(valueOf(ofB, 'kirim_messages_total', { status, kind: 'text' }), status).toBe(0);
    }
    expect(valueOf(ofA, 'kirim_events_total', { type: 'message.status' })).toBe(3 * N);
    expect(valueOf(ofB, 'kirim_events_total', { type: 'message.status' })).toBe(0);
    expect(valueOf(ofA, 'kirim_dispatch_lag_seconds_count')).toBe(N);
    expect(valueOf(ofB, 'kirim_dispatch_lag_seconds_count')).toBe(0);
    for (const gauge of ['kirim_outbox_queued', 'kirim_circuit_open'])
      expect(valueOf(ofB, gauge), gauge).toBe(valueOf(ofA, gauge));
    expect(valueOf(ofA, 'kirim_sessions', { state: 'connected' })).toBe(1);
    expect(valueOf(ofB, 'kirim_sessions', { state: 'connected' })).toBe(1);
  });
});

/** A plain TCP listener holding a port of 127.0.0.1, as another program would. */
async function holdPort(): Promise<Server> {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  return holder;
}

const portOf = (server: Server) => (server.address() as AddressInfo).port;

/** A port of 127.0.0.1 free a moment ago. */
async function freePort(): Promise<number> {
  const holder = await holdPort();
  const port = portOf(holder);
  await new Promise((resolve) => holder.close(resolve));
  return port;
}

/** True when nothing listens at `url` (the connection is refused). */
const refused = (url: string) =>
  fetch(url).then(
    () => false,
    (error: Error & { cause?: { code?: string } }) => error.cause?.code === 'ECONNREFUSED',
  );

describe('the metrics listener (METRICS_PORT, METRICS_HOST)', () => {
  it('serves the process metrics on both endpoints of two servers in one process, also after the other has closed', async () => {
    const first = await startTestServer('sqlite', { METRICS_PORT: '0' });
    const second = await startTestServer('sqlite', { METRICS_PORT: '0' });
    const processMetricsOf = async (server: TestServer) => {
      const admin = await server.request('GET', '/metrics');
      const open = await fetch(`${server.server.metricsUrl!}/metrics`);
      const names = [admin.body as string, await open.text()].map(
        (text) => new Set(parseMetrics(text).map((s) => s.name)),
      );
      return names.map((n) =>
        ['process_cpu_user_seconds_total', 'nodejs_eventloop_lag_seconds'].every((m) => n.has(m)),
      );
    };
    try {
      expect(await processMetricsOf(first)).toEqual([true, true]);
      expect(await processMetricsOf(second)).toEqual([true, true]);
      await first.close();
      expect(await processMetricsOf(second)).toEqual([true, true]);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('answers a scrape that fails with the API’s 500 body on both ports (the tokenless port had a plain-text one of its own)', async () => {
    const t = await startTestServer('sqlite', { METRICS_PORT: '0' });
    try {
      // The database gauges read the database at each scrape: closed under the server, the scrape fails.
      await t.server.storage.close();
      const open = await fetch(`${t.server.metricsUrl!}/metrics`);
      const admin = await t.request('GET', '/metrics');
      expect(open.status).toBe(500);
      expect(open.headers.get('content-type')).toMatch(/^application\/json/);
      expect({ status: admin.status, body: admin.body }).toEqual({ status: 500, body: await open.json() });
      expect(admin.body).toEqual({ success: false, code: 'internal', message: 'Internal server error' });
    } finally {
      await t.close();
    }
  });

  it('listens on loopback only by default, while HOST is every interface: the open metrics are not reachable at 127.0.0.2', async () => {
    const t = await startTestServer('sqlite', { HOST: '0.0.0.0', METRICS_PORT: '0' });
    try {
      const api = new URL(t.url);
      const metrics = new URL(t.server.metricsUrl!);
      expect(metrics.hostname).toBe('127.0.0.1');
      expect((await fetch(`${metrics.origin}/metrics`)).status).toBe(200);
      // Linux answers all of 127.0.0.0/8 on loopback: the API, on every interface, answers there; the metrics do not.
      expect((await fetch(`http://127.0.0.2:${api.port}/api/me`)).status).toBe(401);
      expect(await refused(`http://127.0.0.2:${metrics.port}/metrics`)).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('listens on the interface METRICS_HOST names, and there only', async () => {
    const t = await startTestServer('sqlite', { METRICS_HOST: '127.0.0.2', METRICS_PORT: '0' });
    try {
      const metrics = new URL(t.server.metricsUrl!);
      expect(metrics.hostname).toBe('127.0.0.2');
      expect((await fetch(`${metrics.origin}/metrics`)).status).toBe(200);
      expect(await refused(`http://127.0.0.1:${metrics.port}/metrics`)).toBe(true);
    } finally {
      await t.close();
    }
  });
});

describe('a start that cannot open its ports, on postgres (its connections show whether the database was closed)', () => {
  let dataDir: string;
  let probe: pg.Client;
  let holder: Server;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kirim-http-'));
    probe = new pg.Client({ connectionString: await freshPostgresUrl() });
    await probe.connect();
    holder = await holdPort();
  });
  afterAll(async () => {
    await probe?.end();
    holder?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Starts a server whose database connections carry a name of their own; returns that name and the start. */
  async function startNamed(env: Record<string, string>) {
    const name = `kirim-failed-start-${randomBytes(4).toString('hex')}`;
    const databaseUrl = new URL(await freshPostgresUrl());
    databaseUrl.searchParams.set('application_name', name);
    const config = loadConfig({
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      KIRIM_ADMIN_TOKEN: `kirim_${randomBytes(32).toString('base64url')}`,
      DATABASE_URL: databaseUrl.toString(),
      ...env,
    });
    return { name, started: startServer(config) };
  }

  async function failedStart(env: Record<string, string>) {
    const { name, started } = await startNamed(env);
    const error = await started.then(
      (running) => running.close().then(() => expect.fail('the server started')),
      (e: Error) => e,
    );
    return { name, error };
  }

  const connections = async (name: string) =>
    Number(
      (await probe.query('SELECT count(*) FROM pg_stat_activity WHERE application_name = $1', [name])).rows[0].count,
    );

  it('holds named connections while running and none once closed (the measure of the tests below)', async () => {
    const { name, started } = await startNamed({ PORT: '0', METRICS_PORT: '0' });
    const running = await started;
    try {
      expect(await connections(name)).toBeGreaterThan(0);
    } finally {
      await running.close();
    }
    await eventually(async () => (await connections(name)) === 0);
  });

  it('refuses to start when METRICS_PORT is in use, naming METRICS_PORT and the address, and leaves no API listener, engine or database connection', async () => {
    const apiPort = await freePort();
    const metricsPort = portOf(holder);
    const { name, error } = await failedStart({ PORT: String(apiPort), METRICS_PORT: String(metricsPort) });
    expect(error.message).toMatch(
      new RegExp(`^METRICS_PORT ${metricsPort} could not be opened on 127\\.0\\.0\\.1: .*EADDRINUSE`),
    );
    expect(await refused(`http://127.0.0.1:${apiPort}/api/me`)).toBe(true);
    // A backend leaves pg_stat_activity a moment after its client has gone.
    await eventually(async () => (await connections(name)) === 0);
  });

  it('closes the metrics listener, the engine and the database it had opened when PORT is in use', async () => {
    const metricsPort = await freePort();
    const { name, error } = await failedStart({ PORT: String(portOf(holder)), METRICS_PORT: String(metricsPort) });
    expect(error.message).toMatch(/EADDRINUSE/);
    expect(await refused(`http://127.0.0.1:${metricsPort}/metrics`)).toBe(true);
    await eventually(async () => (await connections(name)) === 0);
  });
});
