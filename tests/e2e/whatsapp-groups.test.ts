// The real path for groups: the reference server's HTTP API drives unmodified Baileys against @kirim/wa-sim, which
// keeps the groups, answers each group query as WhatsApp does, and notifies the members' devices of each change.
import { leaveGroup, renameGroup, type WaSim } from '@kirim/wa-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES, type TestServer } from '../support/harness.js';
import { recordPublished } from '../support/published-events.js';
import { startServerOverWaSim } from '../support/wa-sim-server.js';

describe.each(DATABASES)('groups over the HTTP API, Baileys and wa-sim on %s', (database) => {
  let sim: WaSim;
  let t: TestServer;
  let events: ReturnType<typeof recordPublished>;
  beforeAll(async () => {
    ({ sim, t } = await startServerOverWaSim(database));
    events = recordPublished(t.server.kirim);
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  const suffix = database === 'sqlite' ? '312' : '412';
  const status = async (id: string) => (await t.request('GET', `/api/whatsapp/sessions/${id}/status`)).body.data;
  const published = (type: string, sessionId: string, count = 1) => events.published(type, sessionId, count, 10_000);
  /** A session linked to its phone over QR. */
  async function linked(number: string) {
    const phone = sim.phone(number);
    const id = (await t.request('POST', '/api/whatsapp/sessions', { body: { session_name: 'groups' } })).body.data.id;
    await phone.scanQr(await eventually(async () => (await status(id)).qr, 10_000));
    await eventually(async () => (await status(id)).status === 'connected', 15_000);
    return { id, phone };
  }

  it('creates a group, reads, changes, adds/promotes/demotes/removes, gets and revokes its link, and leaves it', async () => {
    const { id, phone } = await linked(`628130000${suffix}`);
    const ani = sim.phone(`628131110${suffix}`);
    const budi = sim.phone(`628131111${suffix}`);
    // Never seen by the network: not on WhatsApp.
    const stranger = `628131119${suffix}`;
    const base = `/api/whatsapp/sessions/${id}/groups`;

    const created = await t.request('POST', base, {
      body: { subject: 'Reseller', participants: [ani.number, stranger] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.data.participants).toEqual([
      { phone: ani.number, result: 'ok' },
      { phone: stranger, result: 'not_on_whatsapp' },
    ]);
    const groupId = created.body.data.group_id as string;
    const group = sim.group(groupId)!;
    expect([...group.members.keys()].sort()).toEqual([ani.number, phone.number].sort());

    const meta = await t.request('GET', `${base}/${encodeURIComponent(groupId)}`);
    expect(meta.status).toBe(200);
    expect(meta.body.data).toMatchObject({
      group_id: groupId,
      subject: 'Reseller',
      announce_only: false,
      locked: false,
    });
    expect(meta.body.data.participants.map((p: any) => [p.phone, p.role]).sort()).toEqual(
      [
        [phone.number, 'superadmin'],
        [ani.number, 'member'],
      ].sort(),
    );

    const patched = await t.request('PATCH', `${base}/${groupId}`, {
      body: { subject: 'Reseller Jatim', description: 'Stok tiap Senin', announce_only: true, locked: true },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.data).toMatchObject({
      subject: 'Reseller Jatim',
      description: 'Stok tiap Senin',
      announce_only: true,
      locked: true,
    });
    expect(group).toMatchObject({ subject: 'Reseller Jatim', description: 'Stok tiap Senin', announceOnly: true });
    const updates = await published('group.update', id, 4);
    expect(Object.assign({}, ...updates.map(({ author: _a, ...fields }: any) => fields))).toEqual({
      session_id: id,
      group_id: groupId,
      subject: 'Reseller Jatim',
      description: 'Stok tiap Senin',
      announce_only: true,
      locked: true,
    });

    const act = (action: string, participants: string[]) =>
      t.request('POST', `${base}/${groupId}/participants`, { body: { action, participants } });
    const added = await act('add', [budi.number, ani.number, stranger]);
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body.data.participants).toEqual([
      { phone: budi.number, result: 'ok' },
      { phone: ani.number, result: 'already_member' },
      { phone: stranger, result: 'not_on_whatsapp' },
    ]);
    expect((await act('promote', [budi.number])).body.data.participants).toEqual([
      { phone: budi.number, result: 'ok' },
    ]);
    expect(group.members.get(budi.number)?.admin).toBe('admin');
    expect((await act('demote', [budi.number])).body.data.participants).toEqual([{ phone: budi.number, result: 'ok' }]);
    const removed = await act('remove', [ani.number, stranger]);
    expect(removed.body.data.participants).toEqual([
      { phone: ani.number, result: 'ok' },
      { phone: stranger, result: 'not_member' },
    ]);
    expect(group.has(ani)).toBe(false);
    const changes = await published('group.participants', id, 4);
    expect(changes.map((c: any) => [c.action, c.participants.map((p: any) => p.phone)])).toEqual([
      ['add', [budi.number]],
      ['promote', [budi.number]],
      ['demote', [budi.number]],
      ['remove', [ani.number]],
    ]);

    const link = await t.request('GET', `${base}/${groupId}/invite-link`);
    expect(link.status).toBe(200);
    expect(link.body.data).toEqual({
      group_id: groupId,
      invite_code: group.inviteCode,
      invite_link: `https://chat.whatsapp.com/${group.inviteCode}`,
    });
    const revoked = await t.request('DELETE', `${base}/${groupId}/invite-link`);
    expect(revoked.body.data.invite_code).toBe(group.inviteCode);
    expect(revoked.body.data.invite_code).not.toBe(link.body.data.invite_code);

    const left = await t.request('POST', `${base}/${groupId}/leave`);
    expect(left.status).toBe(200);
    expect(group.has(phone)).toBe(false);
    const [, , , , leave] = await published('group.participants', id, 5);
    expect(leave).toMatchObject({ group_id: groupId, action: 'remove', participants: [{ phone: phone.number }] });
  });

  it("publishes other members' changes with them as author, and keeps the saved group current", async () => {
    const { id, phone } = await linked(`628130002${suffix}`);
    const ani = sim.phone(`628133330${suffix}`);
    const budi = sim.phone(`628133331${suffix}`);
    const group = sim.createGroup('Komunitas', ani, [phone, budi]);
    const sync = await t.request('POST', '/api/whatsapp/groups/sync', { body: { session_id: id } });
    expect(sync.body.data).toMatchObject({ added: 1 });

    // Two changes milliseconds apart: each is published, in order.
    leaveGroup(budi, group);
    renameGroup(ani, group, 'Komunitas Baru');
    const [left] = await published('group.participants', id);
    expect(left).toEqual({
      session_id: id,
      group_id: group.jid,
      author: { jid: budi.lidJid, phone: budi.number, lid: budi.lidJid },
      action: 'remove',
      participants: [{ jid: budi.lidJid, phone: budi.number, lid: budi.lidJid }],
    });
    const [renamed] = await published('group.update', id);
    expect(renamed).toEqual({
      session_id: id,
      group_id: group.jid,
      author: { jid: ani.lidJid, phone: ani.number, lid: ani.lidJid },
      subject: 'Komunitas Baru',
    });
    const saved = await eventually(async () => {
      const list = await t.request('GET', `/api/whatsapp/groups/device?session_id=${id}`);
      const found = list.body.data.find((g: any) => g.jid === group.jid);
      return found?.subject === 'Komunitas Baru' && found;
    }, 10_000);
    expect(saved.participants.map((p: any) => p.phone).sort()).toEqual([ani.number, phone.number].sort());
    expect(saved.participants_count).toBe(2);
  });

  it('answers not_authorized for each participant when the session is not an admin of the group', async () => {
    const { id, phone } = await linked(`628130001${suffix}`);
    const owner = sim.phone(`628132220${suffix}`);
    const group = sim.createGroup('Bukan admin', owner, [phone]);
    const res = await t.request('POST', `/api/whatsapp/sessions/${id}/groups/${group.jid}/participants`, {
      body: { action: 'add', participants: [sim.phone(`628132221${suffix}`).number] },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.participants).toEqual([{ phone: `628132221${suffix}`, result: 'not_authorized' }]);
  });
});
