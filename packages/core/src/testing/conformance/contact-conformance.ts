import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ContactGroup } from '../../contact-groups/contact-group-schemas.js';
import type { Contact, ContactFilter } from '../../contacts/contact-schemas.js';
import { SEARCH_COUNT_CAP } from '../../storage/storage.js';
import type { Template } from '../../templates/template-schemas.js';
import { aUser, type ConformanceContext } from './conformance-context.js';

const AT = '2026-01-01T00:00:00.000Z';
const ALL: ContactFilter = { sort: 'created_at', order: 'asc' };

/** A contact record for `userId`; override any field. */
export function aContact(userId: string, overrides: Partial<Contact> = {}): Contact {
  return {
    id: randomUUID(),
    user_id: userId,
    name: 'Ani',
    phone: `62812${Math.floor(Math.random() * 1e8)
      .toString()
      .padStart(8, '0')}`,
    email: null,
    company: null,
    position: null,
    address: null,
    city: null,
    country: null,
    notes: null,
    is_active: true,
    extra_fields: {},
    created_at: AT,
    updated_at: AT,
    ...overrides,
  };
}

/** Conformance of `contacts`, `contactGroups` and `templates`. */
export function describeContacts(ctx: ConformanceContext): void {
  const user = async () => (await ctx.storage().users.insert(aUser())).id;

  describe('ContactRepository', () => {
    it('round-trips every field, extra fields included', async () => {
      const userId = await user();
      const c = aContact(userId, {
        email: 'a@b.co',
        company: 'Kopi',
        position: 'Owner',
        address: 'Jl. 1',
        city: 'Bandung',
        country: 'ID',
        notes: 'n',
        is_active: false,
        extra_fields: { Produk: 'Teh' },
      });
      await ctx.storage().contacts.insert(c);
      expect(await ctx.storage().contacts.get(userId, c.id)).toEqual(c);
      expect(await ctx.storage().contacts.extraFieldNames(userId)).toEqual(['Produk']);
    });

    it("rejects a second contact with the user's number as conflict naming phone, but not another user's", async () => {
      const a = await user();
      const b = await user();
      await ctx.storage().contacts.insert(aContact(a, { phone: '6281234567890' }));
      const taken = { code: 'conflict', details: { phone: ['already exists'] } };
      await expect(ctx.storage().contacts.insert(aContact(a, { phone: '6281234567890' }))).rejects.toMatchObject(taken);
      await expect(
        ctx
          .storage()
          .contacts.insertMany([aContact(a, { phone: '6281200000000' }), aContact(a, { phone: '6281234567890' })]),
      ).rejects.toMatchObject(taken);
      const other = aContact(a, { phone: '6281200000001' });
      await ctx.storage().contacts.insert(other);
      await expect(ctx.storage().contacts.update(a, other.id, { phone: '6281234567890' })).rejects.toMatchObject(taken);
      await ctx.storage().contacts.insert(aContact(b, { phone: '6281234567890' }));
    });

    it("never returns, changes or deletes another user's contact", async () => {
      const a = await user();
      const b = await user();
      const c = aContact(a);
      await ctx.storage().contacts.insert(c);
      expect(await ctx.storage().contacts.get(b, c.id)).toBeUndefined();
      expect(await ctx.storage().contacts.update(b, c.id, { name: 'x' })).toBeUndefined();
      expect(await ctx.storage().contacts.remove(b, c.id)).toBe(false);
      expect(await ctx.storage().contacts.removeMany(b, [c.id])).toEqual([]);
      expect(await ctx.storage().contacts.ownedIds(b, [c.id])).toEqual([]);
      expect(await ctx.storage().contacts.findByPhones(b, [c.phone])).toEqual([]);
      expect((await ctx.storage().contacts.list(b, ALL, { limit: 10, offset: 0 })).total).toBe(0);
      expect((await ctx.storage().contacts.get(a, c.id))?.name).toBe('Ani');
    });

    it('searches name, phone, email and company case-insensitively, short terms too', async () => {
      const userId = await user();
      await ctx
        .storage()
        .contacts.insertMany([
          aContact(userId, { name: 'Citra Lestari', company: 'Kopi Nusantara' }),
          aContact(userId, { name: 'Agus', email: 'agus@mail.id', phone: '6281399990000' }),
        ]);
      const names = async (search: string) =>
        (await ctx.storage().contacts.list(userId, { ...ALL, search }, { limit: 10, offset: 0 })).items.map(
          (c) => c.name,
        );
      expect(await names('NUSANTARA')).toEqual(['Citra Lestari']);
      expect(await names('mail.id')).toEqual(['Agus']);
      expect(await names('99990')).toEqual(['Agus']);
      expect(await names('ag')).toEqual(['Agus']);
      expect(await names('100%')).toEqual([]);
    });

    it('pages and sorts with the total of all matches', async () => {
      const userId = await user();
      await ctx
        .storage()
        .contacts.insertMany(
          ['Dewi', 'Ani', 'Citra', 'Budi'].map((name, i) =>
            aContact(userId, { name, created_at: `2026-01-0${i + 1}T00:00:00.000Z` }),
          ),
        );
      const page = await ctx.storage().contacts.list(userId, { sort: 'name', order: 'asc' }, { limit: 2, offset: 1 });
      expect(page.total).toBe(4);
      expect(page.items.map((c) => c.name)).toEqual(['Budi', 'Citra']);
      const newest = await ctx
        .storage()
        .contacts.list(userId, { sort: 'created_at', order: 'desc' }, { limit: 1, offset: 0 });
      expect(newest.items[0].name).toBe('Budi');
    });

    it('counts a broad search up to the cap and says so, a narrow one and an unsearched list exactly, and pages each in order', async () => {
      const userId = await user();
      const other = await user();
      const count = SEARCH_COUNT_CAP + 200;
      const name = (i: number) => `${i % 100 === 0 ? 'Langka' : 'Umum'} ${String(i).padStart(5, '0')}`;
      await ctx.storage().contacts.insertMany(
        Array.from({ length: count }, (_, i) =>
          aContact(userId, {
            name: name(i),
            is_active: i % 200 !== 0,
            phone: `62811${String(i).padStart(8, '0')}`,
            created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
          }),
        ),
      );
      await ctx
        .storage()
        .contacts.insertMany(Array.from({ length: 5 }, (_, i) => aContact(other, { name: `Langka lain ${i}` })));
      const list = (filter: Partial<ContactFilter>, limit = 3) =>
        ctx.storage().contacts.list(userId, { ...ALL, ...filter }, { limit, offset: 1 });
      const names = (indexes: number[]) => indexes.map(name);

      const everyone = await list({});
      expect(everyone.total).toBe(count);
      expect(everyone.totalIsLowerBound).toBeUndefined();
      const broad = await list({ search: 'umum', order: 'desc' });
      expect(broad).toMatchObject({ total: SEARCH_COUNT_CAP, totalIsLowerBound: true });
      expect(broad.items.map((c) => c.name)).toEqual(names([count - 2, count - 3, count - 4]));
      const narrow = await list({ search: 'langka', sort: 'name', order: 'desc' });
      expect(narrow.total).toBe(count / 100);
      expect(narrow.totalIsLowerBound).toBeUndefined();
      expect(narrow.items.map((c) => c.name)).toEqual(names([count - 200, count - 300, count - 400]));
      expect((await list({ search: 'langka', isActive: false })).items.map((c) => c.name)).toEqual(
        names([200, 400, 600]),
      );
    });

    it('scans every match in batches, oldest first', async () => {
      const userId = await user();
      const all = Array.from({ length: 25 }, (_, i) =>
        aContact(userId, { name: `C${i}`, created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() }),
      );
      await ctx.storage().contacts.insertMany(all);
      const batches: string[][] = [];
      for await (const batch of ctx.storage().contacts.scan(userId, ALL, 10)) batches.push(batch.map((c) => c.name));
      expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
      expect(batches.flat()).toEqual(all.map((c) => c.name));
    });

    it('keeps search in step with updates and deletes', async () => {
      const userId = await user();
      const c = aContact(userId, { name: 'Old Name' });
      await ctx.storage().contacts.insert(c);
      await ctx.storage().contacts.update(userId, c.id, { name: 'Fresh Name' });
      const find = async (search: string) =>
        (await ctx.storage().contacts.list(userId, { ...ALL, search }, { limit: 10, offset: 0 })).total;
      expect(await find('old name')).toBe(0);
      expect(await find('fresh')).toBe(1);
      await ctx.storage().contacts.remove(userId, c.id);
      expect(await find('fresh')).toBe(0);
    });

    it('counts statistics', async () => {
      const userId = await user();
      await ctx
        .storage()
        .contacts.insertMany([
          aContact(userId, { city: 'Bandung', country: 'ID', email: 'a@b.co' }),
          aContact(userId, { city: 'Bandung', is_active: false, created_at: '2025-12-31T00:00:00.000Z' }),
        ]);
      expect(await ctx.storage().contacts.statistics(userId, '2026-01-01T00:00:00.000Z')).toEqual({
        total: 2,
        active: 1,
        inactive: 1,
        with_email: 1,
        in_groups: 0,
        added_this_month: 1,
        by_country: [{ country: 'ID', count: 1 }],
        by_city: [{ city: 'Bandung', count: 2 }],
      });
    });
  });

  describe('ContactGroupRepository', () => {
    const aGroup = (userId: string, overrides: Partial<ContactGroup> = {}): ContactGroup => ({
      id: randomUUID(),
      user_id: userId,
      name: 'VIP',
      description: null,
      color: '#2196F3',
      is_active: true,
      contacts_count: 0,
      created_at: AT,
      updated_at: AT,
      ...overrides,
    });

    it('counts members, adds without doubling, removes, and lists members by name', async () => {
      const userId = await user();
      const group = await ctx.storage().contactGroups.insert(aGroup(userId));
      const [a, b] = [aContact(userId, { name: 'Budi' }), aContact(userId, { name: 'Ani', is_active: false })];
      await ctx.storage().contacts.insertMany([a, b]);
      expect(await ctx.storage().contactGroups.addMembers(group.id, [a.id, b.id], AT)).toBe(2);
      expect(await ctx.storage().contactGroups.addMembers(group.id, [a.id], AT)).toBe(0);
      expect((await ctx.storage().contactGroups.get(userId, group.id))?.contacts_count).toBe(2);
      expect((await ctx.storage().contactGroups.members(userId, group.id)).map((c) => c.name)).toEqual(['Ani', 'Budi']);
      expect(
        (await ctx.storage().contactGroups.members(userId, group.id, { activeOnly: true })).map((c) => c.name),
      ).toEqual(['Budi']);
      expect(await ctx.storage().contactGroups.removeMembers(group.id, [a.id])).toBe(1);
      await ctx.storage().contacts.remove(userId, b.id);
      expect((await ctx.storage().contactGroups.get(userId, group.id))?.contacts_count).toBe(0);
    });

    it('keeps groups to their owner', async () => {
      const a = await user();
      const b = await user();
      const group = await ctx.storage().contactGroups.insert(aGroup(a));
      expect(await ctx.storage().contactGroups.get(b, group.id)).toBeUndefined();
      expect(await ctx.storage().contactGroups.update(b, group.id, { name: 'x' })).toBeUndefined();
      expect(await ctx.storage().contactGroups.remove(b, group.id)).toBe(false);
      expect((await ctx.storage().contactGroups.list(b, {}, { limit: 10, offset: 0 })).total).toBe(0);
      expect((await ctx.storage().contactGroups.list(a, { search: 'vi' }, { limit: 10, offset: 0 })).items).toEqual([
        group,
      ]);
    });

    it('takes LIKE\'s wildcards in a search literally, on every database: a_b finds "a_b", not "axb"', async () => {
      const userId = await user();
      for (const name of ['a_b', 'axb', '100%', '1000'])
        await ctx.storage().contactGroups.insert(aGroup(userId, { name }));
      const names = async (search: string) =>
        (await ctx.storage().contactGroups.list(userId, { search }, { limit: 10, offset: 0 })).items.map((g) => g.name);
      expect(await names('a_b')).toEqual(['a_b']);
      expect(await names('100%')).toEqual(['100%']);
    });
  });

  describe('TemplateRepository', () => {
    const aTemplate = (userId: string, overrides: Partial<Template> = {}): Template => ({
      id: randomUUID(),
      user_id: userId,
      name: 'Welcome',
      content: 'Hi {name}',
      message_type: 'text',
      media_url: null,
      caption: null,
      is_active: true,
      placeholders: ['name'],
      created_at: AT,
      updated_at: AT,
      ...overrides,
    });

    it('round-trips, filters and keeps templates to their owner', async () => {
      const a = await user();
      const b = await user();
      const t = aTemplate(a, { message_type: 'image', media_url: 'https://x.io/a.png', caption: 'c' });
      await ctx.storage().templates.insert(t);
      await ctx.storage().templates.insert(aTemplate(a, { name: 'Other', is_active: false }));
      expect(await ctx.storage().templates.get(a, t.id)).toEqual(t);
      expect(await ctx.storage().templates.get(b, t.id)).toBeUndefined();
      expect((await ctx.storage().templates.list(a, { messageType: 'image' }, { limit: 10, offset: 0 })).items).toEqual(
        [t],
      );
      expect((await ctx.storage().templates.list(a, { isActive: false }, { limit: 10, offset: 0 })).total).toBe(1);
      expect(await ctx.storage().templates.remove(b, t.id)).toBe(false);
      expect((await ctx.storage().templates.update(a, t.id, { placeholders: [] }))?.placeholders).toEqual([]);
    });

    it('takes LIKE\'s wildcards in a search literally, on every database: 50% finds "50% off", not "500 off"', async () => {
      const userId = await user();
      await ctx.storage().templates.insert(aTemplate(userId, { name: 'Sale', content: 'Now 50% off' }));
      await ctx.storage().templates.insert(aTemplate(userId, { name: 'Bulk', content: 'Now 500 off' }));
      await ctx.storage().templates.insert(aTemplate(userId, { name: 'first_visit', content: 'Hi' }));
      const names = async (search: string) =>
        (await ctx.storage().templates.list(userId, { search }, { limit: 10, offset: 0 })).items.map((t) => t.name);
      expect(await names('50%')).toEqual(['Sale']);
      expect(await names('t_v')).toEqual(['first_visit']);
    });
  });

  describe('Storage.transaction with contacts', () => {
    it('rolls back a half-done import', async () => {
      const userId = await user();
      await expect(
        ctx.storage().transaction(async (tx) => {
          await tx.contacts.insertMany([aContact(userId), aContact(userId)]);
          throw new Error('bad row');
        }),
      ).rejects.toThrow('bad row');
      expect((await ctx.storage().contacts.list(userId, ALL, { limit: 10, offset: 0 })).total).toBe(0);
    });
  });
}
