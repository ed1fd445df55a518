import type { Session, SessionRepository } from '@kirim/core';
import type { Kysely, Selectable } from 'kysely';
import type { Database, SessionsTable } from '../database.js';
import { findRow, listRows, removeRow, updateRow } from '../keyed-rows.js';

const toRecord = (row: Selectable<SessionsTable>): Session => ({
  ...row,
  status: row.status as Session['status'],
  desired: row.desired as Session['desired'],
  settings: JSON.parse(row.settings),
});

function toRow<T extends Partial<Session>>(s: T) {
  const { settings, ...rest } = s;
  return { ...rest, ...(settings !== undefined ? { settings: JSON.stringify(settings) } : {}) };
}

/** Sessions and their leases on Kysely. */
export class KyselySessionRepository implements SessionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(session: Session): Promise<Session> {
    await this.db
      .insertInto('sessions')
      .values(toRow(session) as SessionsTable)
      .execute();
    return session;
  }

  async get(userId: string, id: string): Promise<Session | undefined> {
    const row = await findRow(this.db, 'sessions', { user_id: userId, id });
    return row && toRecord(row);
  }

  async getById(id: string): Promise<Session | undefined> {
    const row = await findRow(this.db, 'sessions', { id });
    return row && toRecord(row);
  }

  async list(userId: string): Promise<Session[]> {
    return (await listRows(this.db, 'sessions', { user_id: userId })).map(toRecord);
  }

  async listAll(): Promise<Session[]> {
    return (await listRows(this.db, 'sessions', {})).map(toRecord);
  }

  async update(id: string, changes: Partial<Omit<Session, 'id' | 'user_id' | 'created_at'>>): Promise<void> {
    await updateRow(this.db, 'sessions', { id }, toRow(changes));
  }

  async remove(id: string): Promise<boolean> {
    return removeRow(this.db, 'sessions', { id });
  }

  async acquireLease(id: string, owner: string, now: string, expiresAt: string): Promise<boolean> {
    const result = await this.db
      .updateTable('sessions')
      .set({ lease_owner: owner, lease_expires_at: expiresAt })
      .where('id', '=', id)
      .where((eb) =>
        eb.or([eb('lease_owner', 'is', null), eb('lease_owner', '=', owner), eb('lease_expires_at', '<', now)]),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async renewLeases(owner: string, expiresAt: string): Promise<Array<Pick<Session, 'id' | 'desired'>>> {
    await this.db
      .updateTable('sessions')
      .set({ lease_expires_at: expiresAt })
      .where('lease_owner', '=', owner)
      .execute();
    const rows = await this.db
      .selectFrom('sessions')
      .select(['id', 'desired'])
      .where('lease_owner', '=', owner)
      .execute();
    return rows as Array<Pick<Session, 'id' | 'desired'>>;
  }

  async releaseLease(id: string, owner: string): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ lease_owner: null, lease_expires_at: null })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .execute();
  }

  async listOrphaned(now: string, limit: number): Promise<Session[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('desired', '=', 'connected')
      .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_expires_at', '<', now)]))
      .orderBy('created_at')
      .limit(limit)
      .execute();
    return rows.map(toRecord);
  }
}
