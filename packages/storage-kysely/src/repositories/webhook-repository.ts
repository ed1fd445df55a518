import type { Webhook, WebhookRepository } from '@kirim/core';
import type { Kysely, Selectable } from 'kysely';
import type { Database, WebhooksTable } from '../database.js';
import { fromFlag, toFlags } from '../flags.js';
import { findRow, listRows, removeRow, updateRow } from '../keyed-rows.js';

const toRecord = (row: Selectable<WebhooksTable>): Webhook => ({
  ...row,
  events: JSON.parse(row.events),
  is_active: fromFlag(row.is_active),
});

const toRow = (changes: Partial<Webhook>) => {
  const { events, ...rest } = toFlags(changes);
  return events === undefined ? rest : { ...rest, events: JSON.stringify(events) };
};

/** Webhook subscriptions on Kysely. */
export class KyselyWebhookRepository implements WebhookRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(webhook: Webhook): Promise<Webhook> {
    await this.db
      .insertInto('webhooks')
      .values(toRow(webhook) as WebhooksTable)
      .execute();
    return webhook;
  }

  async get(userId: string, id: string): Promise<Webhook | undefined> {
    const row = await findRow(this.db, 'webhooks', { user_id: userId, id });
    return row && toRecord(row);
  }

  async getById(id: string): Promise<Webhook | undefined> {
    const row = await findRow(this.db, 'webhooks', { id });
    return row && toRecord(row);
  }

  async list(userId: string): Promise<Webhook[]> {
    return (await listRows(this.db, 'webhooks', { user_id: userId })).map(toRecord);
  }

  async listActiveFor(userId: string, eventType: string): Promise<Webhook[]> {
    // A user has a handful of webhooks: their event lists are matched here rather than in dialect-specific JSON SQL.
    const rows = await listRows(this.db, 'webhooks', { user_id: userId, is_active: 1 });
    return rows.map(toRecord).filter((w) => w.events.includes('*') || w.events.includes(eventType));
  }

  async update(
    id: string,
    changes: Partial<Omit<Webhook, 'id' | 'user_id' | 'created_at'>>,
  ): Promise<Webhook | undefined> {
    await updateRow(this.db, 'webhooks', { id }, toRow(changes));
    return this.getById(id);
  }

  async remove(userId: string, id: string): Promise<boolean> {
    return removeRow(this.db, 'webhooks', { user_id: userId, id });
  }
}
