import type { Announcement, AnnouncementRepository, Range, Slice } from '@kirim/core';
import type { Kysely, Selectable } from 'kysely';
import type { AnnouncementsTable, Database } from '../database.js';
import { fromFlag, toFlags } from '../flags.js';

const toRecord = (row: Selectable<AnnouncementsTable>): Announcement => ({
  ...row,
  type: row.type as Announcement['type'],
  is_active: fromFlag(row.is_active),
});

/** Announcements on Kysely. */
export class KyselyAnnouncementRepository implements AnnouncementRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(announcement: Announcement): Promise<Announcement> {
    await this.db.insertInto('announcements').values(toFlags(announcement)).execute();
    return announcement;
  }

  async get(id: string): Promise<Announcement | undefined> {
    const row = await this.db.selectFrom('announcements').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  async list(range: Range): Promise<Slice<Announcement>> {
    const rows = await this.db
      .selectFrom('announcements')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(range.limit)
      .offset(range.offset)
      .execute();
    const { n } = await this.db
      .selectFrom('announcements')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return { items: rows.map(toRecord), total: Number(n) };
  }

  async listVisible(now: string): Promise<Announcement[]> {
    const rows = await this.db
      .selectFrom('announcements')
      .selectAll()
      .where('is_active', '=', 1)
      .where((eb) => eb.or([eb('starts_at', 'is', null), eb('starts_at', '<=', now)]))
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map(toRecord);
  }

  async update(
    id: string,
    changes: Partial<Omit<Announcement, 'id' | 'created_at'>>,
  ): Promise<Announcement | undefined> {
    if (Object.keys(changes).length > 0)
      await this.db.updateTable('announcements').set(toFlags(changes)).where('id', '=', id).execute();
    return this.get(id);
  }

  async remove(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('announcements').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
