// Engines for bench/outbox.ts: createKirim on a storage preset and a zero-latency simulated network,
// rate limits off, with sessions linked as soon as they show a QR code; and bulk rows to feed them.
import { randomUUID } from 'node:crypto';
import {
  createKirim,
  createSimulatedNetwork,
  type Kirim,
  type NewMessage,
  type SendLimits,
  type SimulatedNetwork,
  type Storage,
} from '@kirim/core';
import { aQueuedMessage, engineInternals } from '@kirim/core/testing';

/** Anti-ban controls off: no gap, no jitter, no daily cap, and a breaker that never gathers enough samples to open. */
export const NO_LIMITS: Partial<SendLimits> = {
  min_gap_ms: 0,
  jitter_ms: 0,
  daily_cap: 0,
  warmup: false,
  check_recipients: false,
  breaker_min_samples: Number.MAX_SAFE_INTEGER,
};

export interface BenchEngine {
  kirim: Kirim;
  network: SimulatedNetwork;
  userId: string;
  sessionIds: string[];
  stop(): Promise<void>;
}

async function until<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * An engine on `storage` with its own zero-latency simulated network and `sessions` linked sessions of one
 * new user (each linked when it shows its QR code, as a phone scanning it would). The engine holds their leases.
 */
export async function linkedEngine(
  storage: Storage,
  options: { sessions: number; instanceId: string; phonePrefix: string },
): Promise<BenchEngine> {
  const network = createSimulatedNetwork({ latencyMs: 0 });
  const kirim = createKirim({
    storage,
    transport: network.transport,
    sessions: { instanceId: options.instanceId },
    outbox: { limits: NO_LIMITS },
  });
  await kirim.start();
  const user = await kirim.accounts.createUserUnchecked({ name: 'Bench', email: `bench-${randomUUID()}@example.com` });
  const actor = await kirim.accounts.actorFor(user.id);
  const sessionIds: string[] = [];
  for (let i = 0; i < options.sessions; i++) {
    const session = await kirim.sessions.create(actor, { session_name: `bench-${i}` });
    // Linked as soon as the network shows its QR. (Reading the QR back from storage can miss it on PostgreSQL
    // at zero latency: the session's stored status is sometimes overwritten after the QR was recorded.)
    await until(() => network.sessions().some((s) => s.sessionId === session.id && s.state === 'qr'));
    await network.link(session.id, `${options.phonePrefix}${String(i).padStart(4, '0')}`);
    await until(() => engineInternals(kirim).sessionManager.connection(session.id) !== undefined);
    sessionIds.push(session.id);
  }
  return {
    kirim,
    network,
    userId: user.id,
    sessionIds,
    async stop() {
      await kirim.stop();
    },
  };
}

/**
 * One bulk job per session with `perSession` rows, all due at `due`, inserted as the bulk service does
 * (job and rows in one transaction). Returns the job ids.
 */
export async function enqueueBulk(
  storage: Storage,
  userId: string,
  sessionIds: string[],
  perSession: number,
  due: Date,
  options: { kind?: 'bulk' | 'scheduled'; phoneBase?: number } = {},
): Promise<string[]> {
  const kind = options.kind ?? 'bulk';
  const at = new Date().toISOString();
  const jobIds: string[] = [];
  let phone = options.phoneBase ?? 6281300000000;
  for (const sessionId of sessionIds) {
    const jobId = kind === 'bulk' ? randomUUID() : null;
    const rows: NewMessage[] = Array.from({ length: perSession }, (_, i) => {
      const peer = String(phone++);
      return aQueuedMessage(userId, sessionId, {
        chat: `${peer}@s.whatsapp.net`,
        peer_phone: peer,
        text: `Halo Kak ${i}, promo minggu ini!`,
        kind,
        job_id: jobId,
        not_before: due.toISOString(),
        created_at: at,
        updated_at: at,
      });
    });
    await storage.transaction(async (tx) => {
      if (jobId) {
        await tx.bulkJobs.insert({
          id: jobId,
          user_id: userId,
          session_id: sessionId,
          pool_id: null,
          type: 'text',
          message: 'Halo Kak {name}, promo minggu ini!',
          template_id: null,
          media: null,
          delay_ms: 0,
          total: perSession,
          skipped: 0,
          status: 'queued',
          created_at: at,
          started_at: null,
          completed_at: null,
          updated_at: at,
        });
      }
      await tx.outbox.enqueue(rows);
    });
    if (jobId) jobIds.push(jobId);
  }
  return jobIds;
}

/**
 * Waits until every job is completed (nothing of it left to send) and returns when the last one completed,
 * by its `completed_at` (epoch ms). It polls job rows by key only: the wait takes nothing from the engine
 * it measures. Throws if a job ends with a row not sent.
 */
export async function waitCompleted(
  storage: Storage,
  jobs: Array<{ userId: string; jobId: string }>,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await Promise.all(jobs.map(({ userId, jobId }) => storage.bulkJobs.get(userId, jobId)));
    if (rows.every((job) => job?.status === 'completed')) break;
    if (Date.now() > deadline)
      throw new Error(
        `${rows.filter((job) => job?.status !== 'completed').length} of ${jobs.length} jobs still open after ${timeoutMs} ms`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  let last = 0;
  for (const { userId, jobId } of jobs) {
    const job = (await storage.bulkJobs.get(userId, jobId))!;
    const counts = await storage.outbox.countByStatus(jobId);
    const sent = (counts.sent ?? 0) + (counts.delivered ?? 0) + (counts.read ?? 0);
    if (sent !== job.total)
      throw new Error(`job ${jobId} completed with ${sent} of ${job.total} rows sent: ${JSON.stringify(counts)}`);
    last = Math.max(last, Date.parse(job.completed_at!));
  }
  return last;
}
