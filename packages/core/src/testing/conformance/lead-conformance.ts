import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Lead } from '../../leads/lead-schemas.js';
import { aLead, insertTwoUsers, type ConformanceContext } from './conformance-context.js';

/** Conformance of `leads`. */
export function describeLeads(ctx: ConformanceContext): void {
  describe('LeadRepository', () => {
    it('round-trips every field, coordinates at full precision and extra fields as JSON', async () => {
      const [userId] = await insertTwoUsers(ctx.storage());
      const lead = aLead(userId, {
        source: 'google_maps',
        address: 'Jl. Braga No. 12, Bandung',
        website: 'https://kopi.example.co.id',
        phone: '6281220001111',
        email: 'kopi@example.co.id',
        latitude: -6.917512345678,
        longitude: 107.609123456789,
        status: 'replied',
        notes: 'call after 10',
        extra_fields: { rating: 4.5, categories: ['cafe'], open: true },
      });
      await ctx.storage().leads.insert(lead);
      expect(await ctx.storage().leads.get(userId, lead.id)).toEqual(lead);
      expect(await ctx.storage().leads.getByPhone(userId, '6281220001111')).toEqual(lead);
    });

    it('hides a lead from every other user: get, update, setStatus, remove and lists', async () => {
      const [owner, other] = await insertTwoUsers(ctx.storage());
      const lead = aLead(owner, { phone: '6281220001111' });
      await ctx.storage().leads.insert(lead);
      expect(await ctx.storage().leads.get(other, lead.id)).toBeUndefined();
      expect(await ctx.storage().leads.getByPhone(other, '6281220001111')).toBeUndefined();
      expect(await ctx.storage().leads.update(other, lead.id, { status: 'sent' })).toBeUndefined();
      expect(await ctx.storage().leads.ownedIds(other, [lead.id])).toEqual([]);
      expect(await ctx.storage().leads.setStatus(other, [lead.id], 'sent', '2026-02-01T00:00:00.000Z')).toBe(0);
      expect(await ctx.storage().leads.remove(other, lead.id)).toBe(false);
      expect((await ctx.storage().leads.list(other, {}, { limit: 10, offset: 0 })).total).toBe(0);
      expect((await ctx.storage().leads.statistics(other)).total).toBe(0);
      expect(await ctx.storage().leads.get(owner, lead.id)).toEqual(lead);
    });

    it('rejects a second lead with the same phone for the same user as conflict naming phone, not for another user or without a phone', async () => {
      const [a, b] = await insertTwoUsers(ctx.storage());
      await ctx.storage().leads.insert(aLead(a, { phone: '6281220001111' }));
      await expect(ctx.storage().leads.insert(aLead(a, { phone: '6281220001111' }))).rejects.toMatchObject({
        code: 'conflict',
        details: { phone: ['already exists'] },
      });
      await ctx.storage().leads.insert(aLead(b, { phone: '6281220001111' }));
      await ctx.storage().leads.insert(aLead(a));
      await ctx.storage().leads.insert(aLead(a));
      expect((await ctx.storage().leads.list(a, {}, { limit: 10, offset: 0 })).total).toBe(3);
    });

    it('insertUnlessPhoneTaken stores nothing for a taken phone, and leaves a transaction usable', async () => {
      const [userId] = await insertTwoUsers(ctx.storage());
      const first = aLead(userId, { phone: '6281220001111' });
      expect(await ctx.storage().leads.insertUnlessPhoneTaken(first)).toEqual(first);
      const after = await ctx.storage().transaction(async (tx) => {
        expect(await tx.leads.insertUnlessPhoneTaken(aLead(userId, { phone: '6281220001111' }))).toBeUndefined();
        // On PostgreSQL a failed statement would abort the transaction; this one must not have failed.
        await tx.leads.insert(aLead(userId, { phone: '6281399998888' }));
        return tx.leads.list(userId, {}, { limit: 10, offset: 0 });
      });
      expect(after.total).toBe(2);
      expect(await ctx.storage().leads.insertUnlessPhoneTaken(aLead(userId))).toBeDefined();
    });

    it("rejects an update to a phone another of the user's leads holds as conflict naming phone", async () => {
      const [userId] = await insertTwoUsers(ctx.storage());
      await ctx.storage().leads.insert(aLead(userId, { phone: '6281220001111' }));
      const second = aLead(userId, { phone: '6281399998888' });
      await ctx.storage().leads.insert(second);
      await expect(ctx.storage().leads.update(userId, second.id, { phone: '6281220001111' })).rejects.toMatchObject({
        code: 'conflict',
        details: { phone: ['already exists'] },
      });
      expect(
        await ctx.storage().leads.update(userId, second.id, { phone: null, extra_fields: { a: 1 } }),
      ).toMatchObject({ phone: null, extra_fields: { a: 1 } });
    });

    it('pages newest first with the total', async () => {
      const [userId] = await insertTwoUsers(ctx.storage());
      const leads = [1, 2, 3, 4, 5].map((d) => aLead(userId, { created_at: `2026-01-0${d}T00:00:00.000Z` }));
      for (const lead of leads) await ctx.storage().leads.insert(lead);
      const page = await ctx.storage().leads.list(userId, {}, { limit: 2, offset: 1 });
      expect(page.total).toBe(5);
      expect(page.items.map((l) => l.id)).toEqual([leads[3].id, leads[2].id]);
    });

    it('filters by status, source, phone and website presence, and searches four columns case-insensitively', async () => {
      const [userId] = await insertTwoUsers(ctx.storage());
      const fields: Partial<Lead>[] = [
        {
          business_name: 'Kopi Kenangan',
          source: 'google_maps',
          phone: '6281220001111',
          website: 'https://kopi.example',
        },
        { business_name: 'Bengkel Jaya', address: 'Jl. Soekarno-Hatta', status: 'sent', phone: '6281320002222' },
        { business_name: 'Toko Roti', source: 'google_maps', website: 'http://roti.example', status: 'sent' },
        { business_name: '100% Halal' },
      ];
      const [cafe, garage, bakery, percent] = fields.map((f) => aLead(userId, f));
      for (const lead of [cafe, garage, bakery, percent]) await ctx.storage().leads.insert(lead);
      const ids = async (filter: Parameters<ReturnType<ConformanceContext['storage']>['leads']['list']>[1]) =>
        (await ctx.storage().leads.list(userId, filter, { limit: 10, offset: 0 })).items.map((l) => l.id).sort();

      expect(await ids({ status: 'sent' })).toEqual([garage.id, bakery.id].sort());
      expect(await ids({ source: 'google_maps', status: 'sent' })).toEqual([bakery.id]);
      expect(await ids({ hasPhone: true })).toEqual([cafe.id, garage.id].sort());
      expect(await ids({ hasPhone: false })).toEqual([bakery.id, percent.id].sort());
      expect(await ids({ hasWebsite: true, hasPhone: true })).toEqual([cafe.id]);
      expect(await ids({ search: 'KOPI' })).toEqual([cafe.id]);
      expect(await ids({ search: 'soekarno' })).toEqual([garage.id]);
      expect(await ids({ search: 'roti.example' })).toEqual([bakery.id]);
      expect(await ids({ search: '1320002' })).toEqual([garage.id]);
      expect(await ids({ search: '0%' })).toEqual([percent.id]);
      expect(await ids({ search: '0812-2000', searchDigits: '8122000' })).toEqual([cafe.id]);
    });

    it("sets the status of the user's leads among many ids, and lists owned ids", async () => {
      const [owner, other] = await insertTwoUsers(ctx.storage());
      const mine = [aLead(owner), aLead(owner)];
      const theirs = aLead(other);
      for (const lead of [...mine, theirs]) await ctx.storage().leads.insert(lead);
      expect((await ctx.storage().leads.ownedIds(owner, [mine[0].id, theirs.id, 'nope'])).sort()).toEqual([mine[0].id]);
      expect(
        await ctx
          .storage()
          .leads.setStatus(owner, [mine[0].id, mine[1].id, theirs.id], 'read', '2026-02-01T00:00:00.000Z'),
      ).toBe(2);
      expect(await ctx.storage().leads.get(owner, mine[1].id)).toMatchObject({
        status: 'read',
        updated_at: '2026-02-01T00:00:00.000Z',
      });
      expect((await ctx.storage().leads.get(other, theirs.id))?.status).toBe('pending');
    });

    it('counts by status (every status present) and by source, with phone and website totals', async () => {
      const [userId] = await insertTwoUsers(ctx.storage());
      await ctx
        .storage()
        .leads.insert(aLead(userId, { source: 'google_maps', phone: '6281220001111', website: 'https://a.example' }));
      await ctx
        .storage()
        .leads.insert(aLead(userId, { source: 'google_maps', status: 'sent', phone: '6281320002222' }));
      await ctx.storage().leads.insert(aLead(userId, { status: 'sent' }));
      expect(await ctx.storage().leads.statistics(userId)).toEqual({
        total: 3,
        with_phone: 2,
        with_website: 1,
        by_status: { pending: 1, sent: 2, delivered: 0, read: 0, failed: 0, replied: 0 },
        by_source: { google_maps: 2, manual: 1 },
      });
    });

    it('removes a lead, and deleting its user deletes its leads', async () => {
      const [userId] = await insertTwoUsers(ctx.storage());
      const [a, b] = [aLead(userId), aLead(userId)];
      await ctx.storage().leads.insert(a);
      await ctx.storage().leads.insert(b);
      expect(await ctx.storage().leads.remove(userId, a.id)).toBe(true);
      expect(await ctx.storage().leads.remove(userId, a.id)).toBe(false);
      await ctx.storage().users.remove(userId);
      expect(await ctx.storage().leads.get(userId, b.id)).toBeUndefined();
    });

    it('rejects a lead for a user that does not exist', async () => {
      await expect(ctx.storage().leads.insert(aLead(randomUUID()))).rejects.toMatchObject({ code: 'not_found' });
    });
  });
}
