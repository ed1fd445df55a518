import type { OptOutRepository } from '@kirim/core';
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { insertNew } from '../keyed-rows.js';

/** Opt-outs on Kysely. */
export class KyselyOptOutRepository implements OptOutRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async add(userId: string, phone: string, reason: string, at: string): Promise<void> {
    await insertNew(this.db, 'opt_outs', [{ user_id: userId, phone, reason, created_at: at }], ['user_id', 'phone']);
  }

  async filter(userId: string, phones: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < phones.length; i += 1000) {
      const rows = await this.db
        .selectFrom('opt_outs')
        .select('phone')
        .where('user_id', '=', userId)
        .where('phone', 'in', phones.slice(i, i + 1000))
        .execute();
      for (const row of rows) found.add(row.phone);
    }
    return found;
  }
}
