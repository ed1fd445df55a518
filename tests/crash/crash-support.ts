import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulatedNetwork, type SimulatedNetwork } from '@kirim/core';
import { serveSimulatedNetwork } from '@kirim/core/testing';
import { eventually } from '../support/eventually.js';
import type { TestDatabase } from '../support/harness.js';
import { freshPostgresUrl } from '../support/postgres.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

/** A server's environment for crash tests: the loopback network, no rate limits, short leases and grace. */
export function crashEnv(networkUrl: string): Record<string, string> {
  return {
    KIRIM_TRANSPORT: 'remote-simulated',
    KIRIM_SIMULATED_NETWORK_URL: networkUrl,
    KIRIM_SEND_MIN_GAP_MS: '0',
    KIRIM_SEND_JITTER_MS: '0',
    KIRIM_SEND_DAILY_CAP: '0',
    KIRIM_DISPATCH_POLL_MS: '10',
    KIRIM_LEASE_MS: '3000',
    KIRIM_HEARTBEAT_MS: '200',
    KIRIM_UNKNOWN_GRACE_MS: '1000',
    KIRIM_SECRET_KEY: 'crash-test-secret-key-0123456789',
  };
}

/** What a crash test runs on: a network that outlives the servers, one data dir and database, one admin token. */
export interface CrashRig {
  /** The simulated network, served on loopback so that every server process reaches the same one. */
  network: SimulatedNetwork;
  /** The environment every server process of this rig starts with. */
  env: Record<string, string>;
  adminToken: string;
  /** Starts a server process on the rig's data (again, after a kill); `close()` stops the latest one. */
  start(): Promise<ServerProcess>;
  /** Stops the latest server process, closes the served network and removes the data dir. */
  close(): Promise<void>;
}

/**
 * A crash rig on `database` (a fresh PostgreSQL schema, or SQLite in the data dir), with `extraEnv` on top of
 * `crashEnv` and the data dir made under the name `dataDirPrefix`.
 */
export async function crashRig(
  database: TestDatabase,
  { extraEnv = {}, dataDirPrefix = 'kirim-crash-' }: { extraEnv?: Record<string, string>; dataDirPrefix?: string } = {},
): Promise<CrashRig> {
  const network = createSimulatedNetwork({ latencyMs: 0 });
  const served = await serveSimulatedNetwork(network);
  const dataDir = await mkdtemp(join(tmpdir(), dataDirPrefix));
  const adminToken = `kirim_${randomBytes(24).toString('base64url')}`;
  const env = {
    ...crashEnv(served.url),
    ...extraEnv,
    DATA_DIR: dataDir,
    ...(database === 'postgres' ? { DATABASE_URL: await freshPostgresUrl() } : {}),
  };
  let latest: ServerProcess | undefined;
  return {
    network,
    env,
    adminToken,
    async start() {
      latest = await startServerProcess(env, adminToken);
      return latest;
    },
    async close() {
      await latest?.kill('SIGTERM');
      await served.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates a session on `server` and links it to `phone` on the network. */
export async function linkSession(server: ServerProcess, network: SimulatedNetwork, phone: string): Promise<string> {
  const id = (await server.request('POST', '/api/whatsapp/sessions', { session_name: `device-${phone}` })).body.data
    .id as string;
  // Under load a lease can change hands while linking, even after a scan (the new owner shows a new QR,
  // as a real phone would have to scan again): scan whichever QR is current until the session is connected.
  let scanned: string | null = null;
  await eventually(
    async () => {
      const status = (await server.request('GET', `/api/whatsapp/sessions/${id}/status`)).body.data as {
        status: string;
        qr: string | null;
      };
      if (status.status === 'connected') return true;
      if (status.qr && status.qr !== scanned) {
        scanned = status.qr;
        await network
          .phone(phone)
          .scanQr(status.qr)
          .catch(() => (scanned = null));
      }
      return false;
    },
    20_000,
    100,
  );
  return id;
}

/**
 * Each recipient's distinct WhatsApp message ids received from these sessions. A row resent after a
 * crash goes out under its first id, which WhatsApp apps show once: one id is one message.
 */
export function recipientsReached(network: SimulatedNetwork, ...sessionIds: string[]): Map<string, Set<string>> {
  const reached = new Map<string, Set<string>>();
  for (const send of network.sent) {
    if (!sessionIds.includes(send.sessionId)) continue;
    const ids = reached.get(send.to) ?? new Set<string>();
    ids.add(send.messageId);
    reached.set(send.to, ids);
  }
  return reached;
}
