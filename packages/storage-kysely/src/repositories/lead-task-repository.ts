import type { Lead, LeadTask, LeadTaskChanges, LeadTaskRepository, LeadTaskStatus, Range, Slice } from '@kirim/core';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, LeadTasksTable } from '../database.js';
import type { SqlDialect } from '../dialect.js';
import { findRow, insertNew } from '../keyed-rows.js';
import { lockRows } from '../lock-rows.js';
import { selectPage } from '../select-page.js';
import { fromRow as leadFromRow } from './lead-repository.js';

function fromRow(row: Selectable<LeadTasksTable>): LeadTask {
  return {
    ...row,
    status: row.status as LeadTaskStatus,
    total: Number(row.total),
    found: Number(row.found),
    saved: Number(row.saved),
    merged: Number(row.merged),
    skipped: Number(row.skipped),
    attempts: Number(row.attempts),
  };
}

/** Lead scrape tasks on Kysely; claims lock their task skipping locked ones (`FOR UPDATE SKIP LOCKED` on PostgreSQL). */
export class KyselyLeadTaskRepository implements LeadTaskRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async insert(task: LeadTask): Promise<LeadTask> {
    await this.db.insertInto('lead_tasks').values(task).execute();
    return task;
  }

  async get(userId: string, id: string): Promise<LeadTask | undefined> {
    const row = await findRow(this.db, 'lead_tasks', { user_id: userId, id });
    return row && fromRow(row);
  }

  async list(userId: string, filter: { status?: LeadTaskStatus }, range: Range): Promise<Slice<LeadTask>> {
    const base = this.db
      .selectFrom('lead_tasks')
      .where('user_id', '=', userId)
      .$if(filter.status !== undefined, (q) => q.where('status', '=', filter.status!));
    const { rows, total } = await selectPage(base, range, (q) =>
      q.selectAll().orderBy('created_at', 'desc').orderBy('id'),
    );
    return { items: rows.map(fromRow), total };
  }

  async claim(owner: string, now: string, leaseUntil: string): Promise<LeadTask | undefined> {
    const next = this.db
      .selectFrom('lead_tasks')
      .select('id')
      .where((eb) =>
        eb.or([eb('status', '=', 'queued'), eb.and([eb('status', '=', 'running'), eb('lease_expires_at', '<', now)])]),
      )
      .orderBy('created_at')
      .orderBy('id')
      .limit(1)
      .$call((q) => lockRows(this.dialect, q, 'skip'));
    // No second status check outside: FOR UPDATE re-checks a row another claimer just changed against the
    // subquery's own condition, and repeating it out here made PostgreSQL's plan update nothing.
    const row = await this.db
      .updateTable('lead_tasks')
      .set({
        status: 'running',
        lease_owner: owner,
        lease_expires_at: leaseUntil,
        attempts: sql<number>`attempts + 1`,
        started_at: sql<string>`coalesce(started_at, ${now})`,
        updated_at: now,
      })
      .where('id', 'in', next)
      .returningAll()
      .executeTakeFirst();
    return row && fromRow(row);
  }

  async update(id: string, owner: string, changes: LeadTaskChanges): Promise<boolean> {
    const set = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
    if (Object.keys(set).length === 0) return this.holds(id, owner);
    const result = await this.db
      .updateTable('lead_tasks')
      .set(set)
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async addResult(
    taskId: string,
    leadId: string,
    result: { position: number; merged: boolean; created_at: string },
  ): Promise<boolean> {
    const { position, merged, created_at } = result;
    const row = { task_id: taskId, lead_id: leadId, position, merged: Number(merged), created_at };
    return (await insertNew(this.db, 'lead_task_results', [row], ['task_id', 'lead_id'])) > 0;
  }

  async results(userId: string, taskId: string): Promise<Lead[]> {
    const rows = await this.db
      .selectFrom('lead_task_results as r')
      .innerJoin('lead_tasks as t', 't.id', 'r.task_id')
      .innerJoin('leads as l', 'l.id', 'r.lead_id')
      .selectAll('l')
      .where('t.user_id', '=', userId)
      .where('r.task_id', '=', taskId)
      .orderBy('r.position')
      .execute();
    return rows.map(leadFromRow);
  }

  private async holds(id: string, owner: string): Promise<boolean> {
    return (await findRow(this.db, 'lead_tasks', { id, lease_owner: owner, status: 'running' })) !== undefined;
  }
}
