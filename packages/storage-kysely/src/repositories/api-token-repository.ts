import type { ApiToken, ApiTokenRepository, User } from '@kirim/core';
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { removeRow } from '../keyed-rows.js';

/** API tokens on Kysely. */
export class KyselyApiTokenRepository implements ApiTokenRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(token: ApiToken): Promise<ApiToken> {
    await this.db.insertInto('api_tokens').values(token).execute();
    return token;
  }

  async findByHash(hash: string): Promise<{ token: ApiToken; user: User } | undefined> {
    const token = await this.db.selectFrom('api_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
    if (!token) return undefined;
    const user = await this.db.selectFrom('users').selectAll().where('id', '=', token.user_id).executeTakeFirst();
    return user ? { token, user: user as User } : undefined;
  }

  async listByUser(userId: string): Promise<ApiToken[]> {
    return this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
  }

  async remove(userId: string, id: string): Promise<boolean> {
    return removeRow(this.db, 'api_tokens', { user_id: userId, id });
  }

  async touch(id: string, at: string): Promise<void> {
    await this.db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
  }
}
