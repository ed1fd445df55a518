import { describe, expect, it } from 'vitest';
import { memoryAuthStore } from './memory-auth-store.js';
import type { SimulatedNetwork } from './simulated-network.js';
import { ALICE, BUDI, CITRA, lastState, simulate, stateNames } from './simulated-network-test-kit.js';

describe('SimulatedNetwork faults', () => {
  it('reconnects a dropped link by itself after back-off', async () => {
    const { clock, network, linked } = simulate();
    const { events } = await linked('s1', ALICE);

    const droppedAt = clock.now().getTime();
    network.dropLink('s1');
    await clock.advance(0);
    expect(lastState(events)).toEqual({
      state: 'disconnected',
      reason: 'connection lost',
      attempts: 1,
      retryAt: new Date(droppedAt + 1_000),
    });
    await clock.advance(1_000);

    expect(stateNames(events).slice(-3)).toEqual(['disconnected', 'connecting', 'connected']);
  });

  it('doubles the back-off while the link stays down, and starts over once connected', async () => {
    const { clock, network, linked } = simulate();
    const { events } = await linked('s1', ALICE);

    const droppedAt = clock.now().getTime();
    network.dropLink('s1', 5_000);
    await clock.advance(10_000);
    const retries = events.states.flatMap((s) =>
      s.state === 'disconnected' ? [{ attempts: s.attempts, inMs: s.retryAt!.getTime() - droppedAt }] : [],
    );
    // Each retry waits twice the last: 1 s, then 2 s, then 4 s after the failure before it.
    expect(retries).toEqual([
      { attempts: 1, inMs: 1_000 },
      { attempts: 2, inMs: 3_000 },
      { attempts: 3, inMs: 7_000 },
    ]);
    expect(lastState(events).state).toBe('connected');

    const droppedAgainAt = clock.now().getTime();
    network.dropLink('s1');
    await clock.advance(0);
    expect(lastState(events)).toMatchObject({ attempts: 1, retryAt: new Date(droppedAgainAt + 1_000) });
  });

  it('rejects sends while disconnected, and holds messages and receipts until the session is back', async () => {
    const { clock, network, linked } = simulate({ latencyMs: 10 });
    const { connection, events } = await linked('s1', ALICE);
    await connection.send(`${BUDI}@s.whatsapp.net`, { kind: 'text', text: 'Halo' }, { messageId: 'M1' });
    await clock.advance(10);

    network.dropLink('s1');
    await expect(
      connection.send(`${BUDI}@s.whatsapp.net`, { kind: 'text', text: 'Lagi' }, { messageId: 'M2' }),
    ).rejects.toThrow('Connection Closed');
    network.phone(BUDI).send('s1', 'Halo juga');
    await clock.advance(500);
    expect(events.receipts.map((r) => r.status)).toEqual(['sent']);
    expect(events.messages).toEqual([]);

    await clock.advance(600);
    expect(lastState(events).state).toBe('connected');
    expect(events.receipts.map((r) => r.status)).toEqual(['sent', 'delivered']);
    expect(events.messages.map((m) => m.text)).toEqual(['Halo juga']);
  });

  it('logs a session out from the phone: logged_out, credentials cleared, a QR on the next connect', async () => {
    const { network, linked, open, clock } = simulate();
    const { events, auth } = await linked('s1', ALICE);

    await network.logOut('s1');
    await clock.advance(120_000);

    expect(lastState(events)).toEqual({ state: 'logged_out', reason: 'unlinked from the phone' });
    expect(stateNames(events).filter((s) => s === 'connecting')).toHaveLength(1);
    expect(auth.rows.size).toBe(0);
    expect((await open('s1', auth)).events.states.map((s) => s.state)).toEqual(['connecting', 'qr']);
  });

  it('reports replaced when another client takes the session, keeps credentials and does not reconnect', async () => {
    const { network, linked, clock } = simulate();
    const { events, auth } = await linked('s1', ALICE);

    network.replace('s1');
    await clock.advance(120_000);

    expect(lastState(events)).toEqual({ state: 'replaced', reason: 'another client took over the session' });
    expect(auth.rows.size).toBeGreaterThan(0);
  });

  it('replaces an older live connection when the same session connects again', async () => {
    const { linked, open } = simulate();
    const first = await linked('s1', ALICE);

    const second = await open('s1', memoryAuthStore(first.auth.rows));

    expect(lastState(first.events).state).toBe('replaced');
    expect(lastState(second.events).state).toBe('connected');
  });

  it('makes sends on a slow link take that long on the clock', async () => {
    const { clock, network, linked } = simulate();
    const { connection } = await linked('s1', ALICE);
    network.slowLink('s1', 5_000);

    let done = false;
    const sending = connection
      .send(`${BUDI}@s.whatsapp.net`, { kind: 'text', text: 'Halo' }, { messageId: 'M1' })
      .then(() => (done = true));
    await clock.advance(4_999);
    expect(done).toBe(false);
    await clock.advance(1);
    await sending;

    expect(network.sent).toHaveLength(1);
  });

  it('rejects sends with the given reason until refusal is lifted', async () => {
    const { network, linked } = simulate();
    const { connection } = await linked('s1', ALICE);

    network.refuseSends('s1', 'rate-overlimit');
    await expect(
      connection.send(`${BUDI}@s.whatsapp.net`, { kind: 'text', text: 'Halo' }, { messageId: 'M1' }),
    ).rejects.toThrow('rate-overlimit');
    network.refuseSends('s1', null);
    await connection.send(`${BUDI}@s.whatsapp.net`, { kind: 'text', text: 'Halo' }, { messageId: 'M2' });

    expect(network.sent.map((s) => s.messageId)).toEqual(['M2']);
  });

  it('logs out every session of a banned phone, clears their credentials and lets it link no more', async () => {
    const { network, linked, open, settle } = simulate();
    const { events, auth } = await linked('s1', ALICE);
    const credentials = new Map(auth.rows);

    await network.ban(ALICE);
    await settle();
    expect(lastState(events)).toEqual({ state: 'logged_out', reason: 'banned' });
    expect(auth.rows.size).toBe(0);

    const resumed = await open('s2', memoryAuthStore(new Map(credentials)));
    expect(lastState(resumed.events)).toEqual({ state: 'logged_out', reason: 'banned' });
    const fresh = await open('s3');
    await expect(network.phone(ALICE).scanQr((lastState(fresh.events) as { qr: string }).qr)).rejects.toThrow(/banned/);
    expect(network.phone(ALICE).banned).toBe(true);
  });

  it('logs out through connection.logout: logged_out and credentials cleared', async () => {
    const { linked, settle } = simulate();
    const { connection, events, auth } = await linked('s1', ALICE);

    await connection.logout();
    await settle();

    expect(lastState(events)).toEqual({ state: 'logged_out', reason: 'logged out' });
    expect(auth.rows.size).toBe(0);
  });

  it('reports nothing after close, and gives the next connection what arrived meanwhile', async () => {
    const { network, linked, open, settle } = simulate();
    const { connection, events, auth } = await linked('s1', ALICE);
    const seen = events.log.length;

    await connection.close();
    network.phone(BUDI).send('s1', 'Halo');
    await settle();
    expect(events.log).toHaveLength(seen);
    expect(network.sessions()).toEqual([{ sessionId: 's1', phone: ALICE, state: 'closed' }]);

    const again = await open('s1', auth);
    expect(again.events.messages.map((m) => m.text)).toEqual(['Halo']);
  });

  it('names the unknown session when a fault targets one', () => {
    const { network } = simulate();

    expect(() => network.dropLink('nope')).toThrow(/nope/);
  });
});

describe('SimulatedNetwork determinism', () => {
  async function scenario(seed: number): Promise<{ log: string[]; network: SimulatedNetwork }> {
    const { clock, network, open, settle } = simulate({ seed, latencyMs: 50 });
    const group = network.createGroup({ subject: 'Tim', owner: BUDI, participants: [ALICE, CITRA] });
    const { connection, events } = await open('s1');
    await clock.advance(60_000);
    await network.phone(ALICE).scanQr((lastState(events) as { qr: string }).qr);
    await settle();
    for (let i = 0; i < 3; i++) {
      await connection.send(
        `${BUDI}@s.whatsapp.net`,
        { kind: 'text', text: `pesan ${i}` },
        { messageId: connection.newMessageId() },
      );
    }
    network.phone(BUDI).send(group.jid, 'Halo tim');
    await clock.advance(1_000);
    network.phone(BUDI).read(network.sent[1].messageId);
    await clock.advance(1_000);
    return { log: events.log, network };
  }

  it('produces the same events, ids, QR codes and LIDs for the same seed', async () => {
    const first = await scenario(7);
    const second = await scenario(7);

    expect(second.log).toEqual(first.log);
    expect(second.network.createGroup({ subject: 'Lagi', owner: BUDI, participants: [ALICE] }).jid).toBe(
      first.network.createGroup({ subject: 'Lagi', owner: BUDI, participants: [ALICE] }).jid,
    );
    expect(first.log.length).toBeGreaterThan(10);
  });

  it('gives message ids, group JIDs, QR and pairing codes no earlier start gave, while identities stay: two unseeded networks (a restart) never repeat one', async () => {
    const starts = await Promise.all(
      [1, 2].map(async () => {
        const { network, open, linked } = simulate();
        const { connection } = await linked('s1', ALICE);
        const messageIds = Array.from({ length: 200 }, () => connection.newMessageId());
        const groupJids = Array.from(
          { length: 20 },
          (_, i) => network.createGroup({ subject: `Tim ${i}`, owner: ALICE, participants: [BUDI] }).jid,
        );
        const linking = await open('s2');
        const qr = (lastState(linking.events) as { qr: string }).qr;
        const pairingCode = await linking.connection.requestPairingCode(BUDI);
        return { messageIds, groupJids, qr, pairingCode, lid: network.phone(ALICE).lid };
      }),
    );
    const [first, second] = starts;

    expect(new Set([...first.messageIds, ...second.messageIds]).size).toBe(400);
    expect(new Set([...first.groupJids, ...second.groupJids]).size).toBe(40);
    for (const jid of [...first.groupJids, ...second.groupJids]) expect(jid).toMatch(/^120363[1-9]\d{11}@g\.us$/);
    expect(second.qr).not.toBe(first.qr);
    expect(second.pairingCode).not.toBe(first.pairingCode);
    expect(second.lid).toBe(first.lid);
  });

  it('produces other ids for another seed', async () => {
    const first = await scenario(7);
    const other = await scenario(8);

    expect(other.network.sent.map((s) => s.messageId)).not.toEqual(first.network.sent.map((s) => s.messageId));
    expect(other.network.phone(ALICE).lid).not.toBe(first.network.phone(ALICE).lid);
  });
});
