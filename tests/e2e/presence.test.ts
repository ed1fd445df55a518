// The real path for presence: the reference server's HTTP API drives unmodified Baileys against @kirim/wa-sim, which
// records each presence and chat state the linked device shows, as WhatsApp's server relays them.
import type { SimPhone, WaSim } from '@kirim/wa-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES, type TestServer } from '../support/harness.js';
import { recordPublished } from '../support/published-events.js';
import { QUICK_SENDS } from '../support/quick-sends.js';
import { startServerOverWaSim } from '../support/wa-sim-server.js';

describe.each(DATABASES)('presence over the HTTP API, Baileys and wa-sim on %s', (database) => {
  let sim: WaSim;
  let t: TestServer;
  let me: SimPhone;
  let sessionId: string;
  let published: ReturnType<typeof recordPublished>['published'];
  const suffix = database === 'sqlite' ? '701' : '801';
  beforeAll(async () => {
    ({ sim, t } = await startServerOverWaSim(database, QUICK_SENDS));
    ({ published } = recordPublished(t.server.kirim));
    me = sim.phone(`628120000${suffix}`);
    const status = async () => (await t.request('GET', `/api/whatsapp/sessions/${sessionId}/status`)).body.data;
    sessionId = (await t.request('POST', '/api/whatsapp/sessions', { body: { session_name: 'presence' } })).body.data
      .id;
    await me.scanQr(await eventually(async () => (await status()).qr, 10_000));
    await eventually(async () => (await status()).status === 'connected', 15_000);
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  const shown = (state: string, to: string | null) => me.presences.some((p) => p.state === state && p.to === to);

  it('shows typing, recording and paused in a chat, and the account available, as the route asks', async () => {
    const customer = sim.phone(`628199990${suffix}`);
    const presence = (body: Record<string, unknown>) =>
      t.request('POST', `/api/whatsapp/sessions/${sessionId}/presence`, { body });
    for (const state of ['composing', 'recording', 'paused']) {
      const res = await presence({ to: customer.number, state });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      await eventually(() => shown(state, customer.jid), 5_000);
    }
    expect((await presence({ state: 'available' })).status).toBe(200);
    await eventually(() => shown('available', null), 5_000);
  });

  it('shows typing in each chat before a paced bulk message when the session simulates typing', async () => {
    const settings = await t.request('PATCH', `/api/whatsapp/sessions/${sessionId}/settings`, {
      body: { simulate_typing: true, min_gap_ms: 1200 },
    });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    const customers = [sim.phone(`628199991${suffix}`), sim.phone(`628199992${suffix}`)];
    const job = await t.request('POST', '/api/whatsapp/messages/bulk/text', {
      body: {
        session_id: sessionId,
        contacts: customers.map((c) => c.number),
        message: 'Our shop opens at 9',
        delay: 0,
      },
    });
    expect(job.status, JSON.stringify(job.body)).toBeLessThan(300);
    for (const customer of customers) {
      await customer.waitForMessage((m) => m.text === 'Our shop opens at 9', 20_000);
      // Nothing else shows a chat state to these customers: only simulate_typing, before their message was sent.
      expect(shown('composing', customer.jid), `composing shown to ${customer.number}`).toBe(true);
    }
  });

  it("publishes a subscribed contact's availability, last seen and typing as presence.update", async () => {
    const customer = sim.phone(`628199993${suffix}`);
    const jid = customer.jid;
    const res = await t.request('POST', `/api/whatsapp/sessions/${sessionId}/presence/subscribe`, {
      body: { to: customer.number },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toEqual({ session_id: sessionId, chat: jid });
    const from = { jid, phone: customer.number, lid: null };
    const update = { session_id: sessionId, chat: jid, from, last_seen: null };
    expect((await published('presence.update', sessionId))[0]).toEqual({ ...update, state: 'unavailable' });

    customer.setAvailability('available');
    customer.showChatState(me, 'composing');
    customer.showChatState(me, 'recording');
    customer.showChatState(me, 'paused');
    customer.setAvailability('unavailable');
    const all = await published('presence.update', sessionId, 6);
    expect(all.slice(1, 5)).toEqual(
      ['available', 'composing', 'recording', 'paused'].map((state) => ({ ...update, state })),
    );
    // WhatsApp tells the last seen time in whole seconds.
    const lastSeen = new Date(Math.floor(customer.lastSeen!.getTime() / 1000) * 1000).toISOString();
    expect(all[5]).toEqual({ ...update, state: 'unavailable', last_seen: lastSeen });
  });

  it('publishes a member typing in a subscribed group, with the group as the chat', async () => {
    const member = sim.phone(`628199994${suffix}`);
    const group = sim.createGroup('Pelanggan', member, [me]);
    const res = await t.request('POST', `/api/whatsapp/sessions/${sessionId}/presence/subscribe`, {
      body: { group_id: group.jid },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    member.showChatState(me, 'composing', group);
    const typing = await eventually(async () =>
      (await published('presence.update', sessionId)).find((p) => p.chat === group.jid),
    );
    expect(typing).toMatchObject({
      session_id: sessionId,
      chat: group.jid,
      from: { jid: group.addressOf(member), lid: member.lidJid },
      state: 'composing',
    });
  });
});
