// Authenticated GET /api/me on the reference server (SQLite) against a bare Express route answering the
// same JSON, in one run, interleaved, best of three each. Target: Kirim at least half of bare Express.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, startServer } from '@kirim/server';
import express from 'express';
import { measureRps } from './support/load.js';
import { report } from './support/report.js';

const dataDir = await mkdtemp(join(tmpdir(), 'kirim-bench-http-'));
const adminToken = 'kirim_bench_admin_token_0123456789abcdef';
const kirim = await startServer(
  loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent', KIRIM_ADMIN_TOKEN: adminToken }),
);
const me = await (await fetch(`${kirim.url}/api/me`, { headers: { authorization: `Bearer ${adminToken}` } })).json();

const bare = express();
bare.get('/api/me', (_req, res) => {
  res.json(me);
});
const bareServer = createServer(bare).listen(0, '127.0.0.1');
await new Promise((resolve) => bareServer.once('listening', resolve));
const bareUrl = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/api/me`;

const kirimRps: number[] = [];
const bareRps: number[] = [];
for (let round = 0; round < 3; round++) {
  bareRps.push(await measureRps(bareUrl, { durationMs: 2000 }));
  kirimRps.push(
    await measureRps(`${kirim.url}/api/me`, { headers: { authorization: `Bearer ${adminToken}` }, durationMs: 2000 }),
  );
}
const best = (xs: number[]) => Math.max(...xs);
report('http.bare_express.me', best(bareRps), 'req/s');
report('http.kirim.me', best(kirimRps), 'req/s');
report('http.kirim_to_bare_ratio', best(kirimRps) / best(bareRps), 'x', { op: '>=', value: 0.5 });

bareServer.close();
await kirim.close();
await rm(dataDir, { recursive: true, force: true });
