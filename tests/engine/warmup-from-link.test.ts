// The warm-up ramp counts from the day the device was linked, not the day the session was created, and a
// reconnect (which rewrites connected_at) does not start it again. Each day runs an engine on a manual clock
// set to that day (a process started then), over one database and one simulated network.
import { createKirim, createSimulatedNetwork, type SimulatedNetwork, type Storage } from '@kirim/core';
import { ManualClock } from '@kirim/core/testing';
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES } from '../support/harness.js';
import { openTestStorage, testCleanups } from '../support/storage.js';

const DAY_MS = 86_400_000;
const DAY0 = Date.parse('2026-01-01T00:00:00.000Z');

describe.each(DATABASES)('warm-up on %s', (database) => {
  const cleanups = testCleanups();

  /** An engine whose clock reads `day` days after day 0, 09:00, warming numbers up from 50 a day. */
  async function engineOnDay(storage: Storage, network: SimulatedNetwork, day: number) {
    const clock = new ManualClock(new Date(DAY0 + day * DAY_MS + 9 * 3_600_000));
    const kirim = createKirim({
      storage,
      clock,
      transport: network.transport,
      outbox: { limits: { min_gap_ms: 0, jitter_ms: 0, warmup: true, warmup_start: 50, daily_cap: 1000 } },
    });
    await kirim.start();
    let stopped = false;
    const stop = async () => {
      if (!stopped) await kirim.stop();
      stopped = true;
    };
    cleanups.push(stop);
    return { kirim, clock, stop };
  }

  /** Runs the engine's rounds, its clock a second further each time, until the session has sent `count` since day 0. */
  function sendsReach(clock: ManualClock, storage: Storage, sessionId: string, count: number) {
    return eventually(async () => {
      await clock.advance(1_000);
      return (await storage.outbox.sentSince(sessionId, new Date(DAY0).toISOString())) === count;
    });
  }

  it('gives a session created on day 0 and linked on day 3 the first day cap (50) on day 3, not 400, and keeps counting from the link after a reconnect', async () => {
    const storage = await openTestStorage(database, cleanups);
    const network = createSimulatedNetwork({ latencyMs: 0 });
    const sent = (sessionId: string) => storage.outbox.sentSince(sessionId, new Date(DAY0).toISOString());

    const day0 = await engineOnDay(storage, network, 0);
    const user = await day0.kirim.accounts.createUserUnchecked({ name: 'Owner', email: 'owner@example.com' });
    const actor = await day0.kirim.accounts.actorFor(user.id);
    const session = await day0.kirim.sessions.create(actor, { session_name: 'device' });
    await eventually(() => network.sessions().some((s) => s.sessionId === session.id && s.state === 'qr'));
    expect((await day0.kirim.sessions.get(actor, session.id)).linked_at).toBeNull();
    await day0.stop();

    const day3 = await engineOnDay(storage, network, 3);
    await eventually(() => network.sessions().some((s) => s.sessionId === session.id && s.state === 'qr'));
    const linkedAt = day3.clock.now().toISOString();
    await network.link(session.id, '6281299000001');
    await eventually(async () => (await storage.sessions.getById(session.id))?.status === 'connected');
    expect((await day3.kirim.sessions.get(actor, session.id)).linked_at).toBe(linkedAt);
    const phones = Array.from({ length: 200 }, (_, i) => network.phone(String(6281300000000 + i)).number);
    await day3.kirim.bulk.createText(actor, { session_id: session.id, contacts: phones, message: 'Halo', delay: 0 });
    await sendsReach(day3.clock, storage, session.id, 50);
    // A minute more of rounds: the day's cap holds.
    await day3.clock.advance(60_000);
    expect(await sent(session.id)).toBe(50);
    await day3.stop();

    // Day 4, and the link drops and comes back: the second day's cap (100), not the first day's again.
    const day4 = await engineOnDay(storage, network, 4);
    await eventually(async () => (await storage.sessions.getById(session.id))?.status === 'connected');
    await day4.clock.advance(60_000);
    network.dropLink(session.id);
    await eventually(async () => {
      const stored = await storage.sessions.getById(session.id);
      return stored?.status === 'connected' && stored.connected_at === day4.clock.now().toISOString();
    });
    expect((await storage.sessions.getById(session.id))?.linked_at).toBe(linkedAt);
    await sendsReach(day4.clock, storage, session.id, 150);
    await day4.clock.advance(60_000);
    expect(await sent(session.id)).toBe(150);
  });
});
