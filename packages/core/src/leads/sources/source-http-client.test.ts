import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../testing/manual-clock.js';
import { SourceHttpClient } from './source-http-client.js';

describe('SourceHttpClient', () => {
  let server: Server;
  let base: string;
  const requests: string[] = [];
  const handlers: Record<string, (res: ServerResponse) => void> = {
    // Takes the request and never answers.
    '/silent': () => undefined,
    '/limited': (res) => res.writeHead(429, { 'retry-after': '30' }).end(),
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      handlers[req.url ?? '']?.(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );

  /**
   * Starts a request for `path` and waits until the service has it and the client sleeps on `clock`; what the
   * request settles with (`settled` stays false until then).
   */
  async function asleepOn(clock: ManualClock, path: string, request: () => Promise<string>) {
    const before = requests.length;
    const state = { settled: false };
    const outcome = request()
      .then(
        (body) => ({ body }),
        (error: unknown) => ({ error }),
      )
      .finally(() => (state.settled = true));
    await vi.waitFor(() => expect(requests.slice(before)).toEqual([path]));
    await vi.waitFor(() => expect(clock.sleeping).toBe(1));
    return { outcome, state };
  }

  it('counts timeoutMs on its injected clock, not a timer of its own: a request still unanswered when that clock passes timeoutMs fails unavailable', async () => {
    const clock = new ManualClock();
    const client = new SourceHttpClient({ service: 'The lead scraper', userAgent: 'test', clock, timeoutMs: 60_000 });
    const { outcome, state } = await asleepOn(clock, '/silent', () => client.text(`${base}/silent`));
    await clock.advance(59_999);
    expect(state.settled).toBe(false);
    await clock.advance(1);
    expect(await outcome).toEqual({
      error: expect.objectContaining({
        code: 'unavailable',
        message: 'The lead scraper did not answer within 60000 ms',
      }),
    });
    expect(clock.sleeping).toBe(0);
  });

  it("stops waiting out a Retry-After once the caller aborts: rejects with the signal's reason and leaves no timer on the clock", async () => {
    const clock = new ManualClock();
    const client = new SourceHttpClient({ service: 'Overpass', userAgent: 'test', clock });
    const search = new AbortController();
    const { outcome } = await asleepOn(clock, '/limited', () =>
      client.text(`${base}/limited`, { signal: search.signal }),
    );
    const reason = new Error('the task was cancelled');
    search.abort(reason);
    expect(await outcome).toEqual({ error: reason });
    expect(clock.sleeping).toBe(0);
  });
});
