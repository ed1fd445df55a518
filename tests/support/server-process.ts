import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The reference server in a process of its own, from the TypeScript sources, as `npm run dev` runs it. */
export interface ServerProcess {
  url: string;
  /** Sends a signal (SIGKILL for a crash) and waits for the process to end. */
  kill(signal: NodeJS.Signals): Promise<void>;
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

/** Starts a server process with `env` (plus a free port) and waits until it answers. */
export async function startServerProcess(env: Record<string, string>, adminToken: string): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/server/src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      KIRIM_ADMIN_TOKEN: adminToken,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const request: ServerProcess['request'] = async (method, path, body) => {
    const res = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      if (child.exitCode !== null || i > 300) throw new Error('server process did not start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    url,
    request,
    async kill(signal) {
      child.kill(signal);
      await exited;
    },
  };
}
