// What number checks decide by the engine's clock: an answer is reused for a day and then asked again, and questions
// to WhatsApp are spaced by the session's gap, as sends are and among them. An engine on a manual clock over each
// database and the simulated network (on the same clock, so what it records is on that time).
import { createKirim, createSimulatedNetwork, NUMBER_CHECK_TTL_MS, type Actor } from '@kirim/core';
import { engineInternals, ManualClock } from '@kirim/core/testing';
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES } from '../support/harness.js';
import { openTestStorage, testCleanups } from '../support/storage.js';

const GAP_MS = 60_000;

describe.each(DATABASES)('number checks on the engine clock on %s', (database) => {
  const cleanups = testCleanups();

  /** An engine on a manual clock with a session linked to `6281600000001`, keeping a gap of GAP_MS between sends. */
  async function engine() {
    const storage = await openTestStorage(database, cleanups);
    const clock = new ManualClock('2026-03-02T09:00:00.000Z');
    const network = createSimulatedNetwork({ clock, latencyMs: 0 });
    const kirim = createKirim({
      storage,
      clock,
      transport: network.transport,
      outbox: { limits: { min_gap_ms: GAP_MS, jitter_ms: 0 }, sendWaitMs: 0 },
    });
    await kirim.start();
    cleanups.push(() => kirim.stop());
    const user = await kirim.accounts.createUserUnchecked({ name: 'Owner', email: 'owner@example.com' });
    const actor: Actor = await kirim.accounts.actorFor(user.id);
    const session = await kirim.sessions.create(actor, { session_name: 'device' });
    await eventually(() => network.sessions().some((s) => s.sessionId === session.id && s.state === 'qr'));
    await network.link(session.id, '6281600000001');
    await eventually(async () => (await storage.sessions.getById(session.id))?.status === 'connected');
    /** Runs `work` while moving the clock on by `stepMs` every millisecond of real time, until it settles. */
    async function passing<T>(work: Promise<T>, stepMs = 1_000): Promise<T> {
      let done = false;
      const settled = work.finally(() => (done = true));
      await eventually(async () => {
        if (!done) await clock.advance(stepMs);
        return done;
      }, 30_000);
      return settled;
    }
    const check = (phones: string[]) => kirim.profiles.checkNumbers(actor, session.id, { phones });
    /**
     * Sets the clock with the engine stopped, then starts it and waits for the session to connect again: moving a
     * running engine's clock by hours would wake its loops every poll of the way.
     */
    async function setWhileStopped(to: Date) {
      await kirim.stop();
      await clock.set(to);
      await kirim.start();
      const { sessionManager } = engineInternals(kirim);
      await passing(
        eventually(() => sessionManager.connectedSessions().includes(session.id)),
        100,
      );
    }
    return { kirim, clock, network, actor, sessionId: session.id, check, passing, setWhileStopped };
  }

  it('reuses an answer for a day, and asks WhatsApp again once it is a day old', async () => {
    const { network, check, passing, setWhileStopped } = await engine();
    const number = '6281600000002';
    expect(await passing(check([number]))).toEqual([expect.objectContaining({ phone: number, exists: true })]);
    const askedAt = network.numberChecks[0]!.at.getTime();
    network.phone(number, { onWhatsApp: false });

    // An hour short of a day, whatever the reconnection took on the clock.
    await setWhileStopped(new Date(askedAt + NUMBER_CHECK_TTL_MS - 3_600_000));
    expect(await passing(check([number]))).toEqual([expect.objectContaining({ phone: number, exists: true })]);
    expect(network.numberChecks.map((c) => c.phones)).toEqual([[number]]);

    // A minute past the day: the answer was stored as soon as WhatsApp gave it, within that minute.
    await setWhileStopped(new Date(askedAt + NUMBER_CHECK_TTL_MS + 60_000));
    expect(await passing(check([number]))).toEqual([{ phone: number, exists: false, jid: null, lid: null }]);
    expect(network.numberChecks.map((c) => c.phones)).toEqual([[number], [number]]);
  });

  it("spaces a burst of checks by the session's gap, and the next send by the gap after the last", async () => {
    const { kirim, network, actor, sessionId, check, passing } = await engine();
    const burst = Promise.all(['6281600000010', '6281600000011', '6281600000012'].map((phone) => check([phone])));
    await passing(burst);
    const times = network.numberChecks.map((c) => c.at.getTime());
    expect(times).toHaveLength(3);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(GAP_MS);

    const queued = await kirim.sends.sendText(actor, { session_id: sessionId, to: '6281600000013', message: 'Hi' });
    await passing(eventually(async () => (await kirim.storage.outbox.get(actor.userId, queued.id))?.sent_at));
    const sentAt = network.sent.find((s) => s.to === '6281600000013@s.whatsapp.net')!.at.getTime();
    expect(sentAt - times[2]!).toBeGreaterThanOrEqual(GAP_MS);
  });
});
