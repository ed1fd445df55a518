import { startWaSim, type WaSim } from '@kirim/wa-sim';
import { startTestServer, type TestDatabase, type TestServer } from './harness.js';

/** The reference server driving unmodified Baileys against a fresh wa-sim on loopback (the real path). */
export async function startServerOverWaSim(
  database: TestDatabase,
  env: Record<string, string> = {},
): Promise<{ sim: WaSim; t: TestServer }> {
  const sim = await startWaSim();
  const t = await startTestServer(database, {
    KIRIM_TRANSPORT: 'baileys',
    KIRIM_WA_WS_URL: sim.url,
    KIRIM_WA_MEDIA_URL: sim.media.url,
    KIRIM_HEARTBEAT_MS: '500',
    ...env,
  });
  return { sim, t };
}
