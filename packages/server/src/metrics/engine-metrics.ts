import { SESSION_STATUSES, type DeliveryState, type Kirim } from '@kirim/core';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

// The statuses a message is counted at: each once, when it reaches it.
const COUNTED_STATUSES = new Set(['sent', 'delivered', 'read', 'failed']);

// Shared between processes: Prometheus sums counters over instances, and would count a gauge once per instance.
const SHARED = 'Read from the shared database: the same in every process.';

/** The engine's metrics on a registry, fed with what happens in this process. */
export interface EngineMetrics {
  /** Counts a webhook delivery attempt by the state it left the delivery in (createKirim's `onWebhookAttempt`). */
  webhookAttempt(state: DeliveryState): void;
  /** Counts `kirim`'s events from now on (only those this process caused) and reads the gauges from its database. */
  observe(kirim: Kirim): void;
}

/** Registers the engine's metrics on `registry`: counters of what this process does, gauges read from the database. */
export function engineMetrics(registry: Registry): EngineMetrics {
  const registers = [registry];
  const messages = new Counter({
    name: 'kirim_messages_total',
    help: 'Outgoing messages sent from this process that reached a status (sent, delivered, read, failed), each counted once per status; kind is the message type (text, image, video, audio, document, sticker).',
    labelNames: ['status', 'kind'],
    registers,
  });
  const lag = new Histogram({
    name: 'kirim_dispatch_lag_seconds',
    help: 'From when a message was due (its scheduled time, bulk slot or retry time; else when it was queued) until it was sent, for the messages this process sent.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    registers,
  });
  const events = new Counter({
    name: 'kirim_events_total',
    help: 'Events this process published, by type (not those relayed from other processes sharing the database).',
    labelNames: ['type'],
    registers,
  });
  const deliveries = new Counter({
    name: 'kirim_webhook_deliveries_total',
    help: 'Webhook delivery attempts made by this process, by result: delivered, failed (to be retried) or dead (given up).',
    labelNames: ['result'],
    registers,
  });

  return {
    webhookAttempt: (state) => deliveries.inc({ result: state }),
    observe(kirim) {
      databaseGauges(registry, kirim);
      kirim.on('*', (event, origin) => {
        if (origin === 'local') events.inc({ type: event.type });
      });
      kirim.on('message.status', ({ data, timestamp }, origin) => {
        if (origin !== 'local' || !COUNTED_STATUSES.has(data.status)) return;
        messages.inc({ status: data.status, kind: data.type });
        if (data.due_at) lag.observe(Math.max(0, Date.parse(timestamp) - Date.parse(data.due_at)) / 1000);
      });
    },
  };
}

/** Registers the gauges read from the database at each scrape: the outbox's queue, sessions by state, open breakers. */
function databaseGauges(registry: Registry, { storage, clock }: Kirim): void {
  const registers = [registry];
  const sessions = sharedRead(() => storage.sessions.listAll());
  new Gauge({
    name: 'kirim_outbox_queued',
    help: `Outgoing messages queued in the outbox, scheduled ones included. ${SHARED}`,
    registers,
    async collect() {
      this.set((await storage.outbox.pendingCounts()).queued);
    },
  });
  new Gauge({
    name: 'kirim_sessions',
    help: `WhatsApp sessions by state. ${SHARED}`,
    labelNames: ['state'],
    registers,
    async collect() {
      const counts = new Map<string, number>(SESSION_STATUSES.map((state) => [state, 0]));
      for (const session of await sessions()) counts.set(session.status, (counts.get(session.status) ?? 0) + 1);
      for (const [state, count] of counts) this.set({ state }, count);
    },
  });
  new Gauge({
    name: 'kirim_circuit_open',
    help: `Sessions whose circuit breaker is open (sends held back after repeated failures). ${SHARED}`,
    registers,
    async collect() {
      const now = clock.now().toISOString();
      this.set((await sessions()).filter((s) => s.circuit_open_until && s.circuit_open_until > now).length);
    },
  });
}

// A scrape collects every gauge at once: the session gauges share one read of the sessions.
function sharedRead<T>(read: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => (pending ??= read().finally(() => (pending = undefined)));
}
