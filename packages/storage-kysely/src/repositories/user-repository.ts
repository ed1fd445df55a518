import type { Range, Slice, User, UserRepository } from '@kirim/core';
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { findRow, removeRow, updateRow } from '../keyed-rows.js';
import { selectPage } from '../select-page.js';

/** Users on Kysely. */
export class KyselyUserRepository implements UserRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(user: User): Promise<User> {
    await this.db.insertInto('users').values(user).execute();
    return user;
  }

  async get(id: string): Promise<User | undefined> {
    return (await findRow(this.db, 'users', { id })) as User | undefined;
  }

  async getByEmail(email: string): Promise<User | undefined> {
    return this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst() as Promise<
      User | undefined
    >;
  }

  async list(range: Range): Promise<Slice<User>> {
    const { rows, total } = await selectPage(this.db.selectFrom('users'), range, (q) =>
      q.selectAll().orderBy('created_at').orderBy('id'),
    );
    return { items: rows as User[], total };
  }

  async update(id: string, changes: Partial<Omit<User, 'id' | 'created_at'>>): Promise<User | undefined> {
    await updateRow(this.db, 'users', { id }, changes);
    return this.get(id);
  }

  async remove(id: string): Promise<boolean> {
    return removeRow(this.db, 'users', { id });
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
