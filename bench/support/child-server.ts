import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../tests/support/free-port.js';
import { BENCH_ADMIN_TOKEN } from './servers.js';

/** The reference server in its own process (as `npm start` runs it), so its memory is measured alone. */
export interface ChildServer {
  url: string;
  pid: number;
  /** The child process itself (its IPC channel, with `ipc: true`). */
  process: ChildProcess;
  /** The process's peak resident set so far (Linux VmHWM), in MB. */
  peakRssMb(): number;
  stop(): Promise<void>;
}

const MAIN = 'packages/server/dist/main.js';

/** Starts `node packages/server/dist/main.js` (built by `npm install`'s prepare step, or `npm run build:js`). */
export async function startChildServer(
  env: Record<string, string> = {},
  options: { nodeArgs?: string[]; ipc?: boolean } = {},
): Promise<ChildServer> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build:js first`);
  const dataDir = await mkdtemp(join(tmpdir(), 'kirim-bench-child-'));
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), MAIN], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      KIRIM_ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit', ...(options.ipc ? (['ipc'] as const) : [])],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      if (i > 300) throw new Error('server did not start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    url,
    pid: child.pid!,
    process: child,
    peakRssMb() {
      const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
      return Number(kb) / 1024;
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
