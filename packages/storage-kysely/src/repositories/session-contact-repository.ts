import type { Range, SessionContact, SessionContactRepository, Slice } from '@kirim/core';
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { selectPage } from '../select-page.js';

/** Contacts seen by sessions, on Kysely. */
export class KyselySessionContactRepository implements SessionContactRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async upsertMany(contacts: SessionContact[]): Promise<void> {
    for (let i = 0; i < contacts.length; i += 500) {
      await this.db
        .insertInto('session_contacts')
        .values(contacts.slice(i, i + 500))
        .onConflict((oc) =>
          oc.columns(['session_id', 'jid']).doUpdateSet((eb) => ({
            // A sighting without a name or number keeps what an earlier one knew.
            phone: eb.fn.coalesce('excluded.phone', 'session_contacts.phone'),
            lid: eb.fn.coalesce('excluded.lid', 'session_contacts.lid'),
            name: eb.fn.coalesce('excluded.name', 'session_contacts.name'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    }
  }

  async list(sessionId: string, range: Range): Promise<Slice<SessionContact>> {
    const base = this.db.selectFrom('session_contacts').where('session_id', '=', sessionId);
    const { rows, total } = await selectPage(base, range, (q) => q.selectAll().orderBy('name').orderBy('jid'));
    return { items: rows, total };
  }
}
