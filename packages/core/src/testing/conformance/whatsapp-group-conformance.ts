import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { WhatsappGroup } from '../../whatsapp-groups/whatsapp-group-schemas.js';
import { aSession, T0, type ConformanceContext } from './conformance-context.js';
import { insertUserWithSession } from './user-with-session.js';

function aGroup(userId: string, sessionId: string, overrides: Partial<WhatsappGroup> = {}): WhatsappGroup {
  return {
    id: randomUUID(),
    user_id: userId,
    session_id: sessionId,
    jid: `${randomUUID()}@g.us`,
    subject: 'Group',
    description: null,
    owner: null,
    participants: [],
    participants_count: 0,
    group_created_at: null,
    created_at: T0,
    updated_at: T0,
    ...overrides,
  };
}

/** Conformance of `whatsappGroups`: the saved copies of a session's WhatsApp groups. */
export function describeWhatsappGroups(ctx: ConformanceContext): void {
  const setup = async () => ({ storage: ctx.storage(), ...(await insertUserWithSession(ctx.storage())) });

  describe('WhatsappGroupRepository', () => {
    it("round-trips every field, participants included, and lists a session's groups by subject, ties by JID", async () => {
      const { storage, userId, sessionId } = await setup();
      const full = aGroup(userId, sessionId, {
        jid: '120363000000000002@g.us',
        subject: 'Alpha',
        description: 'Weekly promos',
        owner: '6281200000000@s.whatsapp.net',
        participants_count: 2,
        participants: [
          { jid: '6281300000001@s.whatsapp.net', phone: '6281300000001', lid: null, admin: true },
          { jid: '1234@lid', phone: null, lid: '1234@lid', admin: false },
        ],
        group_created_at: '2025-12-01T00:00:00.000Z',
      });
      const tie = aGroup(userId, sessionId, { jid: '120363000000000001@g.us', subject: 'Alpha' });
      const last = aGroup(userId, sessionId, { subject: 'Zulu' });
      expect(await storage.whatsappGroups.replaceForSession(userId, sessionId, [last, full, tie])).toEqual({
        added: 3,
        updated: 0,
        removed: 0,
      });
      expect(await storage.whatsappGroups.listBySession(userId, sessionId)).toEqual([tie, full, last]);
    });

    it("finds a session's saved group by JID (undefined for another session's or an unknown JID) and writes its fields back", async () => {
      const { storage, userId, sessionId } = await setup();
      const group = aGroup(userId, sessionId, { subject: 'Before' });
      await storage.whatsappGroups.replaceForSession(userId, sessionId, [group]);
      expect(await storage.whatsappGroups.findByJid(sessionId, group.jid)).toEqual(group);
      expect(await storage.whatsappGroups.findByJid('another-session', group.jid)).toBeUndefined();
      expect(await storage.whatsappGroups.findByJid(sessionId, '120363999999999999@g.us')).toBeUndefined();
      const participants = [{ jid: '6281300000001@s.whatsapp.net', phone: '6281300000001', lid: null, admin: true }];
      const changed = {
        ...group,
        subject: 'After',
        participants,
        participants_count: 1,
        updated_at: '2026-01-02T00:00:00.000Z',
      };
      await storage.whatsappGroups.update(changed);
      expect(await storage.whatsappGroups.findByJid(sessionId, group.jid)).toEqual(changed);
    });

    it("makes a session's groups exactly the given ones by JID: new ones added, known ones updated keeping their id, missing ones removed", async () => {
      const { storage, userId, sessionId } = await setup();
      const kept = aGroup(userId, sessionId, { subject: 'Kept' });
      const gone = aGroup(userId, sessionId, { subject: 'Gone' });
      await storage.whatsappGroups.replaceForSession(userId, sessionId, [kept, gone]);
      const later = '2026-01-02T00:00:00.000Z';
      const renamed = { ...kept, id: randomUUID(), subject: 'Renamed', participants_count: 5, updated_at: later };
      const added = aGroup(userId, sessionId, { subject: 'New', created_at: later, updated_at: later });
      expect(await storage.whatsappGroups.replaceForSession(userId, sessionId, [renamed, added])).toEqual({
        added: 1,
        updated: 1,
        removed: 1,
      });
      expect(await storage.whatsappGroups.listBySession(userId, sessionId)).toEqual([
        added,
        { ...renamed, id: kept.id },
      ]);
      expect(await storage.whatsappGroups.replaceForSession(userId, sessionId, [])).toEqual({
        added: 0,
        updated: 0,
        removed: 2,
      });
      expect(await storage.whatsappGroups.listBySession(userId, sessionId)).toEqual([]);
    });

    it("replaces one session's groups without touching another session's, even one with the same JIDs", async () => {
      const { storage, userId, sessionId } = await setup();
      const otherSession = (await storage.sessions.insert(aSession(userId))).id;
      const jid = '120363000000000009@g.us';
      const theirs = aGroup(userId, otherSession, { jid, subject: 'Theirs' });
      await storage.whatsappGroups.replaceForSession(userId, otherSession, [theirs]);
      expect(
        await storage.whatsappGroups.replaceForSession(userId, sessionId, [
          aGroup(userId, sessionId, { jid, subject: 'Ours' }),
        ]),
      ).toEqual({ added: 1, updated: 0, removed: 0 });
      await storage.whatsappGroups.replaceForSession(userId, sessionId, []);
      expect(await storage.whatsappGroups.listBySession(userId, otherSession)).toEqual([theirs]);
    });

    it('hides groups from every other user: listBySession and remove', async () => {
      const { storage, userId, sessionId } = await setup();
      const other = await setup();
      const group = aGroup(userId, sessionId);
      await storage.whatsappGroups.replaceForSession(userId, sessionId, [group]);
      expect(await storage.whatsappGroups.listBySession(other.userId, sessionId)).toEqual([]);
      expect(await storage.whatsappGroups.remove(other.userId, group.id)).toBe(false);
      expect(await storage.whatsappGroups.listBySession(userId, sessionId)).toEqual([group]);
    });

    it('removes one group by id, once', async () => {
      const { storage, userId, sessionId } = await setup();
      const [a, b] = [aGroup(userId, sessionId, { subject: 'A' }), aGroup(userId, sessionId, { subject: 'B' })];
      await storage.whatsappGroups.replaceForSession(userId, sessionId, [a, b]);
      expect(await storage.whatsappGroups.remove(userId, a.id)).toBe(true);
      expect(await storage.whatsappGroups.remove(userId, a.id)).toBe(false);
      expect(await storage.whatsappGroups.listBySession(userId, sessionId)).toEqual([b]);
    });

    it('removes nothing when the transaction around a replacement rolls back', async () => {
      const { storage, userId, sessionId } = await setup();
      const group = aGroup(userId, sessionId);
      await storage.whatsappGroups.replaceForSession(userId, sessionId, [group]);
      const failure = new Error('rolled back');
      await expect(
        storage.transaction(async (tx) => {
          await tx.whatsappGroups.replaceForSession(userId, sessionId, [aGroup(userId, sessionId)]);
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await storage.whatsappGroups.listBySession(userId, sessionId)).toEqual([group]);
    });

    it("drops a removed session's groups", async () => {
      const { storage, userId, sessionId } = await setup();
      await storage.whatsappGroups.replaceForSession(userId, sessionId, [aGroup(userId, sessionId)]);
      expect(await storage.sessions.remove(sessionId)).toBe(true);
      expect(await storage.whatsappGroups.listBySession(userId, sessionId)).toEqual([]);
    });
  });
}
