import type { EventRepository, KirimEvent, StoredEvent } from '@kirim/core';
import type { Kysely, Selectable } from 'kysely';
import type { Database, EventsTable } from '../database.js';

// pg returns bigint columns as strings.
const toStored = (row: Selectable<EventsTable>): StoredEvent => ({
  seq: Number(row.seq),
  origin: row.origin,
  event: { id: row.id, type: row.type, timestamp: row.timestamp, user_id: row.user_id, data: JSON.parse(row.data) } as KirimEvent,
});

/** The durable event log on Kysely. */
export class KyselyEventRepository implements EventRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async append(event: KirimEvent, origin: string): Promise<number> {
    const row = await this.db
      .insertInto('events')
      .values({ id: event.id, type: event.type, user_id: event.user_id, origin, timestamp: event.timestamp, data: JSON.stringify(event.data) })
      .returning('seq')
      .executeTakeFirstOrThrow();
    return Number(row.seq);
  }

  async listAfter(afterSeq: number, options: { limit: number; userId?: string; untilSeq?: number }): Promise<StoredEvent[]> {
    let query = this.db.selectFrom('events').selectAll().where('seq', '>', afterSeq);
    if (options.userId !== undefined) query = query.where('user_id', '=', options.userId);
    if (options.untilSeq !== undefined) query = query.where('seq', '<=', options.untilSeq);
    const rows = await query.orderBy('seq').limit(options.limit).execute();
    return rows.map(toStored);
  }

  async lastSeq(): Promise<number> {
    const row = await this.db.selectFrom('events').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
    return Number(row?.seq ?? 0);
  }

  async pruneBefore(before: string): Promise<number> {
    const result = await this.db.deleteFrom('events').where('timestamp', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
