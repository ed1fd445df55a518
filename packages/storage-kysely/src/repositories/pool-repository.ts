import type { Pool, PoolRepository } from '@kirim/core';
import type { Kysely, Selectable } from 'kysely';
import type { Database, PoolsTable } from '../database.js';
import { findRow, insertNew, listRows, removeRow, updateRow } from '../keyed-rows.js';
import { transact } from '../transact.js';

/** Send pools on Kysely; members are kept in their own table and read with the pool. */
export class KyselyPoolRepository implements PoolRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(pool: Pool): Promise<Pool> {
    const { session_ids, settings, ...row } = pool;
    // One transaction: a member that is no session leaves no pool behind.
    await transact(this.db, async (trx) => {
      await trx
        .insertInto('pools')
        .values({ ...row, settings: JSON.stringify(settings) })
        .execute();
      await new KyselyPoolRepository(trx).addMembers(pool.id, session_ids, pool.created_at);
    });
    return pool;
  }

  async get(userId: string, id: string): Promise<Pool | undefined> {
    const row = await findRow(this.db, 'pools', { user_id: userId, id });
    return row && (await this.withMembers([row]))[0];
  }

  async list(userId: string): Promise<Pool[]> {
    return this.withMembers(await listRows(this.db, 'pools', { user_id: userId }));
  }

  async update(
    userId: string,
    id: string,
    changes: Partial<Pick<Pool, 'name' | 'strategy' | 'settings' | 'updated_at'>>,
  ): Promise<Pool | undefined> {
    const { settings, ...rest } = changes;
    const set = { ...rest, ...(settings !== undefined ? { settings: JSON.stringify(settings) } : {}) };
    await updateRow(this.db, 'pools', { user_id: userId, id }, set);
    return this.get(userId, id);
  }

  async remove(userId: string, id: string): Promise<boolean> {
    return removeRow(this.db, 'pools', { user_id: userId, id });
  }

  async addMembers(poolId: string, sessionIds: string[], at: string): Promise<void> {
    const members = sessionIds.map((session_id) => ({ pool_id: poolId, session_id, created_at: at }));
    await insertNew(this.db, 'pool_members', members, ['pool_id', 'session_id']);
  }

  async removeMembers(poolId: string, sessionIds: string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    await this.db
      .deleteFrom('pool_members')
      .where('pool_id', '=', poolId)
      .where('session_id', 'in', sessionIds)
      .execute();
  }

  async poolsOfSessions(sessionIds: string[]): Promise<Pool[]> {
    if (sessionIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('pools')
      .selectAll('pools')
      .where('id', 'in', (eb) => eb.selectFrom('pool_members').select('pool_id').where('session_id', 'in', sessionIds))
      .execute();
    return this.withMembers(rows);
  }

  private async withMembers(rows: Selectable<PoolsTable>[]): Promise<Pool[]> {
    if (rows.length === 0) return [];
    const members = await this.db
      .selectFrom('pool_members')
      .select(['pool_id', 'session_id'])
      .where(
        'pool_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('created_at')
      .orderBy('session_id')
      .execute();
    return rows.map((row) => ({
      ...row,
      strategy: row.strategy as Pool['strategy'],
      settings: JSON.parse(row.settings),
      session_ids: members.filter((m) => m.pool_id === row.id).map((m) => m.session_id),
    }));
  }
}
