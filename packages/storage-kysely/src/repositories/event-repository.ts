import type { EventRepository, KirimEvent, RelayedEvent, StoredEvent } from '@kirim/core';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, EventsTable } from '../database.js';
import type { SqlDialect } from '../dialect.js';
import { insertMany } from '../insert-many.js';
import { transact } from '../transact.js';

// pg returns bigint columns as strings.
const toStored = (row: Selectable<EventsTable>): StoredEvent => ({
  seq: Number(row.seq),
  origin: row.origin,
  event: {
    id: row.id,
    type: row.type,
    timestamp: row.timestamp,
    user_id: row.user_id,
    data: JSON.parse(row.data),
  } as KirimEvent,
});

/** The durable event log on Kysely. */
export class KyselyEventRepository implements EventRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async append(events: KirimEvent[], origin: string): Promise<void> {
    const rows = events.map((e) => ({
      id: e.id,
      type: e.type,
      user_id: e.user_id,
      origin,
      timestamp: e.timestamp,
      data: JSON.stringify(e.data),
    }));
    await transact(this.db, (trx) => insertMany(trx, this.dialect, 'events', rows));
  }

  async listAfter(
    afterSeq: number,
    options: { limit: number; userId?: string; untilSeq?: number },
  ): Promise<StoredEvent[]> {
    let query = this.db.selectFrom('events').selectAll().where('seq', '>', afterSeq);
    if (options.userId !== undefined) query = query.where('user_id', '=', options.userId);
    if (options.untilSeq !== undefined) query = query.where('seq', '<=', options.untilSeq);
    const rows = await query.orderBy('seq').limit(options.limit).execute();
    return rows.map(toStored);
  }

  async listForRelay(afterSeq: number, origin: string, limit: number): Promise<RelayedEvent[]> {
    const rows = await this.db
      .selectFrom('events')
      .select([
        'seq',
        'origin',
        'id',
        'type',
        'user_id',
        'timestamp',
        sql<string>`case when origin = ${origin} then null else data end`.as('data'),
      ])
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((row) => (row.origin === origin ? { seq: Number(row.seq), origin, event: null } : toStored(row)));
  }

  async lastSeq(): Promise<number> {
    const row = await this.db
      .selectFrom('events')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirst();
    return Number(row?.seq ?? 0);
  }

  async pruneBefore(before: string): Promise<number> {
    const result = await this.db.deleteFrom('events').where('timestamp', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
