import type { SessionAuthRepository } from '@kirim/core';
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { transact } from '../transact.js';

/** A session's credentials and keys on Kysely: one row per (kind, id), written in one transaction. */
export class KyselySessionAuthRepository implements SessionAuthRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(sessionId: string, kind: string, ids: string[]): Promise<Record<string, string>> {
    if (ids.length === 0) return {};
    const found: Record<string, string> = {};
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db
        .selectFrom('session_auth')
        .select(['key_id', 'value'])
        .where('session_id', '=', sessionId)
        .where('kind', '=', kind)
        .where('key_id', 'in', ids.slice(i, i + 500))
        .execute();
      for (const row of rows) found[row.key_id] = row.value;
    }
    return found;
  }

  async set(sessionId: string, entries: Record<string, Record<string, string | null>>): Promise<void> {
    await transact(this.db, async (trx) => {
      for (const [kind, values] of Object.entries(entries)) {
        for (const [keyId, value] of Object.entries(values)) {
          if (value === null) {
            await trx
              .deleteFrom('session_auth')
              .where('session_id', '=', sessionId)
              .where('kind', '=', kind)
              .where('key_id', '=', keyId)
              .execute();
          } else {
            await trx
              .insertInto('session_auth')
              .values({ session_id: sessionId, kind, key_id: keyId, value })
              .onConflict((oc) => oc.columns(['session_id', 'kind', 'key_id']).doUpdateSet({ value }))
              .execute();
          }
        }
      }
    });
  }

  async clear(sessionId: string): Promise<void> {
    await this.db.deleteFrom('session_auth').where('session_id', '=', sessionId).execute();
  }

  async has(sessionId: string): Promise<boolean> {
    return (
      (await this.db
        .selectFrom('session_auth')
        .select('kind')
        .where('session_id', '=', sessionId)
        .limit(1)
        .executeTakeFirst()) !== undefined
    );
  }
}
