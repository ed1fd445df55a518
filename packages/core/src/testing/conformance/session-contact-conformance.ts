import { describe, expect, it } from 'vitest';
import type { SessionContact } from '../../sessions/session-schemas.js';
import { aSession, T0, type ConformanceContext } from './conformance-context.js';
import { insertUserWithSession } from './user-with-session.js';

function aContact(sessionId: string, jid: string, overrides: Partial<SessionContact> = {}): SessionContact {
  return { session_id: sessionId, jid, phone: null, lid: null, name: null, updated_at: T0, ...overrides };
}

/** Conformance of `sessionContacts`: the WhatsApp contacts a session has seen. */
export function describeSessionContacts(ctx: ConformanceContext): void {
  const setup = async () => ({ storage: ctx.storage(), ...(await insertUserWithSession(ctx.storage())) });

  describe('SessionContactRepository', () => {
    it("lists a session's contacts by name, ties by JID, paged with the total", async () => {
      const { storage, sessionId } = await setup();
      const contacts = [
        aContact(sessionId, '6281300000003@s.whatsapp.net', { name: 'Budi', phone: '6281300000003' }),
        aContact(sessionId, '6281300000001@s.whatsapp.net', { name: 'Ani', phone: '6281300000001', lid: '111@lid' }),
        aContact(sessionId, '6281300000002@s.whatsapp.net', { name: 'Budi', phone: '6281300000002' }),
      ];
      await storage.sessionContacts.upsertMany(contacts);
      const ordered = [contacts[1], contacts[2], contacts[0]];
      expect(await storage.sessionContacts.list(sessionId, { limit: 10, offset: 0 })).toEqual({
        items: ordered,
        total: 3,
      });
      expect(await storage.sessionContacts.list(sessionId, { limit: 2, offset: 1 })).toEqual({
        items: ordered.slice(1),
        total: 3,
      });
      expect(await storage.sessionContacts.list(sessionId, { limit: 2, offset: 3 })).toEqual({ items: [], total: 3 });
    });

    it('refreshes a contact seen again by JID, a null field keeping the value known before', async () => {
      const { storage, sessionId } = await setup();
      const jid = '6281300000001@s.whatsapp.net';
      await storage.sessionContacts.upsertMany([
        aContact(sessionId, jid, { name: 'Ani', phone: '6281300000001', lid: null }),
      ]);
      const later = '2026-01-02T00:00:00.000Z';
      await storage.sessionContacts.upsertMany([
        aContact(sessionId, jid, { name: null, phone: null, lid: '111@lid', updated_at: later }),
      ]);
      expect((await storage.sessionContacts.list(sessionId, { limit: 10, offset: 0 })).items).toEqual([
        aContact(sessionId, jid, { name: 'Ani', phone: '6281300000001', lid: '111@lid', updated_at: later }),
      ]);
      await storage.sessionContacts.upsertMany([
        aContact(sessionId, jid, { name: 'Ani W.', phone: '6281300000001', lid: '111@lid', updated_at: later }),
      ]);
      expect(
        (await storage.sessionContacts.list(sessionId, { limit: 10, offset: 0 })).items.map((c) => c.name),
      ).toEqual(['Ani W.']);
    });

    it("keeps each session's contacts apart, even with the same JID", async () => {
      const { storage, userId, sessionId } = await setup();
      const otherSession = (await storage.sessions.insert(aSession(userId))).id;
      const jid = '6281300000001@s.whatsapp.net';
      await storage.sessionContacts.upsertMany([
        aContact(sessionId, jid, { name: 'Ours' }),
        aContact(otherSession, jid, { name: 'Theirs' }),
      ]);
      expect(await storage.sessionContacts.list(sessionId, { limit: 10, offset: 0 })).toEqual({
        items: [aContact(sessionId, jid, { name: 'Ours' })],
        total: 1,
      });
      expect(await storage.sessionContacts.list(otherSession, { limit: 10, offset: 0 })).toEqual({
        items: [aContact(otherSession, jid, { name: 'Theirs' })],
        total: 1,
      });
    });

    it('stores more contacts at once than one statement holds, and nothing for none', async () => {
      const { storage, sessionId } = await setup();
      const many = Array.from({ length: 1200 }, (_, i) =>
        aContact(sessionId, `62813${String(i).padStart(8, '0')}@s.whatsapp.net`, {
          name: `c${String(i).padStart(4, '0')}`,
        }),
      );
      await storage.sessionContacts.upsertMany(many);
      await storage.sessionContacts.upsertMany([]);
      expect(await storage.sessionContacts.list(sessionId, { limit: 2, offset: 1198 })).toEqual({
        items: many.slice(1198),
        total: 1200,
      });
    });

    it("drops a removed session's contacts", async () => {
      const { storage, sessionId } = await setup();
      await storage.sessionContacts.upsertMany([aContact(sessionId, '6281300000001@s.whatsapp.net', { name: 'Ani' })]);
      expect(await storage.sessions.remove(sessionId)).toBe(true);
      expect(await storage.sessionContacts.list(sessionId, { limit: 10, offset: 0 })).toEqual({ items: [], total: 0 });
    });
  });
}
