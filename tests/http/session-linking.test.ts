import { createSimulatedNetwork, type SimulatedNetwork } from '@kirim/core';
import { ManualClock } from '@kirim/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';

// The simulated network runs on a clock of the test's: a session stays `connecting` until the test moves it on.
describe.each(DATABASES)("sessions on a simulated network on a clock of the test's, on %s", (database) => {
  let t: TestServer;
  let network: SimulatedNetwork;
  let clock: ManualClock;
  beforeAll(async () => {
    clock = new ManualClock();
    network = createSimulatedNetwork({ clock, latencyMs: 1 });
    t = await startTestServer(database, {}, { transport: network.transport });
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('POST /api/whatsapp/sessions/{id}/pairing-code of a session not waiting to be linked', () => {
    /** The session's status once it reads `status`, moving the network's time on a millisecond at a time. */
    async function reaches(token: string, id: string, status: string) {
      return eventually(async () => {
        await clock.advance(1);
        const res = await t.request('GET', `/api/whatsapp/sessions/${id}/status`, { token });
        return res.body.data.status === status && res.body.data;
      });
    }

    const askCode = (token: string, id: string) =>
      t.request('POST', `/api/whatsapp/sessions/${id}/pairing-code`, { token, body: { phone: '081200000020' } });

    it('answers 409 saying the session is connecting for a session just created, where it answered 500, and gives a code once it shows a QR', async () => {
      const u = await t.createUser();
      const id = (
        await t.request('POST', '/api/whatsapp/sessions', { token: u.token, body: { session_name: 'fresh' } })
      ).body.data.id;
      const early = await askCode(u.token, id);
      expect(early.status).toBe(409);
      expect(early.body).toMatchObject({
        success: false,
        code: 'conflict',
        session_status: 'connecting',
        message: expect.stringMatching(/^The session is connecting/),
      });
      await reaches(u.token, id, 'qr');
      const code = await askCode(u.token, id);
      expect(code.status).toBe(200);
      expect(code.body.data.pairing_code).toMatch(/^[A-Z0-9]{8}$/);
    });

    it('answers 409 saying the session is connected, disconnected, then connecting again after disconnect and connect, where it answered 500', async () => {
      const u = await t.createUser();
      const id = (
        await t.request('POST', '/api/whatsapp/sessions', { token: u.token, body: { session_name: 'linked' } })
      ).body.data.id;
      const { qr } = await reaches(u.token, id, 'qr');
      await network.phone('6281200000021').scanQr(qr);
      await reaches(u.token, id, 'connected');
      expect((await askCode(u.token, id)).body).toMatchObject({
        code: 'conflict',
        session_status: 'connected',
        message: expect.stringMatching(/^The session is connected/),
      });

      await t.request('DELETE', `/api/whatsapp/sessions/${id}/disconnect`, { token: u.token });
      const down = await askCode(u.token, id);
      expect(down.status).toBe(409);
      expect(down.body).toMatchObject({
        session_status: 'disconnected',
        message: expect.stringMatching(/^The session is disconnected; connect it/),
      });

      expect(
        (await t.request('POST', `/api/whatsapp/sessions/${id}/connect`, { token: u.token })).body.data.status,
      ).toBe('connecting');
      const resuming = await askCode(u.token, id);
      expect(resuming.status).toBe(409);
      expect(resuming.body).toMatchObject({ session_status: 'connecting' });
      await reaches(u.token, id, 'connected');
    });

    it('answers 409 saying the session is logged out after the phone unlinks it', async () => {
      const u = await t.createUser();
      const id = (
        await t.request('POST', '/api/whatsapp/sessions', { token: u.token, body: { session_name: 'unlinked' } })
      ).body.data.id;
      const { qr } = await reaches(u.token, id, 'qr');
      await network.phone('6281200000022').scanQr(qr);
      await reaches(u.token, id, 'connected');
      await network.logOut(id);
      await reaches(u.token, id, 'logged_out');
      const res = await askCode(u.token, id);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({
        session_status: 'logged_out',
        message: expect.stringMatching(/^The session is logged out/),
      });
    });
  });

  // The network schedules its retries on the test's clock, the engine reads the wall clock: what a session shows
  // must be the transport's own count and time, not the engine's second count and guess.
  describe("a dropped session's retries", () => {
    const status = async (token: string, id: string) =>
      (await t.request('GET', `/api/whatsapp/sessions/${id}/status`, { token })).body.data;

    it('stores the reconnect attempts and next retry time the transport scheduled, where the engine counted the attempts again and timed them by its own clock', async () => {
      const u = await t.createUser();
      const id = (
        await t.request('POST', '/api/whatsapp/sessions', { token: u.token, body: { session_name: 'dropped' } })
      ).body.data.id;
      const { qr } = await eventually(async () => {
        await clock.advance(1);
        const s = await status(u.token, id);
        return s.status === 'qr' && s;
      });
      await network.phone('6281200000023').scanQr(qr);
      await eventually(async () => (await status(u.token, id)).status === 'connected');
      const announced: Array<{ reconnect_attempts: number; next_retry_at: string | null }> = [];
      t.server.kirim.on('session.status', (e) => {
        if (e.data.session_id === id && e.data.status === 'disconnected') announced.push(e.data);
      });

      const droppedAt = clock.now().getTime();
      network.dropLink(id, 5_000);
      const first = await eventually(async () => {
        const s = await status(u.token, id);
        return s.status === 'disconnected' && s;
      });
      expect(first).toMatchObject({
        reason: 'connection lost',
        reconnect_attempts: 1,
        next_retry_at: new Date(droppedAt + 1_000).toISOString(),
      });

      // The retry is due: it connects (one hop of latency), finds the network still down, and waits twice as long.
      await clock.advance(1_000);
      await clock.advance(1);
      const second = await eventually(async () => {
        const s = await status(u.token, id);
        return s.status === 'disconnected' && s.reconnect_attempts === 2 && s;
      });
      expect(second.next_retry_at).toBe(new Date(droppedAt + 1_001 + 2_000).toISOString());
      await eventually(() => announced.length === 2);
      expect(announced.map((e) => [e.reconnect_attempts, e.next_retry_at])).toEqual([
        [1, first.next_retry_at],
        [2, second.next_retry_at],
      ]);
    });
  });
});
