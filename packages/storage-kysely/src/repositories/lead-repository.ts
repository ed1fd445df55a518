import {
  LEAD_STATUSES,
  type Lead,
  type LeadFilter,
  type LeadRepository,
  type LeadStatistics,
  type LeadStatus,
  type Range,
  type RecordChanges,
  type Slice,
} from '@kirim/core';
import { type ExpressionBuilder, type Kysely, type Selectable } from 'kysely';
import { containing } from '../containing.js';
import type { Database, LeadsTable } from '../database.js';
import { findRow, ownedIds, removeRow, updateRow } from '../keyed-rows.js';
import { selectPage } from '../select-page.js';

const SEARCHED = ['business_name', 'address', 'phone', 'website'] as const;

export function fromRow(row: Selectable<LeadsTable>): Lead {
  return {
    ...row,
    status: row.status as LeadStatus,
    // PostgreSQL's driver returns numbers for double precision; SQLite's too. Number() guards a driver set to strings.
    latitude: row.latitude === null ? null : Number(row.latitude),
    longitude: row.longitude === null ? null : Number(row.longitude),
    extra_fields: JSON.parse(row.extra_fields),
  };
}

function toRow(lead: Lead): LeadsTable {
  return { ...lead, extra_fields: JSON.stringify(lead.extra_fields) };
}

/** Leads on Kysely. */
export class KyselyLeadRepository implements LeadRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(lead: Lead): Promise<Lead> {
    await this.db.insertInto('leads').values(toRow(lead)).execute();
    return lead;
  }

  async insertUnlessPhoneTaken(lead: Lead): Promise<Lead | undefined> {
    // The conflict target repeats the partial index's predicate: both dialects require it to pick that index.
    const result = await this.db
      .insertInto('leads')
      .values(toRow(lead))
      .onConflict((oc) => oc.columns(['user_id', 'phone']).where('phone', 'is not', null).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0 ? lead : undefined;
  }

  async get(userId: string, id: string): Promise<Lead | undefined> {
    const row = await findRow(this.db, 'leads', { user_id: userId, id });
    return row && fromRow(row);
  }

  async getByPhone(userId: string, phone: string): Promise<Lead | undefined> {
    const row = await findRow(this.db, 'leads', { user_id: userId, phone });
    return row && fromRow(row);
  }

  async list(userId: string, filter: LeadFilter, range: Range): Promise<Slice<Lead>> {
    const base = this.db.selectFrom('leads').where((eb) => this.matching(eb, userId, filter));
    const { rows, total } = await selectPage(base, range, (q) =>
      q.selectAll().orderBy('created_at', 'desc').orderBy('id'),
    );
    return { items: rows.map(fromRow), total };
  }

  async update(userId: string, id: string, changes: RecordChanges<Lead>): Promise<Lead | undefined> {
    const set: Partial<LeadsTable> = {};
    for (const [key, value] of Object.entries(changes)) {
      if (value !== undefined)
        (set as Record<string, unknown>)[key] = key === 'extra_fields' ? JSON.stringify(value) : value;
    }
    await updateRow(this.db, 'leads', { user_id: userId, id }, set);
    return this.get(userId, id);
  }

  ownedIds(userId: string, ids: string[]): Promise<string[]> {
    return ownedIds(this.db, 'leads', userId, ids);
  }

  async setStatus(userId: string, ids: string[], status: LeadStatus, updatedAt: string): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.db
      .updateTable('leads')
      .set({ status, updated_at: updatedAt })
      .where('user_id', '=', userId)
      .where('id', 'in', ids)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async remove(userId: string, id: string): Promise<boolean> {
    return removeRow(this.db, 'leads', { user_id: userId, id });
  }

  async statistics(userId: string): Promise<LeadStatistics> {
    const mine = this.db.selectFrom('leads').where('user_id', '=', userId);
    const totals = await mine
      .select((eb) => [
        eb.fn.countAll().as('total'),
        eb.fn.count('phone').as('with_phone'),
        eb.fn.count('website').as('with_website'),
      ])
      .executeTakeFirstOrThrow();
    const byStatus = await mine
      .select((eb) => ['status', eb.fn.countAll().as('n')])
      .groupBy('status')
      .execute();
    const bySource = await mine
      .select((eb) => ['source', eb.fn.countAll().as('n')])
      .groupBy('source')
      .orderBy('source')
      .execute();
    const statuses = Object.fromEntries(LEAD_STATUSES.map((s) => [s, 0])) as Record<LeadStatus, number>;
    for (const row of byStatus) statuses[row.status as LeadStatus] = Number(row.n);
    return {
      total: Number(totals.total),
      with_phone: Number(totals.with_phone),
      with_website: Number(totals.with_website),
      by_status: statuses,
      by_source: Object.fromEntries(bySource.map((row) => [row.source, Number(row.n)])),
    };
  }

  private matching(eb: ExpressionBuilder<Database, 'leads'>, userId: string, filter: LeadFilter) {
    const conditions = [eb('user_id', '=', userId)];
    if (filter.status) conditions.push(eb('status', '=', filter.status));
    if (filter.source) conditions.push(eb('source', '=', filter.source));
    if (filter.hasPhone !== undefined) conditions.push(eb('phone', filter.hasPhone ? 'is not' : 'is', null));
    if (filter.hasWebsite !== undefined) conditions.push(eb('website', filter.hasWebsite ? 'is not' : 'is', null));
    const search = filter.search;
    if (search) {
      const matches = SEARCHED.map((column) => containing(column, search));
      if (filter.searchDigits) matches.push(containing('phone', filter.searchDigits));
      conditions.push(eb.or(matches));
    }
    return eb.and(conditions);
  }
}
