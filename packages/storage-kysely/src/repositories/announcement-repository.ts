import type { Announcement, AnnouncementRepository, Range, Slice } from '@kirim/core';
import type { Kysely, Selectable } from 'kysely';
import type { AnnouncementsTable, Database } from '../database.js';
import { fromFlag, toFlags } from '../flags.js';
import { findRow, removeRow, updateRow } from '../keyed-rows.js';
import { selectPage } from '../select-page.js';

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
    const row = await findRow(this.db, 'announcements', { id });
    return row && toRecord(row);
  }

  async list(range: Range): Promise<Slice<Announcement>> {
    const { rows, total } = await selectPage(this.db.selectFrom('announcements'), range, (q) =>
      q.selectAll().orderBy('created_at', 'desc').orderBy('id'),
    );
    return { items: rows.map(toRecord), total };
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
    await updateRow(this.db, 'announcements', { id }, toFlags(changes));
    return this.get(id);
  }

  async remove(id: string): Promise<boolean> {
    return removeRow(this.db, 'announcements', { id });
  }
}
