// A real server process killed with SIGKILL while webhook deliveries are pending (its receiver is down),
// then restarted: every event reaches the receiver, each marked delivered once in the log.
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES } from '../support/harness.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';
import { crashRig, linkSession } from './crash-support.js';

const MESSAGES = 20;

// Loopback receivers need the operator's flag; retries in milliseconds, and a short attempt time limit
// so that a claim the killed process held in flight runs out within seconds (limit + 30 s margin).
const WEBHOOK_ENV = {
  KIRIM_ALLOW_PRIVATE_URLS: 'true',
  KIRIM_WEBHOOK_RETRY_BASE_MS: '100',
  KIRIM_WEBHOOK_RETRY_MAX_MS: '300',
  KIRIM_WEBHOOK_POLL_MS: '25',
  KIRIM_WEBHOOK_TIMEOUT_MS: '1000',
};

describe.each(DATABASES)('a server killed with webhook deliveries pending on %s', (database) => {
  it('delivers every event after the restart, each marked delivered once', async () => {
    const rig = await crashRig(database, { extraEnv: WEBHOOK_ENV, dataDirPrefix: 'kirim-webhook-crash-' });
    const { network } = rig;
    let receiver = await startWebhookReceiver();
    const port = Number(new URL(receiver.url).port);
    let server = await rig.start();
    try {
      const sessionId = await linkSession(server, network, '6281200000099');
      const webhook = (
        await server.request('POST', '/api/webhooks', { url: receiver.url, events: ['message.received'] })
      ).body.data;
      await receiver.close();

      const customer = network.phone('6285700000001');
      const sent = Array.from({ length: MESSAGES }, (_, i) => customer.send('6281200000099', `pesan ${i}`));
      const deliveries = async () =>
        (await server.request('GET', `/api/webhooks/${webhook.id}/deliveries?per_page=100`)).body.data as any[];
      await eventually(
        async () => {
          const log = await deliveries();
          return log.length === MESSAGES && log.every((d) => d.attempts >= 1 && d.state === 'failed');
        },
        15_000,
        50,
      );
      await server.kill('SIGKILL');

      receiver = await startWebhookReceiver(port);
      server = await rig.start();
      const log = (await eventually(
        async () => {
          const rows = await deliveries();
          return rows.length === MESSAGES && rows.every((d) => d.state === 'delivered') ? rows : undefined;
        },
        60_000,
        100,
      )) as any[];

      const received = receiver.received.map((hook) => JSON.parse(hook.body));
      const messageIds = new Set(received.map((event) => event.data.message_id));
      expect([...messageIds].sort()).toEqual([...sent].sort());
      expect(new Set(receiver.received.map((hook) => hook.headers['webhook-id'])).size).toBe(MESSAGES);
      expect(log.every((d) => d.attempts >= 2 && d.status_code === 204)).toBe(true);
      expect(received.every((event) => event.data.session_id === sessionId)).toBe(true);
    } finally {
      await rig.close();
      await receiver.close();
    }
  }, 120_000);
});
