import type { WhatsappGroup, WhatsappGroupRepository } from '@kirim/core';
import type { Kysely, Selectable } from 'kysely';
import type { Database, WhatsappGroupsTable } from '../database.js';
import { removeRow } from '../keyed-rows.js';
import { transact } from '../transact.js';

const toRecord = (row: Selectable<WhatsappGroupsTable>): WhatsappGroup => ({
  ...row,
  participants: JSON.parse(row.participants),
});
const toRow = (g: WhatsappGroup): WhatsappGroupsTable => ({ ...g, participants: JSON.stringify(g.participants) });

/** Saved WhatsApp groups on Kysely. */
export class KyselyWhatsappGroupRepository implements WhatsappGroupRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async listBySession(userId: string, sessionId: string): Promise<WhatsappGroup[]> {
    const rows = await this.db
      .selectFrom('whatsapp_groups')
      .selectAll()
      .where('user_id', '=', userId)
      .where('session_id', '=', sessionId)
      .orderBy('subject')
      .orderBy('jid')
      .execute();
    return rows.map(toRecord);
  }

  async replaceForSession(
    userId: string,
    sessionId: string,
    groups: WhatsappGroup[],
  ): Promise<{ added: number; updated: number; removed: number }> {
    return transact(this.db, async (trx) => {
      const known = new Map(
        (
          await trx.selectFrom('whatsapp_groups').select(['id', 'jid']).where('session_id', '=', sessionId).execute()
        ).map((r) => [r.jid, r.id]),
      );
      let added = 0;
      let updated = 0;
      for (const group of groups) {
        const id = known.get(group.jid);
        if (id) {
          const { id: _id, created_at: _created, user_id: _user, session_id: _session, ...changes } = toRow(group);
          await trx.updateTable('whatsapp_groups').set(changes).where('id', '=', id).execute();
          known.delete(group.jid);
          updated++;
        } else {
          await trx
            .insertInto('whatsapp_groups')
            .values(toRow({ ...group, user_id: userId, session_id: sessionId }))
            .execute();
          added++;
        }
      }
      const gone = [...known.values()];
      if (gone.length > 0) await trx.deleteFrom('whatsapp_groups').where('id', 'in', gone).execute();
      return { added, updated, removed: gone.length };
    });
  }

  async findByJid(sessionId: string, jid: string): Promise<WhatsappGroup | undefined> {
    const row = await this.db
      .selectFrom('whatsapp_groups')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('jid', '=', jid)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async update(group: WhatsappGroup): Promise<void> {
    const { id, created_at: _created, user_id: _user, session_id: _session, ...changes } = toRow(group);
    await this.db.updateTable('whatsapp_groups').set(changes).where('id', '=', id).execute();
  }

  async remove(userId: string, id: string): Promise<boolean> {
    return removeRow(this.db, 'whatsapp_groups', { user_id: userId, id });
  }
}
