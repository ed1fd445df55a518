import type { Range, Slice, WebhookDelivery, WebhookDeliveryRepository } from '@kirim/core';
import type { Kysely, Selectable } from 'kysely';
import type { Database, WebhookDeliveriesTable } from '../database.js';
import type { SqlDialect } from '../dialect.js';
import { findRow, updateRow } from '../keyed-rows.js';
import { lockRows } from '../lock-rows.js';
import { selectPage } from '../select-page.js';
import { readSnapshot } from '../transact.js';

type Changes = Partial<Omit<WebhookDelivery, 'id' | 'webhook_id' | 'user_id' | 'created_at'>>;

const toRecord = (row: Selectable<WebhookDeliveriesTable>): WebhookDelivery => ({
  ...row,
  state: row.state as WebhookDelivery['state'],
});

/** Webhook deliveries on Kysely: claims are one UPDATE over a selection that skips locked rows (PostgreSQL). */
export class KyselyWebhookDeliveryRepository implements WebhookDeliveryRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async insertMany(deliveries: WebhookDelivery[]): Promise<void> {
    if (deliveries.length > 0) await this.db.insertInto('webhook_deliveries').values(deliveries).execute();
  }

  async get(webhookId: string, id: string): Promise<WebhookDelivery | undefined> {
    const row = await findRow(this.db, 'webhook_deliveries', { webhook_id: webhookId, id });
    return row && toRecord(row);
  }

  async list(webhookId: string, range: Range): Promise<Slice<WebhookDelivery>> {
    return readSnapshot(this.db, async (db) => {
      const base = db.selectFrom('webhook_deliveries').where('webhook_id', '=', webhookId);
      const { rows, total } = await selectPage(base, range, (q) =>
        q.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc'),
      );
      return { items: rows.map(toRecord), total };
    });
  }

  async claimDue(now: string, claimer: string, claimUntil: string, limit: number): Promise<WebhookDelivery[]> {
    const dueQuery = () =>
      this.db
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('state', 'in', ['pending', 'failed'])
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('claim_expires_at', 'is', null), eb('claim_expires_at', '<=', now)]))
        .orderBy('next_attempt_at');
    // An idle poll stays a read: no write lock taken (SQLite) and no row locked (PostgreSQL) when nothing is due.
    if (!(await dueQuery().limit(1).executeTakeFirst())) return [];
    const due = dueQuery()
      .limit(limit)
      // Rows another claimer has locked are skipped, not waited for.
      .$call((q) => lockRows(this.dialect, q, 'skip'));
    const rows = await this.db
      .updateTable('webhook_deliveries')
      .set({ claimed_by: claimer, claim_expires_at: claimUntil })
      .where('id', 'in', due)
      .returningAll()
      .execute();
    return rows.map(toRecord).sort((a, b) => (a.next_attempt_at ?? '').localeCompare(b.next_attempt_at ?? ''));
  }

  async finish(id: string, claimer: string, changes: Changes): Promise<boolean> {
    const result = await this.db
      .updateTable('webhook_deliveries')
      .set({ ...changes, claimed_by: null, claim_expires_at: null })
      .where('id', '=', id)
      .where('claimed_by', '=', claimer)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async releaseClaims(claimer: string): Promise<number> {
    const result = await this.db
      .updateTable('webhook_deliveries')
      .set({ claimed_by: null, claim_expires_at: null })
      .where('claimed_by', '=', claimer)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async update(id: string, changes: Changes): Promise<WebhookDelivery | undefined> {
    await updateRow(this.db, 'webhook_deliveries', { id }, changes);
    const row = await findRow(this.db, 'webhook_deliveries', { id });
    return row && toRecord(row);
  }

  async killOpen(webhookId: string, reason: string, at: string): Promise<number> {
    const result = await this.db
      .updateTable('webhook_deliveries')
      .set({ state: 'dead', next_attempt_at: null, last_error: reason, updated_at: at })
      .where('webhook_id', '=', webhookId)
      .where('state', 'in', ['pending', 'failed'])
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async pruneFinishedBefore(before: string): Promise<number> {
    const result = await this.db
      .deleteFrom('webhook_deliveries')
      .where('state', 'in', ['delivered', 'dead'])
      .where('updated_at', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
