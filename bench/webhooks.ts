// 10,000 events, each delivered as a signed webhook to a receiver on loopback, on SQLite and PostgreSQL.
// Two runs per database: a burst (32 publishers as fast as they can: deliveries per second, target at
// least 1,000) and a steady 1,000 events/s (p99 event-to-receipt latency, target under 1 s). The burst's
// p99 is printed too: past the delivery rate it measures the queue, not the pipeline.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Actor, Kirim } from '@kirim/core';
import { report } from './support/report.js';
import { BENCH_ADMIN_TOKEN, benchServer, quantile } from './support/servers.js';

const EVENTS = 10_000;
const PUBLISHERS = 32;
const STEADY_RATE = 1_000;

/** A receiver on loopback timing each event's first receipt, keyed by the index carried in its payload. */
async function startReceiver() {
  let publishedAt = new Float64Array(EVENTS);
  let received = new Set<number>();
  let latencies: number[] = [];
  let lastReceipt = 0;
  let done: () => void = () => {};
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const now = performance.now();
      // Keyed by the payload's index, not webhook-id: a receipt can beat publish()'s own continuation.
      const i = JSON.parse(Buffer.concat(chunks).toString()).data.id as number;
      if (!received.has(i)) {
        received.add(i);
        latencies.push(now - publishedAt[i]);
        lastReceipt = now;
        if (latencies.length === EVENTS) done();
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    /** Starts a run: resolves with its latencies and last receipt time once every event arrived (or after 120 s). */
    run() {
      publishedAt = new Float64Array(EVENTS);
      received = new Set();
      latencies = [];
      const finished = new Promise<void>((resolve) => (done = resolve));
      const timeout = setTimeout(() => done(), 120_000);
      return {
        publishedAt,
        finished: finished.then(() => {
          clearTimeout(timeout);
          return { latencies, lastReceipt };
        }),
      };
    },
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

const publish = (kirim: Kirim, actor: Actor, i: number) =>
  kirim.events.publish('message.status', actor.userId, {
    session_id: 'bench',
    id: i,
    message_id: `3EB0${i}`,
    to: { jid: `62811${i}@s.whatsapp.net`, phone: `62811${i}`, lid: null },
    status: 'delivered',
    type: 'text',
  });

for (const database of (process.env.BENCH_DB ? [process.env.BENCH_DB] : ['sqlite', 'postgres']) as Array<
  'sqlite' | 'postgres'
>) {
  const receiver = await startReceiver();
  const { server, stop } = await benchServer(database, { KIRIM_ALLOW_PRIVATE_URLS: 'true' });
  const admin = await server.kirim.accounts.authenticate(BENCH_ADMIN_TOKEN);
  await server.kirim.webhooks.create(admin, { url: receiver.url, events: ['message.status'] });

  // Burst.
  const burst = receiver.run();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: PUBLISHERS }, async () => {
      while (next < EVENTS) {
        const i = next++;
        burst.publishedAt[i] = performance.now();
        await publish(server.kirim, admin, i);
      }
    }),
  );
  const burstResult = await burst.finished;
  report(`webhooks.${database}.burst.delivered`, burstResult.latencies.length, 'events', { op: '>=', value: EVENTS });
  report(
    `webhooks.${database}.burst.deliveries_per_second`,
    burstResult.latencies.length / ((burstResult.lastReceipt - started) / 1000),
    'deliveries/s',
    { op: '>=', value: 1000 },
  );
  report(`webhooks.${database}.burst.p99_event_to_receipt`, quantile(burstResult.latencies, 0.99), 'ms');

  // Steady rate: every 5 ms, publish the events due by then without waiting for each other.
  const steady = receiver.run();
  const steadyStart = performance.now();
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < EVENTS;) {
    const due = Math.min(EVENTS, Math.floor(((performance.now() - steadyStart) * STEADY_RATE) / 1000) + 1);
    for (; i < due; i++) {
      steady.publishedAt[i] = performance.now();
      inFlight.push(publish(server.kirim, admin, i));
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await Promise.all(inFlight);
  const steadyResult = await steady.finished;
  report(`webhooks.${database}.steady_1000_per_s.delivered`, steadyResult.latencies.length, 'events', {
    op: '>=',
    value: EVENTS,
  });
  report(`webhooks.${database}.steady_1000_per_s.p99_event_to_receipt`, quantile(steadyResult.latencies, 0.99), 'ms', {
    op: '<=',
    value: 1000,
  });

  receiver.close();
  await stop();
}
