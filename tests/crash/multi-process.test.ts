// Three server processes on one PostgreSQL database, one bulk job of 3,000 recipients over a pool of
// six devices, one process killed mid-way: no duplicate, no loss, and its sessions taken over.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulatedNetwork } from '@kirim/core';
import { serveSimulatedNetwork } from '@kirim/core/testing';
import { expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { freshPostgresUrl } from '../support/postgres.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { crashEnv, linkSession, recipientsReached } from './crash-support.js';

const RECIPIENTS = 3000;

it('runs one pool job across three processes on PostgreSQL and survives losing one', async () => {
  const network = createSimulatedNetwork({ latencyMs: 0 });
  const served = await serveSimulatedNetwork(network);
  const dataDir = await mkdtemp(join(tmpdir(), 'kirim-multi-'));
  const adminToken = `kirim_${randomBytes(24).toString('base64url')}`;
  const env = { ...crashEnv(served.url), DATA_DIR: dataDir, DATABASE_URL: await freshPostgresUrl() };
  const processes: ServerProcess[] = [];
  try {
    for (let i = 0; i < 3; i++) processes.push(await startServerProcess(env, adminToken));
    const sessions: string[][] = [];
    for (const [i, server] of processes.entries()) {
      sessions.push([
        await linkSession(server, network, `62812000001${i}0`),
        await linkSession(server, network, `62812000001${i}1`),
      ]);
    }
    const all = sessions.flat();
    const [a, b, c] = processes;
    const pool = (await a.request('POST', '/api/whatsapp/pools', { name: 'six', session_ids: all })).body.data;
    expect(pool.members).toHaveLength(6);

    const recipients = Array.from({ length: RECIPIENTS }, (_, i) => `62814${String(i).padStart(7, '0')}`);
    const job = (
      await a.request('POST', '/api/whatsapp/messages/bulk/text', {
        pool_id: pool.id,
        contacts: recipients,
        message: 'Halo',
        delay: 2,
      })
    ).body.data;
    expect(job.total).toBe(RECIPIENTS);

    await eventually(() => recipientsReached(network, ...all).size >= 1000, 30_000, 5);
    await b.kill('SIGKILL');
    const done = await eventually(
      async () => {
        const status = (await c.request('GET', `/api/whatsapp/messages/bulk/${job.job_id}/status`)).body.data;
        return status.status === 'completed' && status;
      },
      60_000,
      100,
    );

    const reached = recipientsReached(network, ...all);
    expect([...reached.values()].filter((ids) => ids.size !== 1)).toEqual([]);
    expect(reached.size).toBe(RECIPIENTS);
    expect(done).toMatchObject({ sent: RECIPIENTS, failed: 0, pending: 0 });
    const bySession = new Map(all.map((id) => [id, network.sent.filter((s) => s.sessionId === id).length]));
    console.log(`[multi-process] sends per device: ${[...bySession.values()].join(', ')}`);
    for (const count of bySession.values()) expect(count).toBeGreaterThan(0);

    // The killed process's devices were taken over by the survivors and are connected again.
    const statuses = await eventually(async () => {
      const list = (await a.request('GET', '/api/whatsapp/sessions')).body.data as Array<{
        id: string;
        status: string;
      }>;
      return list.every((s) => s.status === 'connected') && list;
    }, 10_000);
    expect(statuses).toHaveLength(6);
  } finally {
    for (const server of processes) await server.kill('SIGTERM').catch(() => {});
    await served.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}, 120_000);
