import type { Range, Slice, User, UserRepository } from '@kirim/core';
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';

/** Users on Kysely. */
export class KyselyUserRepository implements UserRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(user: User): Promise<User> {
    await this.db.insertInto('users').values(user).execute();
    return user;
  }

  async get(id: string): Promise<User | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst() as Promise<User | undefined>;
  }

  async getByEmail(email: string): Promise<User | undefined> {
    return this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst() as Promise<
      User | undefined
    >;
  }

  async list(range: Range): Promise<Slice<User>> {
    const items = await this.db
      .selectFrom('users')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .limit(range.limit)
      .offset(range.offset)
      .execute();
    return { items: items as User[], total: await this.count() };
  }

  async update(id: string, changes: Partial<Omit<User, 'id' | 'created_at'>>): Promise<User | undefined> {
    if (Object.keys(changes).length > 0) await this.db.updateTable('users').set(changes).where('id', '=', id).execute();
    return this.get(id);
  }

  async remove(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
