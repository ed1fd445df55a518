// The outbox (issue 6), in one run, on a zero-latency simulated network with the anti-ban controls off:
//  1. messages per second through the whole pipeline (claim → send → record, with the receipts and durable
//     events that come with it) on SQLite (a file, WAL, synchronous=FULL) and PostgreSQL with one engine
//     process and with three (child processes, each its own pool, its own sessions and leases), side by side
//     with the raw rate of the same database doing the same writes through Kysely with no engine (the row
//     updates and the events the pipeline appends; the row updates alone are printed too).
//     Targets: ≥ 10,000 msg/s on SQLite, ≥ 3,000 msg/s on PostgreSQL with one process, ≥ 40% of raw.
//  2. accepting a 100,000-recipient bulk job over HTTP (reference server in-process): under 3 s.
//  3. 10,000 scheduled messages due at once: all fire within 10 s; p99 lag printed.
// OUTBOX_ROWS scales the throughput runs (default 30,000 on SQLite, 18,000 on PostgreSQL).
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKirim, createSimulatedNetwork, type Storage } from '@kirim/core';
import { aSession, newEventId } from '@kirim/core/testing';
import { loadConfig, startServer } from '@kirim/server';
import { insertMany, updateRows, type Database, type SqlDialect } from '@kirim/storage-kysely';
import { createPostgresStorage, postgresDialect } from '@kirim/storage-postgres';
import { createSqliteStorage, openSqlite, sqliteDialect } from '@kirim/storage-sqlite';
import { Kysely, PostgresDialect, type Selectable } from 'kysely';
import pg from 'pg';
import { startTestPostgres } from '../tests/support/embedded-postgres.js';
import { enqueueBulk, linkedEngine, waitCompleted } from './support/outbox-engine.js';
import { report } from './support/report.js';
import { BENCH_ADMIN_TOKEN, quantile } from './support/servers.js';

const SESSIONS = 6; // spread over several sessions: each sends its rows in order; 6 = 3 processes × 2
const BATCH = 500; // the dispatcher's default rows per session per round; the raw loop claims the same
const scale = Number(process.env.OUTBOX_ROWS ?? 0);
const SQLITE_ROWS = scale || 30_000;
const POSTGRES_ROWS = scale || 18_000;
const BULK_RECIPIENTS = 100_000;
const SCHEDULED = 10_000;
const SCHEDULED_SESSIONS = 8; // 1,250 each
const HEAD_START_MS = Number(process.env.OUTBOX_HEAD_START_MS ?? 5000); // rows are enqueued due this much later (unmeasured)

const dir = await mkdtemp(join(tmpdir(), 'kirim-bench-outbox-'));
const postgres = await startTestPostgres();
let databases = 0;

/** A new empty database on the bench's PostgreSQL server. */
async function freshDatabase(): Promise<string> {
  const name = `outbox_${process.pid}_${++databases}`;
  const client = new pg.Client({ connectionString: postgres.url });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(postgres.url);
  url.pathname = `/${name}`;
  return url.toString();
}

const perSession = (rows: number) => Math.ceil(rows / SESSIONS);

/** Rows due in a moment, then the time from their due time until the last job is completed (every row recorded sent). */
async function pipelineRate(
  storage: Storage,
  userOf: (sessionId: string) => string,
  sessionIds: string[],
  rows: number,
): Promise<number> {
  const due = new Date(Date.now() + HEAD_START_MS);
  const enqueueStarted = performance.now();
  const jobs: Array<{ userId: string; jobId: string }> = [];
  const byUser = new Map<string, string[]>();
  for (const id of sessionIds) byUser.set(userOf(id), [...(byUser.get(userOf(id)) ?? []), id]);
  let phoneBase = 6281300000000;
  for (const [userId, ids] of byUser) {
    for (const jobId of await enqueueBulk(storage, userId, ids, perSession(rows), due, { phoneBase }))
      jobs.push({ userId, jobId });
    phoneBase += ids.length * perSession(rows);
  }
  if (process.env.BENCH_DEBUG)
    console.log(`enqueued ${rows} rows in ${(performance.now() - enqueueStarted).toFixed(0)} ms`);
  if (Date.now() > due.getTime()) throw new Error(`enqueueing took longer than the head start (${HEAD_START_MS} ms)`);
  const ended = await waitCompleted(storage, jobs, 120_000);
  return (perSession(rows) * sessionIds.length) / ((ended - due.getTime()) / 1000);
}

// ---- 1. throughput ---------------------------------------------------------------------------------

/** The whole pipeline with one engine (this process) on `storage`. */
async function oneProcess(storage: Storage, rows: number, prefix: string): Promise<number> {
  await storage.migrate();
  const engine = await linkedEngine(storage, {
    sessions: SESSIONS,
    instanceId: `bench-${prefix}`,
    phonePrefix: `62812${prefix}`,
  });
  try {
    return await pipelineRate(storage, () => engine.userId, engine.sessionIds, rows);
  } finally {
    await engine.stop();
  }
}

/** The whole pipeline with three engine processes (children), each with its own pool and SESSIONS / 3 sessions. */
async function threeProcesses(url: string, rows: number): Promise<number> {
  const storage = createPostgresStorage({ connectionString: url });
  await storage.migrate();
  const children: ChildProcess[] = [];
  const owners = new Map<string, string>();
  try {
    // One after another: a child's supervisor may adopt a session another child has just created but not yet
    // opened, and link it on its own simulated network, where the creator never sees its QR.
    for (let i = 0; i < 3; i++) {
      const child = fork(fileURLToPath(new URL('./support/outbox-child.ts', import.meta.url)), [], {
        execArgv: ['--import', 'tsx'],
        env: {
          ...process.env,
          OUTBOX_DATABASE_URL: url,
          OUTBOX_SESSIONS: String(SESSIONS / 3),
          OUTBOX_INSTANCE: `bench-child-${i}`,
          OUTBOX_PHONE_PREFIX: `6281${5 + i}`,
        },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`engine process ${i} exited with ${code}`)));
        child.on('message', (message: { ready?: boolean; userId: string; sessionIds: string[] }) => {
          if (!message.ready) return;
          for (const id of message.sessionIds) owners.set(id, message.userId);
          resolve();
        });
      });
    }
    return await pipelineRate(storage, (id) => owners.get(id)!, [...owners.keys()], rows);
  } finally {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            child.removeAllListeners('exit');
            child.once('exit', () => resolve());
            child.send({ stop: true });
          }),
      ),
    );
    await storage.close();
  }
}

type RawRow = Omit<Selectable<Database['messages']>, 'id'> & { id: number };

// One process's origin, as the event log marks its rows.
const RAW_ORIGIN = `proc_${randomUUID()}`;

/** The event row the pipeline appends when a sent row reaches `status`: the same columns and payload. */
function statusEvent(row: RawRow, status: string) {
  const now = new Date();
  const data = {
    session_id: row.session_id,
    id: row.id,
    message_id: row.message_id,
    to: { jid: row.chat, phone: row.peer_phone, lid: row.peer_lid },
    status,
    error: null,
  };
  return {
    id: newEventId(now),
    type: 'message.status',
    user_id: row.user_id,
    origin: RAW_ORIGIN,
    timestamp: now.toISOString(),
    data: JSON.stringify(data),
  };
}

/**
 * The same writes with no engine: Kysely on the migrated schema, rows claimed in rounds of BATCH per
 * session with the repository's statements (a SELECT per session, FOR UPDATE SKIP LOCKED on PostgreSQL,
 * then the rows set `sending` with their WhatsApp ids by `updateRows`) in one transaction, then recorded in
 * a second one as the pipeline records them on a zero-latency network: `delivered` (with the send time and
 * the transport's raw, by `updateRows`) and, `withEvents`, the two `message.status` events (sent,
 * delivered) appended to the event log by `insertMany`. Without them it is the row updates alone.
 */
async function rawRate(
  storage: Storage,
  open: () => Kysely<Database>,
  dialect: SqlDialect,
  rows: number,
  withEvents: boolean,
): Promise<number> {
  await storage.migrate();
  const seed = createKirim({ storage });
  const user = await seed.accounts.createUserUnchecked({ name: 'Raw', email: `raw-${randomUUID()}@example.com` });
  const at = new Date().toISOString();
  const sessionIds: string[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const session = await storage.sessions.insert(
      aSession(user.id, {
        id: randomUUID(),
        name: `raw-${i}`,
        desired: 'disconnected',
        phone: `6281299${String(i).padStart(6, '0')}`,
        connected_at: at,
        linked_at: at,
        created_at: at,
        updated_at: at,
      }),
    );
    sessionIds.push(session.id);
  }
  await enqueueBulk(storage, user.id, sessionIds, perSession(rows), new Date());
  await storage.close();

  const db = open();
  const started = performance.now();
  let done = 0;
  for (;;) {
    const now = new Date().toISOString();
    const claimed = await db.transaction().execute(async (trx) => {
      const all: RawRow[] = [];
      for (const sessionId of sessionIds) {
        let query = trx
          .selectFrom('messages')
          .selectAll()
          .where('session_id', '=', sessionId)
          .where('status', '=', 'queued')
          .where('not_before', '<=', now)
          .orderBy('not_before')
          .orderBy('id')
          .limit(BATCH);
        if (dialect.supportsRowLocks) query = query.forUpdate().skipLocked();
        const due = (await query.execute()).map((r) => ({
          ...r,
          id: Number(r.id),
          message_id: `RAW${r.id}${randomUUID().slice(0, 8)}`,
          attempts: r.attempts + 1,
        }));
        await updateRows(
          trx,
          dialect,
          'messages',
          due.map((r) => ({
            id: r.id,
            status: 'sending',
            claimed_by: 'raw',
            updated_at: now,
            attempts: r.attempts,
            message_id: r.message_id,
          })),
          { types: { attempts: 'int' } },
        );
        all.push(...due);
      }
      return all;
    });
    if (claimed.length === 0) break;
    await db.transaction().execute(async (trx) => {
      const rows = claimed.map((r) => {
        const at = new Date().toISOString();
        return {
          id: r.id,
          status: 'delivered',
          sent_at: at,
          raw: JSON.stringify({ id: r.message_id, type: 'text', text: 'Halo Kak, promo minggu ini!' }),
          error: null,
          updated_at: at,
        };
      });
      await updateRows(trx, dialect, 'messages', rows, { from: ['sending', 'unknown'] });
      if (withEvents)
        await insertMany(
          trx,
          dialect,
          'events',
          claimed.flatMap((r) => ['sent', 'delivered'].map((status) => statusEvent(r, status))),
        );
    });
    done += claimed.length;
  }
  const rate = done / ((performance.now() - started) / 1000);
  await db.destroy();
  return rate;
}

const sqliteFile = (name: string) => join(dir, `${name}.db`);

const sqliteStorage = createSqliteStorage({ filename: sqliteFile('pipeline') });
const sqlitePipeline = await oneProcess(sqliteStorage, SQLITE_ROWS, '1');
await sqliteStorage.close();
const sqliteRaw = (name: string, withEvents: boolean) =>
  rawRate(
    createSqliteStorage({ filename: sqliteFile(name) }),
    () => openSqlite({ filename: sqliteFile(name) }),
    sqliteDialect,
    SQLITE_ROWS,
    withEvents,
  );
const sqliteRawRows = await sqliteRaw('raw-rows', false);
const sqliteRawWrites = await sqliteRaw('raw-writes', true);

const pgStorage = createPostgresStorage({ connectionString: await freshDatabase() });
const pgPipeline = await oneProcess(pgStorage, POSTGRES_ROWS, '2');
await pgStorage.close();
const pgThree = await threeProcesses(await freshDatabase(), POSTGRES_ROWS);
const pgRaw = async (withEvents: boolean) => {
  const url = await freshDatabase();
  const open = () =>
    new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) });
  return rawRate(createPostgresStorage({ connectionString: url }), open, postgresDialect, POSTGRES_ROWS, withEvents);
};
const pgRawRows = await pgRaw(false);
const pgRawWrites = await pgRaw(true);

// The targets are to the raw rate of the same writes (rows and events); to the row updates alone is printed beside.
report('outbox.sqlite.raw_writes', sqliteRawWrites, 'msg/s');
report('outbox.sqlite.raw_row_updates', sqliteRawRows, 'msg/s');
report('outbox.sqlite.pipeline', sqlitePipeline, 'msg/s', { op: '>=', value: 10_000 });
report('outbox.sqlite.pipeline_to_raw', sqlitePipeline / sqliteRawWrites, 'x', { op: '>=', value: 0.4 });
report('outbox.sqlite.pipeline_to_raw_row_updates', sqlitePipeline / sqliteRawRows, 'x');
report('outbox.postgres.raw_writes', pgRawWrites, 'msg/s');
report('outbox.postgres.raw_row_updates', pgRawRows, 'msg/s');
report('outbox.postgres.pipeline_1_process', pgPipeline, 'msg/s', { op: '>=', value: 3_000 });
report('outbox.postgres.pipeline_1_process_to_raw', pgPipeline / pgRawWrites, 'x', { op: '>=', value: 0.4 });
report('outbox.postgres.pipeline_1_process_to_raw_row_updates', pgPipeline / pgRawRows, 'x');
report('outbox.postgres.pipeline_3_child_processes', pgThree, 'msg/s');
report('outbox.postgres.pipeline_3_child_processes_to_raw', pgThree / pgRawWrites, 'x', { op: '>=', value: 0.4 });
report('outbox.postgres.pipeline_3_child_processes_to_raw_row_updates', pgThree / pgRawRows, 'x');

// ---- 2. accepting a 100,000-recipient bulk job over HTTP -------------------------------------------

for (const database of ['sqlite', 'postgres'] as const) {
  const network = createSimulatedNetwork({ latencyMs: 0 });
  const dataDir = await mkdtemp(join(dir, 'server-'));
  const server = await startServer(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      KIRIM_ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
      BODY_LIMIT: '16mb',
      ...(database === 'postgres' ? { DATABASE_URL: await freshDatabase() } : {}),
    }),
    { transport: network.transport },
  );
  try {
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as { data: Record<string, unknown> } };
    };
    const session = (await call('POST', '/api/whatsapp/sessions', { session_name: 'bulk' })).body.data.id as string;
    let qr: string | undefined;
    while (!(qr = (await call('GET', `/api/whatsapp/sessions/${session}/status`)).body.data.qr as string | undefined))
      await new Promise((r) => setTimeout(r, 10));
    await network.phone('6281277000001').scanQr(qr);
    while ((await call('GET', `/api/whatsapp/sessions/${session}/status`)).body.data.status !== 'connected')
      await new Promise((r) => setTimeout(r, 10));
    const job = (count: number, base: number) => ({
      session_id: session,
      message: 'Halo {name}, {promo|diskon} minggu ini!',
      delay: 1000,
      contacts: Array.from({ length: count }, (_, i) => ({
        phone: `0813${String(base + i).padStart(8, '0')}`,
        name: `Pelanggan ${i}`,
      })),
    });
    await call('POST', '/api/whatsapp/messages/bulk/text', job(1000, 90_000_000)); // warm-up
    const body = job(BULK_RECIPIENTS, 0);
    const started = performance.now();
    const res = await call('POST', '/api/whatsapp/messages/bulk/text', body);
    const elapsed = (performance.now() - started) / 1000;
    if (res.status >= 300 || res.body.data.total !== BULK_RECIPIENTS)
      throw new Error(`bulk job not accepted: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    report(`outbox.bulk_accept_100k.${database}`, elapsed, 's', { op: '<=', value: 3 });
  } finally {
    await server.close();
  }
}

// ---- 3. 10,000 scheduled messages due at once -------------------------------------------------------

for (const database of ['sqlite', 'postgres'] as const) {
  const storage =
    database === 'sqlite'
      ? createSqliteStorage({ filename: sqliteFile('scheduled') })
      : createPostgresStorage({ connectionString: await freshDatabase() });
  await storage.migrate();
  const engine = await linkedEngine(storage, {
    sessions: SCHEDULED_SESSIONS,
    instanceId: `bench-scheduled-${database}`,
    phonePrefix: '628129',
  });
  try {
    const due = new Date(Date.now() + 2000);
    await enqueueBulk(storage, engine.userId, engine.sessionIds, SCHEDULED / SCHEDULED_SESSIONS, due, {
      kind: 'scheduled',
    });
    if (Date.now() > due.getTime())
      throw new Error('enqueueing the scheduled messages took longer than the head start');
    const total = SCHEDULED;
    const deadline = due.getTime() + 30_000;
    while (engine.network.sent.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    // Fired = handed to WhatsApp: the simulated network's time of each send, minus the scheduled time.
    const lags = engine.network.sent.map((s) => s.at.getTime() - due.getTime());
    if (lags.length < total) throw new Error(`only ${lags.length} of ${total} scheduled messages fired`);
    report(`outbox.scheduled_10k.${database}.p50_lag`, quantile(lags, 0.5), 'ms');
    report(`outbox.scheduled_10k.${database}.p99_lag`, quantile(lags, 0.99), 'ms');
    report(`outbox.scheduled_10k.${database}.all_fired`, Math.max(...lags), 'ms', { op: '<=', value: 10_000 });
  } finally {
    await engine.stop();
    await storage.close();
  }
}

await postgres.stop();
await rm(dir, { recursive: true, force: true });
