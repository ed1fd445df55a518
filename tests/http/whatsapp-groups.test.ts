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

describe.each(SETUPS)('WhatsApp groups run live through a session, on %s (simulated network %s)', (database, where) => {
  let t: TestServer;
  let network: SimulatedNetwork;
  let served: Awaited<ReturnType<typeof serveSimulatedNetwork>> | undefined;
  let published: ReturnType<typeof recordPublished>['published'];
  beforeAll(async () => {
    network = createSimulatedNetwork({ latencyMs: 1 });
    if (where === 'served on loopback') served = await serveSimulatedNetwork(network);
    const transport = served ? connectRemoteNetwork(served.url) : network.transport;
    t = await startTestServer(database, {}, { transport });
    ({ published } = recordPublished(t.server.kirim));
  });
  afterAll(async () => {
    await t?.close();
    await served?.close();
  });

  const nextPhone = phoneSequence(where === 'in process' ? '62819' : '62829', database);
  const groupsOf = (id: string) => `/api/whatsapp/sessions/${id}/groups`;
  /** A request to each route of one group (its path given), as `token`. */
  const groupRoutes = (token: string, group: string) => [
    t.request('GET', group, { token }),
    t.request('PATCH', group, { token, body: { subject: 'Direbut' } }),
    t.request('POST', `${group}/participants`, { token, body: { action: 'add', participants: [nextPhone()] } }),
    t.request('GET', `${group}/invite-link`, { token }),
    t.request('DELETE', `${group}/invite-link`, { token }),
    t.request('POST', `${group}/leave`, { token }),
  ];
  /** A request to each group route of a session: create, then those of the group. */
  const everyRoute = (token: string, sessionId: string, groupId: string) => [
    t.request('POST', groupsOf(sessionId), { token, body: { subject: 'A', participants: [nextPhone()] } }),
    ...groupRoutes(token, `${groupsOf(sessionId)}/${groupId}`),
  ];

  /** A user with a linked session, and a group its phone created with two members. */
  async function withGroup() {
    const user = await t.createUser();
    const phone = nextPhone();
    const sessionId = await linkSession(t, network, user.token, phone);
    const members = [nextPhone(), nextPhone()];
    const group = network.createGroup({ subject: 'Tim Promo', owner: phone, participants: members });
    return { user, token: user.token, sessionId, phone, members, groupId: group.jid };
  }

  it('creates a group with a result per participant: ok, and not_on_whatsapp for a number not on WhatsApp', async () => {
    const user = await t.createUser();
    const phone = nextPhone();
    const sessionId = await linkSession(t, network, user.token, phone);
    const member = nextPhone();
    const absent = nextPhone();
    network.phone(absent, { onWhatsApp: false });
    const res = await t.request('POST', groupsOf(sessionId), {
      token: user.token,
      body: { subject: 'Pelanggan VIP', participants: [member, absent] },
    });
    expect(res.status).toBe(201);
    expect(res.body.data).toEqual({
      group_id: expect.stringMatching(/^\d+@g\.us$/),
      subject: 'Pelanggan VIP',
      participants: [
        { phone: member, result: 'ok' },
        { phone: absent, result: 'not_on_whatsapp' },
      ],
    });
    const meta = await t.request('GET', `${groupsOf(sessionId)}/${res.body.data.group_id}`, { token: user.token });
    expect(meta.body.data.participants.map((p: any) => [p.phone, p.role])).toEqual([
      [phone, 'superadmin'],
      [member, 'member'],
    ]);
  });

  it('answers live metadata: subject, description, owner, participants with roles, settings, created_at', async () => {
    const { token, sessionId, phone, members, groupId } = await withGroup();
    const res = await t.request('GET', `${groupsOf(sessionId)}/${encodeURIComponent(groupId)}`, { token });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      group_id: groupId,
      subject: 'Tim Promo',
      description: null,
      owner: `${phone}@s.whatsapp.net`,
      participants: [phone, ...members].map((p, i) => ({
        jid: `${p}@s.whatsapp.net`,
        phone: p,
        lid: network.phone(p).lid,
        role: i === 0 ? 'superadmin' : 'member',
      })),
      announce_only: false,
      locked: false,
      created_at: expect.any(String),
    });
  });

  it('changes subject, description and settings, answers the metadata after, and publishes group.update for each', async () => {
    const { token, sessionId, groupId } = await withGroup();
    const res = await t.request('PATCH', `${groupsOf(sessionId)}/${groupId}`, {
      token,
      body: { subject: 'Tim Promo 2026', description: 'Diskon tiap Jumat', announce_only: true, locked: true },
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      subject: 'Tim Promo 2026',
      description: 'Diskon tiap Jumat',
      announce_only: true,
      locked: true,
    });
    const updates = await published('group.update', sessionId, 4);
    const merged = Object.assign({}, ...updates.map(({ author: _a, ...fields }: any) => fields));
    expect(merged).toEqual({
      session_id: sessionId,
      group_id: groupId,
      subject: 'Tim Promo 2026',
      description: 'Diskon tiap Jumat',
      announce_only: true,
      locked: true,
    });
  });

  it('adds, promotes, demotes and removes with a result per participant: already_member, not_on_whatsapp, not_member', async () => {
    const { token, sessionId, phone, members, groupId } = await withGroup();
    const newcomer = nextPhone();
    const absent = nextPhone();
    network.phone(absent, { onWhatsApp: false });
    const act = (action: string, participants: string[]) =>
      t.request('POST', `${groupsOf(sessionId)}/${groupId}/participants`, { token, body: { action, participants } });

    const added = await act('add', [newcomer, members[0]!, absent]);
    expect(added.status).toBe(200);
    expect(added.body.data).toEqual({
      group_id: groupId,
      action: 'add',
      participants: [
        { phone: newcomer, result: 'ok' },
        { phone: members[0], result: 'already_member' },
        { phone: absent, result: 'not_on_whatsapp' },
      ],
    });
    expect((await act('promote', [newcomer])).body.data.participants).toEqual([{ phone: newcomer, result: 'ok' }]);
    expect((await act('demote', [newcomer])).body.data.participants).toEqual([{ phone: newcomer, result: 'ok' }]);
    const removed = await act('remove', [members[1]!, absent]);
    expect(removed.body.data.participants).toEqual([
      { phone: members[1], result: 'ok' },
      { phone: absent, result: 'not_member' },
    ]);
    const changes = await published('group.participants', sessionId, 4);
    expect(changes.map((c: any) => [c.action, c.participants.map((p: any) => p.phone)])).toEqual([
      ['add', [newcomer]],
      ['promote', [newcomer]],
      ['demote', [newcomer]],
      ['remove', [members[1]]],
    ]);
    expect(changes[0]).toMatchObject({
      group_id: groupId,
      author: { jid: `${phone}@s.whatsapp.net`, phone, lid: network.phone(phone).lid },
      participants: [{ jid: `${newcomer}@s.whatsapp.net`, phone: newcomer, lid: network.phone(newcomer).lid }],
    });
  });

  it('answers not_authorized for each participant when the session is not an admin', async () => {
    const user = await t.createUser();
    const phone = nextPhone();
    const sessionId = await linkSession(t, network, user.token, phone);
    const owner = nextPhone();
    const group = network.createGroup({ subject: 'Bukan admin', owner, participants: [phone] });
    const res = await t.request('POST', `${groupsOf(sessionId)}/${group.jid}/participants`, {
      token: user.token,
      body: { action: 'add', participants: [nextPhone()] },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.participants).toEqual([{ phone: expect.any(String), result: 'not_authorized' }]);
  });

  it('keeps a saved group current with group events: members, admins, subject and description', async () => {
    const { token, sessionId, phone, members, groupId } = await withGroup();
    const sync = await t.request('POST', '/api/whatsapp/groups/sync', { token, body: { session_id: sessionId } });
    expect(sync.status).toBe(200);
    const newcomer = nextPhone();
    const act = (action: string, participants: string[]) =>
      t.request('POST', `${groupsOf(sessionId)}/${groupId}/participants`, { token, body: { action, participants } });
    await act('add', [newcomer]);
    await act('promote', [newcomer]);
    await act('remove', [members[0]!]);
    await t.request('PATCH', `${groupsOf(sessionId)}/${groupId}`, {
      token,
      body: { subject: 'Nama baru', description: 'Aturan grup' },
    });
    const saved = await eventually(async () => {
      const list = await t.request('GET', `/api/whatsapp/groups/device?session_id=${sessionId}`, { token });
      const group = list.body.data.find((g: any) => g.jid === groupId);
      return group?.description === 'Aturan grup' && group;
    });
    expect(saved).toMatchObject({ subject: 'Nama baru', description: 'Aturan grup', participants_count: 3 });
    expect(saved.participants.map((p: any) => [p.phone, p.admin])).toEqual([
      [phone, true],
      [members[1], false],
      [newcomer, true],
    ]);
  });

  it("publishes other members' changes with them as author, and keeps the saved group current", async () => {
    const { token, sessionId, phone, members, groupId } = await withGroup();
    await t.request('POST', '/api/whatsapp/groups/sync', { token, body: { session_id: sessionId } });
    const [leaver, renamer] = members as [string, string];
    network.changeGroup(groupId, leaver, { leave: true });
    network.changeGroup(groupId, renamer, { subject: 'Dari anggota' });
    const peer = (number: string) => ({
      jid: `${number}@s.whatsapp.net`,
      phone: number,
      lid: network.phone(number).lid,
    });
    expect(await published('group.participants', sessionId)).toEqual([
      {
        session_id: sessionId,
        group_id: groupId,
        author: peer(leaver),
        action: 'remove',
        participants: [peer(leaver)],
      },
    ]);
    expect(await published('group.update', sessionId)).toEqual([
      { session_id: sessionId, group_id: groupId, author: peer(renamer), subject: 'Dari anggota' },
    ]);
    const saved = await eventually(async () => {
      const list = await t.request('GET', `/api/whatsapp/groups/device?session_id=${sessionId}`, { token });
      const group = list.body.data.find((g: any) => g.jid === groupId);
      return group?.subject === 'Dari anggota' && group;
    });
    expect(saved.participants.map((p: any) => p.phone)).toEqual([phone, renamer]);
  });

  it('gets the invite link, and revoking it answers a new one', async () => {
    const { token, sessionId, groupId } = await withGroup();
    const link = `${groupsOf(sessionId)}/${groupId}/invite-link`;
    const first = await t.request('GET', link, { token });
    expect(first.status).toBe(200);
    expect(first.body.data).toEqual({
      group_id: groupId,
      invite_code: expect.any(String),
      invite_link: `https://chat.whatsapp.com/${first.body.data.invite_code}`,
    });
    expect((await t.request('GET', link, { token })).body.data.invite_code).toBe(first.body.data.invite_code);
    const revoked = await t.request('DELETE', link, { token });
    expect(revoked.status).toBe(200);
    expect(revoked.body.data.invite_code).not.toBe(first.body.data.invite_code);
    expect((await t.request('GET', link, { token })).body.data.invite_code).toBe(revoked.body.data.invite_code);
  });

  it('leaves a group: group.participants says the session removed itself, and the group is no longer listed', async () => {
    const { token, sessionId, phone, groupId } = await withGroup();
    const res = await t.request('POST', `${groupsOf(sessionId)}/${groupId}/leave`, { token });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ group_id: groupId, left: true });
    const [left] = await published('group.participants', sessionId);
    expect(left).toMatchObject({ group_id: groupId, action: 'remove', participants: [{ phone }] });
    const live = await t.request('GET', groupsOf(sessionId), { token });
    expect(live.body.data.map((g: any) => g.jid)).not.toContain(groupId);
    expect((await t.request('GET', `${groupsOf(sessionId)}/${groupId}`, { token })).status).toBe(403);
  });

  it("answers 404, not a 500, for a group that does not exist: WhatsApp's refusal is carried over loopback too", async () => {
    const { token, sessionId } = await withGroup();
    const res = await t.request('GET', `${groupsOf(sessionId)}/120363000000000000@g.us`, { token });
    expect(res.status).toBe(404);
  });

  it('answers 422 naming groupId for a group id that is not a group JID, on every route', async () => {
    const { token, sessionId } = await withGroup();
    const bad = `${groupsOf(sessionId)}/6281234567890@s.whatsapp.net`;
    for (const res of await Promise.all(groupRoutes(token, bad))) {
      expect(res.status).toBe(422);
      expect(Object.keys(res.body.errors)).toContain('groupId');
    }
  });

  it('answers 422 naming groupId and the bad fields of the body together, not groupId alone', async () => {
    const { token, sessionId } = await withGroup();
    const bad = `${groupsOf(sessionId)}/not-a-group`;
    const patch = await t.request('PATCH', bad, { token, body: { announce_only: 'yes' } });
    expect(patch.status).toBe(422);
    expect(Object.keys(patch.body.errors).sort()).toEqual(['announce_only', 'groupId']);
    const act = await t.request('POST', `${bad}/participants`, { token, body: { action: 'kick', participants: [] } });
    expect(Object.keys(act.body.errors).sort()).toEqual(['action', 'groupId', 'participants']);
  });

  it('answers 422 naming every bad field: subject and participants on create, action on participants, an empty change', async () => {
    const { token, sessionId, groupId } = await withGroup();
    const create = await t.request('POST', groupsOf(sessionId), { token, body: { subject: '', participants: ['x'] } });
    expect(create.status).toBe(422);
    expect(Object.keys(create.body.errors).sort()).toEqual(['participants.0', 'subject']);
    const none = await t.request('POST', groupsOf(sessionId), { token, body: { subject: 'A', participants: [] } });
    expect(Object.keys(none.body.errors)).toEqual(['participants']);
    const act = await t.request('POST', `${groupsOf(sessionId)}/${groupId}/participants`, {
      token,
      body: { action: 'kick', participants: [nextPhone()] },
    });
    expect(act.status).toBe(422);
    expect(Object.keys(act.body.errors)).toEqual(['action']);
    const empty = await t.request('PATCH', `${groupsOf(sessionId)}/${groupId}`, { token, body: {} });
    expect(empty.status).toBe(422);
    expect(empty.body.errors).toEqual({ body: ['give at least one of subject, description, announce_only, locked'] });
    const wrongType = await t.request('PATCH', `${groupsOf(sessionId)}/${groupId}`, {
      token,
      body: { announce_only: 'yes', locked: 1 },
    });
    expect(Object.keys(wrongType.body.errors).sort()).toEqual(['announce_only', 'locked']);
  });

  it("answers 404 for another user's session on every route, and changes nothing", async () => {
    const { token: ownerToken, sessionId, groupId } = await withGroup();
    const other = await t.createUser();
    const answers = await Promise.all(everyRoute(other.token, sessionId, groupId));
    expect(answers.map((res) => res.status)).toEqual([404, 404, 404, 404, 404, 404, 404]);
    const meta = await t.request('GET', `${groupsOf(sessionId)}/${groupId}`, { token: ownerToken });
    expect(meta.body.data).toMatchObject({ subject: 'Tim Promo' });
    expect(meta.body.data.participants).toHaveLength(3);
  });

  it('answers 503 no_device on every route for a session that is not connected', async () => {
    const { token, sessionId, groupId } = await withGroup();
    await t.request('DELETE', `/api/whatsapp/sessions/${sessionId}/disconnect`, { token });
    for (const res of await Promise.all(everyRoute(token, sessionId, groupId))) {
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('no_device');
    }
  });
});
