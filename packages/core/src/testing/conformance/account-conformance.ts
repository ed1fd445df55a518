import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ApiToken } from '../../accounts/account-schemas.js';
import { aUser, ownedRecord, type ConformanceContext } from './conformance-context.js';

const aToken = ownedRecord<ApiToken>(() => ({
  name: 'token',
  token_hash: randomUUID().replace(/-/g, ''),
  token_prefix: 'kirim_abcd…',
  created_at: new Date().toISOString(),
  expired_at: null,
  last_used_at: null,
}));

/** Conformance of `users` and `apiTokens`. */
export function describeAccounts(ctx: ConformanceContext): void {
  describe('UserRepository', () => {
    it('returns an inserted user by id and by email', async () => {
      const user = aUser();
      await ctx.storage().users.insert(user);
      expect(await ctx.storage().users.get(user.id)).toEqual(user);
      expect(await ctx.storage().users.getByEmail(user.email)).toEqual(user);
      expect(await ctx.storage().users.get(randomUUID())).toBeUndefined();
    });

    it('rejects a second user with the same email as conflict naming email, on insert and update', async () => {
      const user = aUser();
      await ctx.storage().users.insert(user);
      const taken = { code: 'conflict', details: { email: ['already exists'] } };
      await expect(ctx.storage().users.insert(aUser({ email: user.email }))).rejects.toMatchObject(taken);
      const other = await ctx.storage().users.insert(aUser());
      await expect(ctx.storage().users.update(other.id, { email: user.email })).rejects.toMatchObject(taken);
    });

    it('pages users in creation order with the total', async () => {
      const users = [0, 1, 2, 3, 4].map((i) => aUser({ created_at: `2026-01-0${i + 1}T00:00:00.000Z` }));
      for (const user of [...users].reverse()) await ctx.storage().users.insert(user);
      const page = await ctx.storage().users.list({ limit: 2, offset: 2 });
      expect(page.total).toBe(5);
      expect(page.items.map((u) => u.id)).toEqual([users[2].id, users[3].id]);
    });

    it('updates fields and returns undefined for a missing user', async () => {
      const user = aUser();
      await ctx.storage().users.insert(user);
      const updated = await ctx
        .storage()
        .users.update(user.id, { plan: 'supporter', plan_expires_at: '2030-01-01T00:00:00.000Z' });
      expect(updated).toMatchObject({
        plan: 'supporter',
        plan_expires_at: '2030-01-01T00:00:00.000Z',
        email: user.email,
      });
      expect(await ctx.storage().users.update(randomUUID(), { name: 'x' })).toBeUndefined();
    });

    it('deleting a user deletes its tokens', async () => {
      const user = aUser();
      await ctx.storage().users.insert(user);
      const token = aToken(user.id);
      await ctx.storage().apiTokens.insert(token);
      expect(await ctx.storage().users.remove(user.id)).toBe(true);
      expect(await ctx.storage().users.remove(user.id)).toBe(false);
      expect(await ctx.storage().apiTokens.findByHash(token.token_hash)).toBeUndefined();
    });
  });

  describe('ApiTokenRepository', () => {
    it('finds a token and its user by hash', async () => {
      const user = aUser();
      await ctx.storage().users.insert(user);
      const token = aToken(user.id);
      await ctx.storage().apiTokens.insert(token);
      expect(await ctx.storage().apiTokens.findByHash(token.token_hash)).toEqual({ token, user });
      expect(await ctx.storage().apiTokens.findByHash('0'.repeat(64))).toBeUndefined();
    });

    it('removes a token only for its owner', async () => {
      const owner = aUser();
      const other = aUser();
      await ctx.storage().users.insert(owner);
      await ctx.storage().users.insert(other);
      const token = aToken(owner.id);
      await ctx.storage().apiTokens.insert(token);
      expect(await ctx.storage().apiTokens.remove(other.id, token.id)).toBe(false);
      expect(await ctx.storage().apiTokens.listByUser(owner.id)).toHaveLength(1);
      expect(await ctx.storage().apiTokens.remove(owner.id, token.id)).toBe(true);
      expect(await ctx.storage().apiTokens.listByUser(owner.id)).toEqual([]);
    });

    it("lists a user's tokens newest first and records use", async () => {
      const user = aUser();
      await ctx.storage().users.insert(user);
      const older = aToken(user.id, { created_at: '2026-01-01T00:00:00.000Z' });
      const newer = aToken(user.id, { created_at: '2026-02-01T00:00:00.000Z' });
      await ctx.storage().apiTokens.insert(older);
      await ctx.storage().apiTokens.insert(newer);
      await ctx.storage().apiTokens.touch(older.id, '2026-03-01T00:00:00.000Z');
      const listed = await ctx.storage().apiTokens.listByUser(user.id);
      expect(listed.map((t) => t.id)).toEqual([newer.id, older.id]);
      expect(listed[1].last_used_at).toBe('2026-03-01T00:00:00.000Z');
    });

    it('rejects a token for a user that does not exist', async () => {
      await expect(ctx.storage().apiTokens.insert(aToken(randomUUID()))).rejects.toMatchObject({ code: 'not_found' });
    });
  });

  describe('Storage.transaction', () => {
    it('rolls back every write when the work throws', async () => {
      const user = aUser();
      await expect(
        ctx.storage().transaction(async (tx) => {
          await tx.users.insert(user);
          await tx.apiTokens.insert(aToken(user.id));
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await ctx.storage().users.get(user.id)).toBeUndefined();
    });

    it('commits every write when the work succeeds', async () => {
      const user = aUser();
      const result = await ctx.storage().transaction(async (tx) => {
        await tx.users.insert(user);
        return tx.transaction(async (nested) => nested.users.count());
      });
      expect(result).toBe(1);
      expect(await ctx.storage().users.get(user.id)).toEqual(user);
    });

    it('runs migrations again without error', async () => {
      await ctx.storage().migrate();
      expect(await ctx.storage().users.count()).toBe(0);
    });
  });
}
