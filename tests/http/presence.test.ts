import { createSimulatedNetwork, type SimulatedNetwork } from '@kirim/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';
import { linkSession, phoneSequence } from '../support/linking.js';

describe.each(DATABASES)('chat presence over HTTP on %s (simulated network)', (database) => {
  let t: TestServer;
  let network: SimulatedNetwork;
  beforeAll(async () => {
    network = createSimulatedNetwork({ latencyMs: 1 });
    t = await startTestServer(database, {}, { transport: network.transport });
  });
  afterAll(async () => {
    await t?.close();
  });

  const nextPhone = phoneSequence('62817', database);
  const showPresence = (token: string, id: string, body: unknown) =>
    t.request('POST', `/api/whatsapp/sessions/${id}/presence`, { token, body });
  const presencesOf = (id: string) => network.presences.filter((p) => p.sessionId === id);

  it('shows composing in the chat of a number, recorded on the network with its JID, and no message is queued', async () => {
    const u = await t.createUser();
    const id = await linkSession(t, network, u.token, nextPhone());
    const to = nextPhone();
    const res = await showPresence(u.token, id, { to, state: 'composing' });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ session_id: id, state: 'composing', chat: `${to}@s.whatsapp.net` });
    expect(presencesOf(id)).toEqual([
      { sessionId: id, state: 'composing', chat: `${to}@s.whatsapp.net`, at: expect.any(Date) },
    ]);
    const history = await t.request('GET', `/api/whatsapp/sessions/${id}/messages`, { token: u.token });
    expect(history.body.meta.total).toBe(0);
  });

  it('shows recording in a group named by group_id', async () => {
    const u = await t.createUser();
    const phone = nextPhone();
    const id = await linkSession(t, network, u.token, phone);
    const group = network.createGroup({ subject: 'Team', owner: phone, participants: [nextPhone()] });
    const res = await showPresence(u.token, id, { group_id: group.jid, state: 'recording' });
    expect(res.status).toBe(200);
    expect(presencesOf(id)).toEqual([{ sessionId: id, state: 'recording', chat: group.jid, at: expect.any(Date) }]);
  });

  it('shows available without a chat', async () => {
    const u = await t.createUser();
    const id = await linkSession(t, network, u.token, nextPhone());
    const res = await showPresence(u.token, id, { state: 'available' });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ session_id: id, state: 'available', chat: null });
    expect(presencesOf(id)).toEqual([{ sessionId: id, state: 'available', chat: null, at: expect.any(Date) }]);
  });

  it('answers 422 naming state for an unknown state, and shows nothing', async () => {
    const u = await t.createUser();
    const id = await linkSession(t, network, u.token, nextPhone());
    const res = await showPresence(u.token, id, { to: nextPhone(), state: 'dancing' });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.errors)).toEqual(['state']);
    expect(presencesOf(id)).toEqual([]);
  });

  it('answers 422 naming to and group_id for a chat state without a chat, and for one with both', async () => {
    const u = await t.createUser();
    const id = await linkSession(t, network, u.token, nextPhone());
    const without = await showPresence(u.token, id, { state: 'paused' });
    expect(without.status).toBe(422);
    expect(without.body.errors).toEqual({
      to: ['to or group_id is required for paused'],
      group_id: ['to or group_id is required for paused'],
    });
    const both = await showPresence(u.token, id, { state: 'composing', to: nextPhone(), group_id: '1203630001@g.us' });
    expect(both.status).toBe(422);
    expect(Object.keys(both.body.errors).sort()).toEqual(['group_id', 'to']);
    expect(presencesOf(id)).toEqual([]);
  });

  it('answers 422 naming to for available with a chat, and every bad field at once', async () => {
    const u = await t.createUser();
    const id = await linkSession(t, network, u.token, nextPhone());
    const withChat = await showPresence(u.token, id, { state: 'unavailable', to: nextPhone() });
    expect(withChat.status).toBe(422);
    expect(Object.keys(withChat.body.errors)).toEqual(['to']);
    const allBad = await showPresence(u.token, id, { state: 'composing', to: 'not a phone', group_id: 'nope' });
    expect(allBad.status).toBe(422);
    expect(Object.keys(allBad.body.errors).sort()).toEqual(['group_id', 'to']);
    const unknown = await showPresence(u.token, id, { state: 'available', mood: 'happy' });
    expect(unknown.status).toBe(422);
    expect(Object.keys(unknown.body.errors)).toEqual(['mood']);
    expect(presencesOf(id)).toEqual([]);
  });

  it("answers 404 for another user's session, and shows nothing", async () => {
    const owner = await t.createUser();
    const other = await t.createUser();
    const id = await linkSession(t, network, owner.token, nextPhone());
    const res = await showPresence(other.token, id, { state: 'available' });
    expect(res.status).toBe(404);
    expect(presencesOf(id)).toEqual([]);
  });

  it('answers 503 no_device, saying so, for a session that is not connected', async () => {
    const u = await t.createUser();
    const id = await linkSession(t, network, u.token, nextPhone());
    await t.request('DELETE', `/api/whatsapp/sessions/${id}/disconnect`, { token: u.token });
    const res = await showPresence(u.token, id, { to: nextPhone(), state: 'composing' });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'no_device', message: expect.stringContaining('not connected') });
    expect(presencesOf(id)).toEqual([]);
  });
});
