// WhatsApp's 15-minute edit window over the HTTP API: the server runs on a clock the test can move forward (the
// wall clock plus a skew), so "16 minutes later" needs no waiting.
import { createSimulatedNetwork, systemClock, type Clock, type SimulatedNetwork } from '@kirim/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';
import { linkSession, phoneSequence } from '../support/linking.js';
import { QUICK_SENDS } from '../support/quick-sends.js';

describe.each(DATABASES)(
  "the edit window over HTTP on %s (simulated network, the server's clock moved)",
  (database) => {
    let t: TestServer;
    let network: SimulatedNetwork;
    let skewMs = 0;
    const clock: Clock = { now: () => new Date(Date.now() + skewMs), sleep: systemClock.sleep };
    beforeAll(async () => {
      network = createSimulatedNetwork({ latencyMs: 1 });
      t = await startTestServer(database, QUICK_SENDS, { transport: network.transport, clock });
    });
    afterAll(async () => {
      await t?.close();
    });
    const nextPhone = phoneSequence('62816', database);

    it('answers 422 edit_window_closed naming message_id for an edit 16 minutes after the message was sent, and sends nothing', async () => {
      const u = await t.createUser();
      const sessionId = await linkSession(t, network, u.token, nextPhone());
      const sent = await t.request('POST', '/api/whatsapp/messages/text', {
        token: u.token,
        body: { session_id: sessionId, to: nextPhone(), message: 'Total: Rp 50.000' },
      });
      expect(sent.status).toBe(200);
      skewMs = 16 * 60_000;
      const edit = await t.request('PATCH', `/api/whatsapp/messages/${sent.body.data.message_id}`, {
        token: u.token,
        body: { message: 'Total: Rp 5.000' },
      });
      expect(edit.status).toBe(422);
      expect(edit.body.code).toBe('edit_window_closed');
      expect(Object.keys(edit.body.errors)).toEqual(['message_id']);
      expect(network.sent.filter((s) => s.sessionId === sessionId && s.kind === 'edit')).toEqual([]);
    });
  },
);
