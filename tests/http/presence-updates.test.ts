import { connectRemoteNetwork, createSimulatedNetwork, type SimulatedNetwork } from '@kirim/core';
import { serveSimulatedNetwork } from '@kirim/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';
import { linkSession, phoneSequence } from '../support/linking.js';
import { recordPublished } from '../support/published-events.js';

// The simulated network in the server's process, and served on loopback as server processes reach it.
const SETUPS = DATABASES.flatMap((database) => [
  [database, 'in process'] as const,
  [database, 'served on loopback'] as const,
]);

describe.each(SETUPS)('presence.update over HTTP on %s (simulated network %s)', (database, where) => {
  let t: TestServer;
  let network: SimulatedNetwork;
  let served: Awaited<ReturnType<typeof serveSimulatedNetwork>> | undefined;
  let published: ReturnType<typeof recordPublished>['published'];
  let events: ReturnType<typeof recordPublished>['events'];
  beforeAll(async () => {
    network = createSimulatedNetwork({ latencyMs: 1 });
    if (where === 'served on loopback') served = await serveSimulatedNetwork(network);
    const transport = served ? connectRemoteNetwork(served.url) : network.transport;
    t = await startTestServer(database, {}, { transport });
    ({ published, events } = recordPublished(t.server.kirim));
  });
  afterAll(async () => {
    await t?.close();
    await served?.close();
  });

  const nextPhone = phoneSequence(where === 'in process' ? '62826' : '62827', database);
  const subscribe = (token: string, id: string, body: unknown) =>
    t.request('POST', `/api/whatsapp/sessions/${id}/presence/subscribe`, { token, body });
  const presences = (id: string) =>
    events.filter((e) => e.type === 'presence.update' && (e.data as { session_id: string }).session_id === id);

  async function linked() {
    const user = await t.createUser();
    const phone = nextPhone();
    return { user, phone, id: await linkSession(t, network, user.token, phone) };
  }

  it("publishes a subscribed contact's availability at once and at each change, with last_seen once they go off line", async () => {
    const { user, id } = await linked();
    const friend = network.phone(nextPhone());
    const res = await subscribe(user.token, id, { to: friend.number });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toEqual({ session_id: id, chat: `${friend.number}@s.whatsapp.net` });
    const jid = `${friend.number}@s.whatsapp.net`;
    const from = { jid, phone: friend.number, lid: null };
    const [now] = await published('presence.update', id);
    expect(now).toEqual({ session_id: id, chat: jid, from, state: 'unavailable', last_seen: null });

    friend.setAvailability('available');
    const [, online] = await published('presence.update', id, 2);
    expect(online).toEqual({ session_id: id, chat: jid, from, state: 'available', last_seen: null });
    friend.setAvailability('unavailable');
    const [, , away] = await published('presence.update', id, 3);
    expect(away).toEqual({
      session_id: id,
      chat: jid,
      from,
      state: 'unavailable',
      last_seen: friend.lastSeen!.toISOString(),
    });
  });

  it("publishes typing, recording and paused in a subscribed contact's chat, and nothing from a contact not subscribed to", async () => {
    const { user, id } = await linked();
    const friend = network.phone(nextPhone());
    const stranger = network.phone(nextPhone());
    expect((await subscribe(user.token, id, { to: friend.number })).status).toBe(200);
    await published('presence.update', id);
    stranger.showChatState(id, 'composing');
    for (const state of ['composing', 'recording', 'paused'] as const) friend.showChatState(id, state);
    const shown = await published('presence.update', id, 4);
    expect(shown.slice(1).map((p) => [p.from.phone, p.state])).toEqual([
      [friend.number, 'composing'],
      [friend.number, 'recording'],
      [friend.number, 'paused'],
    ]);
    expect(presences(id)).toHaveLength(4);
  });

  it('publishes a member typing in a subscribed group, naming the group as the chat and the member as from', async () => {
    const { user, phone, id } = await linked();
    const member = network.phone(nextPhone());
    const group = network.createGroup({ subject: 'Tim', owner: phone, participants: [member.number] });
    const res = await subscribe(user.token, id, { group_id: group.jid });
    expect(res.body.data).toEqual({ session_id: id, chat: group.jid });
    member.showChatState(group.jid, 'composing');
    const [typing] = await published('presence.update', id);
    expect(typing).toEqual({
      session_id: id,
      chat: group.jid,
      from: { jid: member.lid, phone: member.number, lid: member.lid },
      state: 'composing',
      last_seen: null,
    });
  });

  it('subscribes again when the link comes back: WhatsApp forgets subscriptions with the socket', async () => {
    const { user, id } = await linked();
    const friend = network.phone(nextPhone());
    await subscribe(user.token, id, { to: friend.number });
    await published('presence.update', id);
    network.dropLink(id);
    const status = async () => await t.request('GET', `/api/whatsapp/sessions/${id}/status`, { token: user.token });
    await eventually(async () => (await status()).body.data.status === 'connected', 10_000);
    // The new link's subscription is answered with the current availability, then the change follows.
    await published('presence.update', id, 2);
    friend.setAvailability('available');
    const all = await published('presence.update', id, 3);
    expect(all.at(-1)).toMatchObject({ state: 'available', from: { phone: friend.number } });
  });

  it('answers 422 naming to and group_id without a chat, with both, or with bad values, and subscribes to nothing', async () => {
    const { user, id } = await linked();
    const none = await subscribe(user.token, id, {});
    expect(none.status).toBe(422);
    expect(none.body.errors).toEqual({ to: ['to or group_id is required'], group_id: ['to or group_id is required'] });
    const both = await subscribe(user.token, id, { to: nextPhone(), group_id: '120363000001@g.us' });
    expect(Object.keys(both.body.errors).sort()).toEqual(['group_id', 'to']);
    const bad = await subscribe(user.token, id, { to: 'not a phone', group_id: 'nope' });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.errors).sort()).toEqual(['group_id', 'to']);
    const unknown = await subscribe(user.token, id, { to: nextPhone(), colour: 'red' });
    expect(unknown.status).toBe(422);
    expect(Object.keys(unknown.body.errors)).toEqual(['colour']);
  });

  it("answers 404 for another user's session and 503 no_device for a session not connected", async () => {
    const owner = await linked();
    const other = await t.createUser();
    expect((await subscribe(other.token, owner.id, { to: nextPhone() })).status).toBe(404);
    await t.request('DELETE', `/api/whatsapp/sessions/${owner.id}/disconnect`, { token: owner.user.token });
    const res = await subscribe(owner.user.token, owner.id, { to: nextPhone() });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('no_device');
  });
});
