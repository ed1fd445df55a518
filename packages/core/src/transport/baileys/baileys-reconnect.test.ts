import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../testing/manual-clock.js';
import { memoryAuthStore } from '../../testing/memory-auth-store.js';
import type { LinkState } from '../transport.js';
import { linkedSession, makeTransport, openSession, resumedWhileRefused, sim, useWaSim } from './use-wa-sim.js';

useWaSim();

describe('createBaileysTransport against wa-sim: closes, reconnects and giving up', () => {
  it('reconnects at once after a restart-required (515) and reports connected again', async () => {
    const me = sim.phone('15551110011');
    const session = await linkedSession(me);
    const before = session.states.length;
    sim.restartRequired(me.number);
    await session.state('connected', before);
    expect(session.states.slice(before).map((s) => s.state)).toEqual(['connecting', 'connecting', 'connected']);
  });

  it('reports logged_out and clears the auth store when the phone unlinks the device', async () => {
    const me = sim.phone('15551110012');
    const session = await linkedSession(me);
    sim.logout(me.number);
    expect(await session.state('logged_out')).toEqual({ state: 'logged_out', reason: 'logged_out' });
    expect(session.auth.rows.size).toBe(0);
  });

  it('reports replaced (440) and does not reconnect', async () => {
    const me = sim.phone('15551110017');
    const session = await linkedSession(me);
    sim.replace(me.number);
    expect(await session.state('replaced')).toEqual({ state: 'replaced', reason: 'connection_replaced' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sim.openConnections).toBe(0);
  });

  it('ends a socket stuck connecting (refused upgrade) and retries with back-off', async () => {
    sim.refuseUpgrades(503);
    const session = await openSession(memoryAuthStore(), makeTransport({ connectTimeoutMs: 200 }));
    const disconnected = await session.state('disconnected');
    expect(disconnected.reason).toBe('connect_timeout');
    expect(disconnected.attempts).toBe(1);
    expect(disconnected.retryAt).toBeInstanceOf(Date);
    sim.refuseUpgrades(false);
    await session.state('qr');
  });

  it('ends in failed, not a hang, when the upgrade keeps being refused', async () => {
    sim.refuseUpgrades(503);
    const session = await openSession(
      memoryAuthStore(),
      makeTransport({ connectTimeoutMs: 150, giveUpAfter: { unlinkedMs: 600 } }),
    );
    expect(await session.state('failed')).toEqual({ state: 'failed', reason: 'connect_timeout' });
    expect(session.states.filter((s) => s.state === 'disconnected').length).toBeGreaterThan(0);
    sim.refuseUpgrades(false);
  });

  it('says connection_refused, not timed_out, while WhatsApp refuses connections, and gives a linked session up as failed after its give-up time instead of retrying for ever', async () => {
    const { linked, session } = await resumedWhileRefused('15551110030', {
      giveUpAfter: { linkedMs: 1_000, unlinkedMs: 1 },
    });

    expect(await session.state('failed')).toEqual({ state: 'failed', reason: 'connection_refused' });
    const retries = session.states.filter(
      (s): s is Extract<LinkState, { state: 'disconnected' }> => s.state === 'disconnected',
    );
    expect(retries.length).toBeGreaterThan(1);
    expect(retries.every((s) => s.reason === 'connection_refused' && s.retryAt !== null)).toBe(true);
    expect(retries.map((s) => s.attempts)).toEqual(retries.map((_, i) => i + 1));
    await sim.refuseConnections(false);
    const again = await openSession(linked.auth, makeTransport());
    await again.state('connected');
  });

  it('reads the give-up time and each retryAt from its injected clock, not Date.now(): it retries until that clock passes the give-up time', async () => {
    const clock = new ManualClock();
    // The connect watchdog runs on this clock too: set past the give-up time, so that only refusals end attempts.
    const { session } = await resumedWhileRefused('15551110031', {
      clock,
      connectTimeoutMs: 120_000,
      giveUpAfter: { linkedMs: 60_000 },
    });

    // Each retry waits its back-off on this clock, which moves only to each retryAt in turn: three attempts fail
    // well within the give-up time.
    const retries: LinkState[] = [];
    for (let from = 0; retries.length < 3;) {
      const retry = await session.state('disconnected', from);
      from = session.states.indexOf(retry) + 1;
      // Each retryAt is the clock's now plus a back-off within the bounds (50 .. 200 ms, half of it jitter).
      const wait = retry.retryAt!.getTime() - clock.now().getTime();
      expect(wait).toBeGreaterThanOrEqual(25);
      expect(wait).toBeLessThanOrEqual(200);
      retries.push(retry);
      await clock.set(retry.retryAt!);
    }
    expect(session.states.some((s) => s.state === 'failed')).toBe(false);

    await clock.advance(60_000);
    expect(await session.state('failed')).toEqual({ state: 'failed', reason: 'connection_refused' });
    await sim.refuseConnections(false);
  });

  it('waits out each reconnect back-off on its injected clock, not a timer of its own: the next attempt starts when that clock reaches retryAt, however far off in real time', async () => {
    const clock = new ManualClock();
    const { session } = await resumedWhileRefused('15551110032', {
      clock,
      connectTimeoutMs: 120_000,
      backoff: { minMs: 60_000, maxMs: 60_000 },
    });

    const first = await session.state('disconnected');
    // At least 30 s away in real time: only this clock can bring the next attempt within the wait.
    expect(first.retryAt!.getTime() - clock.now().getTime()).toBeGreaterThanOrEqual(30_000);
    await clock.set(first.retryAt!);
    const second = await session.state('disconnected', session.states.indexOf(first) + 1);
    expect([first.attempts, second.attempts]).toEqual([1, 2]);
    expect(second.reason).toBe('connection_refused');
    await sim.refuseConnections(false);
  });

  it('ends a socket stuck connecting once its injected clock passes connectTimeoutMs, not a timer of its own, then links after the back-off on that clock', async () => {
    sim.refuseUpgrades(503);
    const clock = new ManualClock();
    const session = await openSession(memoryAuthStore(), makeTransport({ clock, connectTimeoutMs: 60_000 }));

    await clock.advance(60_000);
    const disconnected = await session.state('disconnected');
    expect(disconnected).toMatchObject({ reason: 'connect_timeout', attempts: 1 });
    const wait = disconnected.retryAt!.getTime() - clock.now().getTime();
    expect(wait).toBeGreaterThanOrEqual(25);
    expect(wait).toBeLessThanOrEqual(200);
    sim.refuseUpgrades(false);
    await clock.set(disconnected.retryAt!);
    await session.state('qr');
  });

  it('fails after the QR refresh cap instead of showing QR codes forever', async () => {
    const session = await openSession(memoryAuthStore(), makeTransport({ maxQrRefreshes: 0 }));
    expect(await session.state('failed')).toEqual({ state: 'failed', reason: 'qr_refreshes_exhausted' });
    expect(session.states.some((s) => s.state === 'qr')).toBe(false);
  });
});
