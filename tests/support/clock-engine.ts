import {
  createKirim,
  createSimulatedNetwork,
  type Actor,
  type Kirim,
  type KirimOptions,
  type SimulatedNetwork,
  type Storage,
  type Transport,
} from '@kirim/core';
import { ManualClock } from '@kirim/core/testing';
import { eventually } from './eventually.js';
import type { TestDatabase } from './harness.js';
import { openTestStorage } from './storage.js';

/** What {@link linkedEngineOnClock} sets up. */
export interface EngineOnClock {
  kirim: Kirim;
  storage: Storage;
  clock: ManualClock;
  network: SimulatedNetwork;
  actor: Actor;
  sessionId: string;
  /** Runs `work` while moving the clock on by `stepMs` every `everyMs` of real time, until it settles. */
  passing<T>(work: Promise<T>, stepMs?: number, everyMs?: number): Promise<T>;
}

/**
 * An engine on a manual clock over a new `database` and the simulated network (on the same clock, so what it records
 * is on that time), with one user's session linked to `phone`: the transport is the network's unless `transport`
 * wraps it; `outbox` as createKirim takes it. `cleanups` gets what stops and removes it.
 */
export async function linkedEngineOnClock(
  database: TestDatabase,
  cleanups: Array<() => Promise<void>>,
  options: {
    phone: string;
    transport?: (network: SimulatedNetwork) => Transport;
    outbox?: KirimOptions['outbox'];
  },
): Promise<EngineOnClock> {
  const storage = await openTestStorage(database, cleanups);
  const clock = new ManualClock('2026-03-02T09:00:00.000Z');
  const network = createSimulatedNetwork({ clock, latencyMs: 0 });
  const transport = options.transport?.(network) ?? network.transport;
  const kirim = createKirim({ storage, clock, transport, outbox: options.outbox });
  await kirim.start();
  cleanups.push(() => kirim.stop());
  const user = await kirim.accounts.createUserUnchecked({ name: 'Owner', email: 'owner@example.com' });
  const actor = await kirim.accounts.actorFor(user.id);
  const session = await kirim.sessions.create(actor, { session_name: 'device' });
  await eventually(() => network.sessions().some((s) => s.sessionId === session.id && s.state === 'qr'));
  await network.link(session.id, options.phone);
  await eventually(async () => (await storage.sessions.getById(session.id))?.status === 'connected');
  async function passing<T>(work: Promise<T>, stepMs = 100, everyMs = 1): Promise<T> {
    let done = false;
    const settled = work.finally(() => (done = true));
    await eventually(
      async () => {
        if (!done) await clock.advance(stepMs);
        return done;
      },
      30_000,
      everyMs,
    );
    return settled;
  }
  return { kirim, storage, clock, network, actor, sessionId: session.id, passing };
}
