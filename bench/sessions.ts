// Memory and CPU of 1, 10 and 50 idle linked WhatsApp sessions: Kirim (the reference server, over Baileys)
// beside bare Baileys sockets (no Kirim), in one run, both against @kirim/wa-sim held by this process.
//
// Each measured side runs in a process of its own, a fresh one for each count, so that its memory and CPU
// are its alone: the bare side is bench/support/bare-baileys-child.ts (in-memory auth state, the same socket
// options Kirim passes), the Kirim side is `node packages/server/dist/main.js` as `npm start` runs it
// (SQLite, KIRIM_TRANSPORT=baileys, KIRIM_WA_WS_URL=the simulator), sessions created over HTTP and linked
// through the QR code of their status. Both answer a memory probe over IPC; the two sides of a count run
// at the same time (their figures are per process).
//
// For each side and count: the baseline is the process with Baileys loaded and one session already linked
// and closed again (Kirim imports Baileys on the first session, and the first session pays one-off costs),
// left idle. Then N sessions are linked, the process is left until its CPU goes quiet (pre-key uploads and
// the initial sync are over), CPU is read over an idle window, and memory once RSS has stopped moving,
// after one forced GC (see support/memory-probe.mjs for why only one, at the end).
// Per session: (RSS_N - baseline) / N. Target: Kirim at 50 sessions within 2x of bare Baileys per session,
// and the whole Kirim process under 400 MB.
//
// Knobs: BENCH_SESSION_COUNTS=1,5 (other counts), BENCH_DEBUG=1 (phases, memory breakdowns and database
// sizes on stderr), BENCH_DEBUG_CPU=1 (CPU each second while settling), BENCH_KIRIM_NODE_ARGS="--cpu-prof
// --cpu-prof-dir=/tmp/prof" (extra node options for the server, e.g. to profile its idle CPU).
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startWaSim, type WaSim } from '@kirim/wa-sim';
import { startChildServer } from './support/child-server.js';
import { report } from './support/report.js';
import { BENCH_ADMIN_TOKEN } from './support/servers.js';
import type { ChildReply, ChildRequest, ProbeReply } from './support/session-probe-protocol.js';

/** BENCH_SESSION_COUNTS=1,5 runs other counts (the 50-session targets are checked only at 50). */
const COUNTS = (process.env.BENCH_SESSION_COUNTS ?? '1,10,50').split(',').map(Number);
/** CPU is read over this window once the process is quiet. */
const IDLE_WINDOW_MS = 10_000;
/** A process is quiet when it used less than this share of a core (percent) over the last second, or its use is level within it… */
const QUIET_CPU_PERCENT = 3;
/** …but never earlier than this after the last link, nor later than the cap. */
const SETTLE_MIN_MS = 3_000;
const SETTLE_MAX_MS = 30_000;
const LINK_TIMEOUT_MS = 90_000;
/** Memory is read once RSS has moved less than this over the last few seconds (or after the cap). */
const STABLE_RSS_BYTES = 1024 * 1024;
const STABLE_READINGS = 4;
const STABLE_MAX_MS = 30_000;
/** A baseline with more committed-but-unused heap than this is read again, at most this many times. */
const BASELINE_SLACK_BYTES = 10 * 1024 * 1024;
const BASELINE_RETRIES = 3;
const MB = 1024 * 1024;
const mb = (bytes: number) => bytes / MB;
const CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ, what /proc/<pid>/stat counts in

const MEMORY_PROBE = pathToFileURL(fileURLToPath(new URL('./support/memory-probe.mjs', import.meta.url))).href;
const BARE_CHILD = fileURLToPath(new URL('./support/bare-baileys-child.ts', import.meta.url));

interface Measured {
  baseline: ProbeReply & { idleCpuPercent: number };
  /** After N sessions linked, settled and idle. */
  loaded: ProbeReply;
  peakRss: number;
  idleCpuPercent: number;
  linkSeconds: number;
}

/** A measured child with an IPC channel. */
class Probed {
  private readonly waiting: Array<{ type: ChildReply['type']; resolve: (reply: ChildReply) => void }> = [];
  private readonly listeners: Array<(reply: ChildReply) => void> = [];
  constructor(readonly child: ChildProcess) {
    child.on('message', (reply: ChildReply) => {
      const at = this.waiting.findIndex((w) => w.type === reply.type);
      if (at >= 0) this.waiting.splice(at, 1)[0].resolve(reply);
      for (const listener of this.listeners) listener(reply);
    });
  }
  onReply(listener: (reply: ChildReply) => void): void {
    this.listeners.push(listener);
  }
  next<T extends ChildReply['type']>(type: T, timeoutMs = 30_000): Promise<Extract<ChildReply, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} from the child in ${timeoutMs} ms`)), timeoutMs);
      this.waiting.push({
        type,
        resolve: (reply) => (clearTimeout(timer), resolve(reply as Extract<ChildReply, { type: T }>)),
      });
    });
  }
  send(request: ChildRequest): void {
    this.child.send(request);
  }
  async probe(): Promise<ProbeReply> {
    const reply = this.next('probe');
    this.send({ cmd: 'probe' });
    const probed = await reply;
    if (!probed.gc) throw new Error('the child was not started with --expose-gc');
    return probed;
  }
}

function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

/** User + system CPU time of a process so far, in ms (from /proc, so the reading costs the process nothing). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** `promise`, or a rejection after `ms` (the timer does not keep the benchmark alive). */
function within<T>(promise: Promise<T>, ms: number, failure: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(failure()), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
const t0 = performance.now();
const debug = (what: string) =>
  process.env.BENCH_DEBUG && console.error(`  [${((performance.now() - t0) / 1000).toFixed(1)} s] ${what}`);

/**
 * Waits until the process has finished what linking started (pre-key uploads, the initial sync): its CPU,
 * sampled each second, is below QUIET_CPU_PERCENT or level (the last three samples within that many
 * points: a process with steady background work, such as Kirim's outbox polling, is idle at its own level).
 */
async function settle(pid: number, minMs = SETTLE_MIN_MS): Promise<void> {
  const started = Date.now();
  const samples: number[] = [];
  let last = cpuMs(pid);
  for (;;) {
    await sleep(1_000);
    const now = cpuMs(pid);
    samples.push((now - last) / 10);
    last = now;
    if (process.env.BENCH_DEBUG_CPU) debug(`${pid} cpu ${samples.at(-1)!.toFixed(0)}%`);
    const recent = samples.slice(-3);
    const quiet =
      samples.at(-1)! < QUIET_CPU_PERCENT ||
      (recent.length === 3 && Math.max(...recent) - Math.min(...recent) < QUIET_CPU_PERCENT);
    if (Date.now() - started >= minMs && quiet) break;
    if (Date.now() - started >= SETTLE_MAX_MS) {
      console.error(
        `  (process ${pid} still busy after ${SETTLE_MAX_MS} ms: ${recent.map((p) => p.toFixed(0)).join(', ')}% of a core; measuring anyway)`,
      );
      break;
    }
  }
  debug(`settled ${pid} in ${Date.now() - started} ms`);
}

/**
 * Memory once RSS has stopped moving: sampled every second until the last STABLE_READINGS samples lie
 * within STABLE_RSS_BYTES (V8's memory reducer compacts and shrinks the heap some seconds after the
 * process goes idle), then probed: one forced GC, and the reading (see memory-probe.mjs).
 */
async function stableMemory(pid: number, probed: Probed): Promise<ProbeReply> {
  const samples: number[] = [];
  const started = Date.now();
  for (;;) {
    samples.push(procStatus(pid, 'VmRSS'));
    const recent = samples.slice(-STABLE_READINGS);
    if (recent.length === STABLE_READINGS && Math.max(...recent) - Math.min(...recent) < STABLE_RSS_BYTES) break;
    if (Date.now() - started > STABLE_MAX_MS) break;
    await sleep(1_000);
  }
  debug(`${pid} memory stable after ${Date.now() - started} ms`);
  return probed.probe();
}

/** Share of a core the process used over the idle window. */
async function idleCpu(pid: number): Promise<number> {
  const before = cpuMs(pid);
  const from = performance.now();
  await sleep(IDLE_WINDOW_MS);
  return ((cpuMs(pid) - before) / (performance.now() - from)) * 100;
}

/**
 * The baseline: the process quiet after the warm-up session, its CPU over the idle window (which also
 * lets V8 give back what the warm-up link allocated), then memory once RSS stopped moving.
 */
async function baselineOf(pid: number, probed: Probed): Promise<ProbeReply & { idleCpuPercent: number }> {
  await settle(pid, 1_000);
  const idleCpuPercent = await idleCpu(pid);
  // V8 sometimes keeps the heap it grew for the warm-up link (30+ MB of committed, unused heap) until its
  // memory reducer runs: a baseline inflated that way would understate every per-session figure, so it
  // is read again a little later while the slack lasts, and the lowest reading kept.
  let best = await stableMemory(pid, probed);
  for (let i = 0; i < BASELINE_RETRIES && best.heapTotal - best.heapUsed > BASELINE_SLACK_BYTES; i++) {
    await sleep(5_000);
    const again = await probed.probe();
    if (again.rss < best.rss) best = again;
  }
  return { ...best, idleCpuPercent };
}

async function finish(
  pid: number,
  probed: Probed,
  baseline: Measured['baseline'],
  linkStarted: number,
  linkEnded: number,
): Promise<Measured> {
  await settle(pid);
  const idleCpuPercent = await idleCpu(pid);
  const loaded = await stableMemory(pid, probed);
  if (process.env.BENCH_DEBUG) {
    const show = (p: ProbeReply) =>
      `rss ${mb(p.rss).toFixed(1)} heapTotal ${mb(p.heapTotal).toFixed(1)} heapUsed ${mb(p.heapUsed).toFixed(1)} external ${mb(p.external).toFixed(1)} arrayBuffers ${mb(p.arrayBuffers).toFixed(1)}`;
    debug(`${pid} baseline: ${show(baseline)}`);
    debug(`${pid} loaded:   ${show(loaded)}`);
    const files = readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        return /\.(db|sqlite)(-wal|-shm)?$/.test(target)
          ? [`${target.split('/').pop()} ${(statSync(target).size / MB).toFixed(1)} MB`]
          : [];
      } catch {
        return [];
      }
    });
    if (files.length) debug(`${pid} database files: ${files.join(', ')}`);
    debug(
      `${pid} smaps: ${readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
        .split('\n')
        .filter((l) => /^(Rss|Anonymous|Shared_Clean|Private_Clean|Private_Dirty)/.test(l))
        .join(' | ')
        .replace(/\s+/g, ' ')}`,
    );
  }
  return {
    baseline,
    loaded,
    peakRss: procStatus(pid, 'VmHWM'),
    idleCpuPercent,
    linkSeconds: (linkEnded - linkStarted) / 1000,
  };
}

/** Phone numbers nobody else in this run uses: `side` 1 is bare Baileys, 2 Kirim; index -1 is the warm-up session. */
function numbers(side: number, count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) => `62811${side}${String(count).padStart(2, '0')}${String(i).padStart(4, '0')}`,
  );
}
const warmupNumber = (side: number, count: number) => `62811${side}${String(count).padStart(2, '0')}9999`;

/** Bare Baileys: N sockets in a child of their own, linked by the simulated phones scanning their QR codes. */
async function measureBare(sim: WaSim, count: number): Promise<Measured & { moduleRss: number }> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', BARE_CHILD], {
    env: { ...process.env, KIRIM_WA_WS_URL: sim.url },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const probed = new Probed(child);
    const scanned = new Set<string>();
    const opened = new Set<string>();
    let failure: unknown;
    probed.onReply((reply) => {
      if (reply.type === 'qr' && !scanned.has(reply.number)) {
        scanned.add(reply.number);
        sim
          .phone(reply.number)
          .scanQr(reply.qr)
          .catch((error: unknown) => (failure = error));
      }
      if (reply.type === 'open') opened.add(reply.number);
    });
    const linked = <T>(promise: Promise<T>, what: string) =>
      within(
        promise,
        LINK_TIMEOUT_MS,
        () => new Error(`bare Baileys: ${what} not done in time; ${String(failure ?? '')}`),
      );

    await probed.next('ready');
    const imported = await probed.probe();
    debug('bare: imported');
    const moduleRss = imported.rss - imported.beforeImportRss!;
    const warm = probed.next('warm', LINK_TIMEOUT_MS);
    probed.send({ cmd: 'warmup', number: warmupNumber(1, count) });
    await linked(warm, 'warm-up link');
    const baseline = await baselineOf(child.pid!, probed);
    debug('bare: baseline');

    const linkStarted = performance.now();
    probed.send({ cmd: 'link', numbers: numbers(1, count) });
    await linked(
      (async () => {
        while (opened.size < count) await sleep(50);
      })(),
      `${count} links (${opened.size} open)`,
    );
    const measured = await finish(child.pid!, probed, baseline, linkStarted, performance.now());
    return { ...measured, moduleRss };
  } finally {
    child.disconnect();
    await within(exited, 5_000, () => new Error('bare Baileys child did not exit')).catch(() => child.kill('SIGKILL'));
    debug('bare: stopped');
  }
}

/** Kirim: the reference server in its own process; N sessions created over HTTP and linked through their status QR. */
async function measureKirim(sim: WaSim, count: number): Promise<Measured & { serverIdle: ProbeReply }> {
  const server = await startChildServer(
    // Baileys logs each pairing's normal 515 restart as an error ("stream errored out"); at `fatal` the
    // benchmark's output stays readable. Logging is not what is measured here.
    { KIRIM_TRANSPORT: 'baileys', KIRIM_WA_WS_URL: sim.url, LOG_LEVEL: 'fatal' },
    {
      nodeArgs: [
        '--expose-gc',
        '--import',
        MEMORY_PROBE,
        ...(process.env.BENCH_KIRIM_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      ],
      ipc: true,
    },
  );
  try {
    const probed = new Probed(server.process);
    const api = async (method: string, path: string, body?: unknown) => {
      const request = () =>
        fetch(`${server.url}/api${path}`, {
          method,
          headers: {
            authorization: `Bearer ${BENCH_ADMIN_TOKEN}`,
            ...(body ? { 'content-type': 'application/json' } : {}),
          },
          body: body ? JSON.stringify(body) : undefined,
        });
      // After an idle baseline the pooled keep-alive connection may have been closed by the server
      // (its keep-alive timeout): the request never reached it, so it is sent again once.
      const res = await request().catch((error: unknown) => {
        if ((error as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw error;
        return request();
      });
      const json = (await res.json().catch(() => ({}))) as { data?: unknown };
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
      return json.data;
    };

    /** Creates a session per phone and links each through the QR code of its status; resolves with their ids once all are connected. */
    const link = async (phones: string[]): Promise<string[]> => {
      const ids: string[] = [];
      for (const phone of phones)
        ids.push(((await api('POST', '/whatsapp/sessions', { session_name: `bench-${phone}` })) as { id: string }).id);
      // The session list is cheap; a status (which renders the QR as a PNG) is asked only of sessions showing a QR.
      const pending = new Map(ids.map((id, i) => [id, phones[i]]));
      const scanned = new Set<string>();
      const deadline = Date.now() + LINK_TIMEOUT_MS;
      while (pending.size) {
        if (Date.now() > deadline)
          throw new Error(`Kirim: ${phones.length - pending.size}/${phones.length} linked in time`);
        const list = (await api('GET', '/whatsapp/sessions')) as Array<{ id: string; status: string }>;
        await Promise.all(
          list.map(async (session) => {
            const phone = pending.get(session.id);
            if (!phone) return;
            if (session.status === 'connected') pending.delete(session.id);
            else if (session.status === 'qr' && !scanned.has(session.id)) {
              const { qr } = (await api('GET', `/whatsapp/sessions/${session.id}/status`)) as { qr: string | null };
              if (!qr) return;
              scanned.add(session.id);
              await sim.phone(phone).scanQr(qr);
            } else if (session.status !== 'connecting' && session.status !== 'qr')
              throw new Error(`session ${session.id} is ${session.status}`);
          }),
        );
        await sleep(100);
      }
      return ids;
    };

    const serverIdle = await probed.probe();
    debug('kirim: started');
    // Baileys is loaded on the first session: one session linked, then deleted (logged out), before the baseline.
    const [warm] = await link([warmupNumber(2, count)]);
    await api('DELETE', `/whatsapp/sessions/${warm}`);
    const baseline = await baselineOf(server.pid, probed);
    debug('kirim: baseline');

    const linkStarted = performance.now();
    await link(numbers(2, count));
    debug('kirim: linked');
    return { ...(await finish(server.pid, probed, baseline, linkStarted, performance.now())), serverIdle };
  } finally {
    await server.stop();
    debug('kirim: stopped');
  }
}

const sim = await startWaSim();
try {
  for (const count of COUNTS) {
    // Both sides at once, each in its own process: their memory and CPU are read per process.
    const [bare, kirim] = await Promise.all([measureBare(sim, count), measureKirim(sim, count)]);
    const n = `n${count}`;
    const perSession = (m: Measured) => mb(m.loaded.rss - m.baseline.rss) / count;
    const heapPerSession = (m: Measured) =>
      mb(m.loaded.heapUsed + m.loaded.external - m.baseline.heapUsed - m.baseline.external) / count;
    if (count === COUNTS[0]) {
      report('sessions.bare_baileys.module_rss', mb(bare.moduleRss), 'MB');
      report('sessions.kirim.server_idle_rss', mb(kirim.serverIdle.rss), 'MB');
      report('sessions.bare_baileys.idle_cpu.n0', bare.baseline.idleCpuPercent, '% of a core');
      report('sessions.kirim.idle_cpu.n0', kirim.baseline.idleCpuPercent, '% of a core');
    }
    for (const [side, m] of [
      ['bare_baileys', bare],
      ['kirim', kirim],
    ] as const) {
      const last = count === 50;
      report(`sessions.${side}.baseline_rss.${n}`, mb(m.baseline.rss), 'MB');
      report(
        `sessions.${side}.process_rss.${n}`,
        mb(m.loaded.rss),
        'MB',
        side === 'kirim' && last ? { op: '<=', value: 400 } : undefined,
      );
      const target =
        side === 'kirim' && last ? { op: '<=' as const, value: Number((2 * perSession(bare)).toFixed(2)) } : undefined;
      report(`sessions.${side}.per_session_rss.${n}`, perSession(m), 'MB', target);
      report(`sessions.${side}.per_session_heap_and_external.${n}`, heapPerSession(m), 'MB');
      report(`sessions.${side}.heap_slack.${n}`, mb(m.loaded.heapTotal - m.loaded.heapUsed), 'MB');
      report(`sessions.${side}.peak_rss.${n}`, mb(m.peakRss), 'MB');
      report(`sessions.${side}.idle_cpu.${n}`, m.idleCpuPercent, '% of a core');
      report(`sessions.${side}.link_time.${n}`, m.linkSeconds, 's');
    }
  }
} finally {
  await sim.close();
}
