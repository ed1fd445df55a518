import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';
import { openSse, type SseClient, type SseFrame } from '../support/sse-client.js';

const isEvent = (f: SseFrame) => f.data !== undefined && f.id !== undefined;
const jobOf = (f: SseFrame) => JSON.parse(f.data!).data.job_id as string;

async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(DATABASES)('GET /api/events on %s', (database) => {
  let t: TestServer;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  const clients: SseClient[] = [];

  beforeAll(async () => {
    t = await startTestServer(database, { KIRIM_EVENT_POLL_MS: '25', KIRIM_SSE_HEARTBEAT_MS: '100' });
    alice = await t.createUser();
    bob = await t.createUser();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await t?.close();
  });

  const stream = async (token: string, headers: Record<string, string> = {}, query = '') => {
    const client = await openSse(`${t.url}/api/events${query}`, { authorization: `Bearer ${token}`, ...headers });
    clients.push(client);
    return client;
  };
  const progress = (userId: string, jobId: string) =>
    t.server.kirim.events.publish('bulk.progress', userId, {
      job_id: jobId,
      total: 10,
      sent: 1,
      failed: 0,
      pending: 9,
    });

  it("streams the caller's events in order, with the sequence as id, and never another user's", async () => {
    const a = await stream(alice.token);
    const b = await stream(bob.token);
    expect(a.status).toBe(200);
    for (let i = 0; i < 20; i++) {
      await progress(alice.id, `a-${i}`);
      if (i % 3 === 0) await progress(bob.id, `b-${i}`);
    }
    const frames = await a.waitFor(20, isEvent);
    expect(frames.map(jobOf)).toEqual(Array.from({ length: 20 }, (_, i) => `a-${i}`));
    const ids = frames.map((f) => Number(f.id));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(frames[0]).toMatchObject({ event: 'bulk.progress' });
    expect(JSON.parse(frames[0].data!)).toMatchObject({
      id: expect.stringMatching(/^evt_/),
      type: 'bulk.progress',
      user_id: alice.id,
      timestamp: expect.any(String),
    });
    const bobs = await b.waitFor(7, isEvent);
    expect(bobs.every((f) => jobOf(f).startsWith('b-'))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(a.frames.filter(isEvent).some((f) => jobOf(f).startsWith('b-'))).toBe(false);
    a.close();
    b.close();
  });

  it('resumes after a reconnect with Last-Event-ID, missing none and repeating none', async () => {
    const first = await stream(alice.token);
    for (let i = 0; i < 10; i++) await progress(alice.id, `r-${i}`);
    const seen = await first.waitFor(10, isEvent);
    first.close();
    const lastId = seen[4].id!;
    // Published while disconnected, with another user's in between.
    for (let i = 10; i < 15; i++) {
      await progress(alice.id, `r-${i}`);
      await progress(bob.id, `x-${i}`);
    }
    const resumed = await stream(alice.token, { 'last-event-id': lastId });
    await progress(alice.id, 'r-15');
    const frames = await resumed.waitFor(11, isEvent);
    expect(frames.map(jobOf)).toEqual(Array.from({ length: 11 }, (_, i) => `r-${i + 5}`));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(resumed.frames.filter(isEvent)).toHaveLength(11);

    const byQuery = await stream(alice.token, {}, `?last_event_id=${frames[9].id}`);
    expect((await byQuery.waitFor(1, isEvent)).map(jobOf)).toEqual(['r-15']);
    resumed.close();
    byQuery.close();
  });

  it('sends heartbeat comments and forgets a client that disconnects', async () => {
    // The earlier tests' clients have closed; the server notices each asynchronously.
    await eventually(() => t.server.kirim.streams.openStreams() === 0);
    const client = await stream(alice.token);
    await client.waitFor(2, (f) => f.comment === 'heartbeat');
    expect(t.server.kirim.streams.openStreams()).toBe(1);
    client.close();
    await eventually(() => t.server.kirim.streams.openStreams() === 0);
  });

  it('answers 401 without a token and 422 for a malformed Last-Event-ID', async () => {
    const anonymous = await openSse(`${t.url}/api/events`, {});
    expect(anonymous.status).toBe(401);
    const bad = await stream(alice.token, { 'last-event-id': 'yesterday' });
    expect(bad.status).toBe(422);
    const [frame] = await bad.waitFor(1, (f) => f.data !== undefined);
    expect(JSON.parse(frame.data!).errors).toHaveProperty('last_event_id');
  });
});
