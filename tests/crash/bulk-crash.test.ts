// A real server process killed with SIGKILL at several points of a 2,000-message bulk job, restarted
// each time, then drained: every recipient gets the message exactly once, counted at the WhatsApp peer
// (the simulated network, served on loopback so it outlives the servers).
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES } from '../support/harness.js';
import { crashRig, linkSession, recipientsReached } from './crash-support.js';

const RECIPIENTS = 2000;
const KILL_AFTER = [300, 800, 1300];

describe.each(DATABASES)('a server killed mid bulk job on %s', (database) => {
  it('delivers every message exactly once after restarts', async () => {
    const rig = await crashRig(database);
    const { network } = rig;
    let server = await rig.start();
    try {
      const sessionId = await linkSession(server, network, '6281200000001');
      const recipients = Array.from({ length: RECIPIENTS }, (_, i) => `62813${String(i).padStart(7, '0')}`);
      const job = (
        await server.request('POST', '/api/whatsapp/messages/bulk/text', {
          session_id: sessionId,
          contacts: recipients,
          message: 'Promo {name|Kak}',
          delay: 3,
        })
      ).body.data;
      expect(job.total).toBe(RECIPIENTS);

      for (const point of KILL_AFTER) {
        await eventually(() => recipientsReached(network, sessionId).size >= point, 30_000, 5);
        await server.kill('SIGKILL');
        server = await rig.start();
      }
      const done = await eventually(
        async () => {
          const status = (await server.request('GET', `/api/whatsapp/messages/bulk/${job.job_id}/status`)).body.data;
          return status.status === 'completed' && status;
        },
        60_000,
        100,
      );

      const reached = recipientsReached(network, sessionId);
      const sends = network.sent.filter((s) => s.sessionId === sessionId).length;
      console.log(
        `[crash ${database}] ${KILL_AFTER.length} kills: ${sends} sends over the wire for ${reached.size} recipients (${sends - reached.size} repeated an id already sent)`,
      );
      const repeatedIds = [...reached.values()].filter((ids) => ids.size !== 1);
      expect(repeatedIds).toEqual([]);
      expect(reached.size).toBe(RECIPIENTS);
      expect(done).toMatchObject({ total: RECIPIENTS, sent: RECIPIENTS, failed: 0, pending: 0 });
    } finally {
      await rig.close();
    }
  }, 120_000);
});
