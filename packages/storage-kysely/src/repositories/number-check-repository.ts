import type { NumberCheck, NumberCheckRepository } from '@kirim/core';
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';

/** Number checks on Kysely. */
export class KyselyNumberCheckRepository implements NumberCheckRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async find(phones: string[], since: string): Promise<NumberCheck[]> {
    if (phones.length === 0) return [];
    const rows = await this.db
      .selectFrom('number_checks')
      .selectAll()
      .where('phone', 'in', [...new Set(phones)])
      .where('checked_at', '>=', since)
      .execute();
    return rows.map((row) => ({ phone: row.phone, exists: row.on_whatsapp === 1, jid: row.jid, lid: row.lid }));
  }

  async save(checks: NumberCheck[], at: string): Promise<void> {
    // One answer per phone: a batch naming a phone twice keeps its last.
    const rows = [...new Map(checks.map((check) => [check.phone, check])).values()].map((check) => ({
      phone: check.phone,
      on_whatsapp: check.exists ? 1 : 0,
      jid: check.jid,
      lid: check.lid,
      checked_at: at,
    }));
    if (rows.length === 0) return;
    await this.db
      .insertInto('number_checks')
      .values(rows)
      .onConflict((oc) =>
        oc.column('phone').doUpdateSet((eb) => ({
          on_whatsapp: eb.ref('excluded.on_whatsapp'),
          jid: eb.ref('excluded.jid'),
          lid: eb.ref('excluded.lid'),
          checked_at: eb.ref('excluded.checked_at'),
        })),
      )
      .execute();
  }
}
