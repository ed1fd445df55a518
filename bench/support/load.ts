import { Agent, request } from 'node:http';

/** Sends GET requests to `url` from `concurrency` keep-alive connections for `durationMs`; returns requests per second. */
export async function measureRps(
  url: string,
  options: { headers?: Record<string, string>; concurrency?: number; durationMs?: number } = {},
): Promise<number> {
  const concurrency = options.concurrency ?? 32;
  const durationMs = options.durationMs ?? 3000;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const deadline = Date.now() + durationMs;
  let done = 0;
  const once = () =>
    new Promise<void>((resolve, reject) => {
      const req = request(url, { agent, headers: options.headers }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', reject);
      req.end();
    });
  const worker = async () => {
    while (Date.now() < deadline) {
      await once();
      done++;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return done / ((Date.now() - started) / 1000);
}
