// A real server process killed with SIGKILL while sending many reactions and polls through the HTTP routes, each
// request with an Idempotency-Key and retried under it after every restart, as a client whose requests were cut
// off does. Counted at the WhatsApp peer (the simulated network, served on loopback so it outlives the servers):
// each reaction and each poll reached it exactly once.
import type { SimulatedNetwork } from '@kirim/core';
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES } from '../support/harness.js';
import { crashRig, linkSession } from './crash-support.js';

const EACH = 100;
const KILL_AFTER = [40, 120];
const SESSION_PHONE = '6281200000077';
const CUSTOMER = '6285700000077';
// Each send takes a few milliseconds at the network, so the kills land while the sends are under way.
const SEND_MS = 4;

/** What reached the network from the session: each reaction's message (or each poll's chat) → the WhatsApp ids. */
function reached(network: SimulatedNetwork, sessionId: string, kind: 'reaction' | 'poll'): Map<string, Set<string>> {
  const by = new Map<string, Set<string>>();
  for (const send of network.sent) {
    if (send.sessionId !== sessionId || send.content.kind !== kind) continue;
    const what = send.content.kind === 'reaction' ? send.content.messageId : send.to;
    by.set(what, (by.get(what) ?? new Set()).add(send.messageId));
  }
  return by;
}

describe.each(DATABASES)('a server killed while sending reactions and polls on %s', (database) => {
  it('sends each reaction and each poll exactly once after restarts and retried requests', async () => {
    const rig = await crashRig(database, { dataDirPrefix: 'kirim-action-crash-' });
    const { network, adminToken } = rig;
    let server = await rig.start();
    try {
      const sessionId = await linkSession(server, network, SESSION_PHONE);
      const customer = network.phone(CUSTOMER);
      const targets = Array.from({ length: EACH }, (_, i) => customer.send(SESSION_PHONE, `pesanan ${i}`));
      await eventually(async () => {
        const page = await server.request('GET', `/api/whatsapp/sessions/${sessionId}/messages?direction=in`);
        return page.body.meta?.total === EACH;
      }, 20_000);
      network.slowLink(sessionId, SEND_MS);

      const recipients = Array.from({ length: EACH }, (_, i) => `62813${String(i).padStart(7, '0')}`);
      const requests = [
        ...targets.map((target, i) => ({
          key: `reaction-${i}`,
          path: `/api/whatsapp/messages/${target}/reaction`,
          body: { emoji: ['👍', '🙏', '❤️'][i % 3] },
        })),
        ...recipients.map((to, i) => ({
          key: `poll-${i}`,
          path: '/api/whatsapp/messages/poll',
          body: { session_id: sessionId, to, question: `Jadwal ${i}?`, options: ['Pagi', 'Sore'] },
        })),
      ];
      /** Sends every request to the running server under its key; a request cut off by a kill answers 0. */
      const sendAll = () =>
        Promise.all(
          requests.map(({ key, path, body }) =>
            fetch(server.url + path, {
              method: 'POST',
              headers: {
                authorization: `Bearer ${adminToken}`,
                'content-type': 'application/json',
                'idempotency-key': key,
              },
              body: JSON.stringify(body),
            }).then(
              (res) => res.status,
              () => 0,
            ),
          ),
        );
      const total = () => reached(network, sessionId, 'reaction').size + reached(network, sessionId, 'poll').size;

      for (const point of KILL_AFTER) {
        const cutOff = sendAll();
        await eventually(() => total() >= point, 30_000, 2);
        await server.kill('SIGKILL');
        await cutOff;
        server = await rig.start();
      }
      const answers = await sendAll();
      expect(answers.filter((status) => status !== 200)).toEqual([]);

      const reactions = reached(network, sessionId, 'reaction');
      const polls = reached(network, sessionId, 'poll');
      const sends = network.sent.filter((s) => s.sessionId === sessionId).length;
      console.log(
        `[action crash ${database}] ${KILL_AFTER.length} kills: ${sends} sends over the wire for ${EACH} reactions and ${EACH} polls`,
      );
      expect([...reactions.values()].filter((ids) => ids.size !== 1)).toEqual([]);
      expect([...polls.values()].filter((ids) => ids.size !== 1)).toEqual([]);
      expect([...reactions.keys()].sort()).toEqual([...targets].sort());
      expect([...polls.keys()].sort()).toEqual(recipients.map((to) => `${to}@s.whatsapp.net`).sort());
    } finally {
      await rig.close();
    }
  }, 120_000);
});
