import type { Contact, ContactGroup, ContactGroupRepository, Range, Slice } from '@kirim/core';
import type { Kysely, Selectable } from 'kysely';
import type { ContactGroupsTable, Database } from '../database.js';
import { containing } from '../containing.js';
import { fromFlag, toFlags } from '../flags.js';
import { insertNew, removeRow, updateRow } from '../keyed-rows.js';
import { selectPage } from '../select-page.js';
import { contactFromRow } from './contact-repository.js';

type GroupRow = Selectable<ContactGroupsTable> & { contacts_count: number | string | bigint | null };

const toRecord = (row: GroupRow): ContactGroup => ({
  ...row,
  is_active: fromFlag(row.is_active),
  contacts_count: Number(row.contacts_count),
});

/** Contact groups on Kysely; member counts are counted, never stored, so they cannot drift. */
export class KyselyContactGroupRepository implements ContactGroupRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(group: ContactGroup): Promise<ContactGroup> {
    const { contacts_count: _, ...row } = group;
    await this.db.insertInto('contact_groups').values(toFlags(row)).execute();
    return { ...group, contacts_count: 0 };
  }

  async get(userId: string, id: string): Promise<ContactGroup | undefined> {
    const row = await this.withCount(this.groups(userId).where('g.id', '=', id)).executeTakeFirst();
    return row && toRecord(row);
  }

  async list(
    userId: string,
    filter: { search?: string; isActive?: boolean },
    range: Range,
  ): Promise<Slice<ContactGroup>> {
    let query = this.groups(userId);
    if (filter.isActive !== undefined) query = query.where('g.is_active', '=', Number(filter.isActive));
    if (filter.search) {
      query = query.where(containing('g.name', filter.search));
    }
    const { rows, total } = await selectPage(query, range, (q) => this.withCount(q).orderBy('g.name').orderBy('g.id'));
    return { items: rows.map(toRecord), total };
  }

  async update(
    userId: string,
    id: string,
    changes: Partial<Pick<ContactGroup, 'name' | 'description' | 'color' | 'is_active' | 'updated_at'>>,
  ): Promise<ContactGroup | undefined> {
    await updateRow(this.db, 'contact_groups', { user_id: userId, id }, toFlags(changes));
    return this.get(userId, id);
  }

  async remove(userId: string, id: string): Promise<boolean> {
    return removeRow(this.db, 'contact_groups', { user_id: userId, id });
  }

  async addMembers(groupId: string, contactIds: string[], at: string): Promise<number> {
    let added = 0;
    for (let i = 0; i < contactIds.length; i += 500) {
      const members = contactIds
        .slice(i, i + 500)
        .map((contact_id) => ({ group_id: groupId, contact_id, created_at: at }));
      added += await insertNew(this.db, 'contact_group_members', members, ['group_id', 'contact_id']);
    }
    return added;
  }

  async removeMembers(groupId: string, contactIds: string[]): Promise<number> {
    let removed = 0;
    for (let i = 0; i < contactIds.length; i += 500) {
      const result = await this.db
        .deleteFrom('contact_group_members')
        .where('group_id', '=', groupId)
        .where('contact_id', 'in', contactIds.slice(i, i + 500))
        .executeTakeFirst();
      removed += Number(result.numDeletedRows);
    }
    return removed;
  }

  async members(userId: string, groupId: string, options: { activeOnly?: boolean } = {}): Promise<Contact[]> {
    let query = this.db
      .selectFrom('contacts')
      .innerJoin('contact_group_members as m', 'm.contact_id', 'contacts.id')
      .where('m.group_id', '=', groupId)
      .where('contacts.user_id', '=', userId);
    if (options.activeOnly) query = query.where('contacts.is_active', '=', 1);
    const rows = await query.selectAll('contacts').orderBy('contacts.name').orderBy('contacts.id').execute();
    return rows.map(contactFromRow);
  }

  private groups(userId: string) {
    return this.db.selectFrom('contact_groups as g').where('g.user_id', '=', userId);
  }

  private withCount(query: ReturnType<KyselyContactGroupRepository['groups']>) {
    return query
      .selectAll('g')
      .select((eb) =>
        eb
          .selectFrom('contact_group_members as m')
          .whereRef('m.group_id', '=', 'g.id')
          .select(eb.fn.countAll().as('n'))
          .as('contacts_count'),
      );
  }
}
