import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, startServer, type RunningServer } from '@kirim/server';
import { startTestPostgres } from '../../tests/support/embedded-postgres.js';

export const BENCH_ADMIN_TOKEN = 'kirim_bench_admin_token_0123456789abcdef';

/** A reference server on SQLite (a temp dir) or PostgreSQL (embedded, or KIRIM_TEST_DATABASE_URL), and how to stop both. */
export async function benchServer(
  database: 'sqlite' | 'postgres',
  env: Record<string, string> = {},
): Promise<{ server: RunningServer; databaseUrl?: string; stop(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'kirim-bench-'));
  const postgres = database === 'postgres' ? await startTestPostgres() : undefined;
  const server = await startServer(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      KIRIM_ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
      ...(postgres ? { DATABASE_URL: postgres.url } : {}),
      ...env,
    }),
  );
  return {
    server,
    databaseUrl: postgres?.url,
    async stop() {
      await server.close();
      await postgres?.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The q-quantile (0..1) of `values`. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/** Samples this process's RSS every 10 ms until stopped; returns the peak in MB. */
export function rssPeak(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss) / 1024 / 1024;
    },
  };
}
