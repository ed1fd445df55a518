import { describe, expect, it } from 'vitest';
import type { Pool } from '../../pools/pool-schemas.js';
import { aSession, aUser, ownedRecord, T0, type ConformanceContext } from './conformance-context.js';

const aPool = ownedRecord<Pool>(() => ({
  name: 'pool',
  strategy: 'round_robin',
  settings: {},
  session_ids: [],
  created_at: T0,
  updated_at: T0,
}));

/** Conformance of `pools`: send pools and their member sessions. */
export function describePools(ctx: ConformanceContext): void {
  const setup = async (sessions = 0) => {
    const storage = ctx.storage();
    const user = await storage.users.insert(aUser());
    const sessionIds: string[] = [];
    for (let i = 0; i < sessions; i++) sessionIds.push((await storage.sessions.insert(aSession(user.id))).id);
    return { storage, userId: user.id, sessionIds };
  };

  describe('PoolRepository', () => {
    it('round-trips every field, settings and members included; members joining together are in session id order', async () => {
      const { storage, userId, sessionIds } = await setup(3);
      const pool = aPool(userId, {
        name: 'sales',
        settings: { daily_cap: 50, min_gap_ms: 2000 },
        session_ids: [...sessionIds].sort(),
      });
      await storage.pools.insert({ ...pool, session_ids: [sessionIds[2], sessionIds[0], sessionIds[1]] });
      expect(await storage.pools.get(userId, pool.id)).toEqual(pool);
    });

    it('hides a pool from every other user: get, list, update and remove', async () => {
      const { storage, userId, sessionIds } = await setup(1);
      const other = await setup();
      const pool = await storage.pools.insert(aPool(userId, { session_ids: sessionIds }));
      expect(await storage.pools.get(other.userId, pool.id)).toBeUndefined();
      expect(await storage.pools.list(other.userId)).toEqual([]);
      expect(
        await storage.pools.update(other.userId, pool.id, { name: 'taken', updated_at: '2026-01-02T00:00:00.000Z' }),
      ).toBeUndefined();
      expect(await storage.pools.remove(other.userId, pool.id)).toBe(false);
      expect(await storage.pools.get(userId, pool.id)).toEqual(pool);
    });

    it("lists the user's pools oldest first, ties by id", async () => {
      const { storage, userId } = await setup();
      const later = await storage.pools.insert(
        aPool(userId, { name: 'later', created_at: '2026-01-03T00:00:00.000Z' }),
      );
      const tied = [aPool(userId, { name: 'a' }), aPool(userId, { name: 'b' })].sort((a, b) =>
        a.id.localeCompare(b.id),
      );
      for (const pool of [...tied].reverse()) await storage.pools.insert(pool);
      expect((await storage.pools.list(userId)).map((p) => p.name)).toEqual([...tied.map((p) => p.name), later.name]);
    });

    it('rejects a second pool with the same id as conflict naming id, keeping the first', async () => {
      const { storage, userId } = await setup();
      const pool = await storage.pools.insert(aPool(userId, { name: 'first' }));
      const error = await storage.pools.insert(aPool(userId, { id: pool.id, name: 'second' })).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'conflict', details: { id: ['already exists'] } });
      expect(await storage.pools.get(userId, pool.id)).toEqual(pool);
    });

    it('stores no pool when one of its members is no session (not_found)', async () => {
      const { storage, userId, sessionIds } = await setup(1);
      const pool = aPool(userId, { session_ids: [sessionIds[0], 'no-such-session'] });
      await expect(storage.pools.insert(pool)).rejects.toMatchObject({ code: 'not_found' });
      expect(await storage.pools.list(userId)).toEqual([]);
    });

    it('updates only the given fields, and settings as a whole', async () => {
      const { storage, userId, sessionIds } = await setup(1);
      const pool = await storage.pools.insert(aPool(userId, { settings: { daily_cap: 5 }, session_ids: sessionIds }));
      const at = '2026-01-02T00:00:00.000Z';
      expect(await storage.pools.update(userId, pool.id, { name: 'renamed', updated_at: at })).toEqual({
        ...pool,
        name: 'renamed',
        updated_at: at,
      });
      expect(await storage.pools.update(userId, pool.id, { settings: { min_gap_ms: 1000 } })).toEqual({
        ...pool,
        name: 'renamed',
        settings: { min_gap_ms: 1000 },
        updated_at: at,
      });
    });

    it('adds members after the ones it has, in the order they joined (a repeat is no error), and removes only the named ones', async () => {
      const { storage, userId, sessionIds } = await setup(3);
      const pool = await storage.pools.insert(aPool(userId, { session_ids: [sessionIds[0]] }));
      await storage.pools.addMembers(pool.id, [sessionIds[0], sessionIds[1]], '2026-01-02T00:00:00.000Z');
      await storage.pools.addMembers(pool.id, [sessionIds[2]], '2026-01-03T00:00:00.000Z');
      await storage.pools.addMembers(pool.id, [], '2026-01-04T00:00:00.000Z');
      expect((await storage.pools.get(userId, pool.id))?.session_ids).toEqual(sessionIds);
      await storage.pools.removeMembers(pool.id, [sessionIds[1], 'never-a-member']);
      await storage.pools.removeMembers(pool.id, []);
      expect((await storage.pools.get(userId, pool.id))?.session_ids).toEqual([sessionIds[0], sessionIds[2]]);
    });

    it('finds every pool having any of the sessions, each with all its members, and none for no sessions', async () => {
      const { storage, userId, sessionIds } = await setup(3);
      const first = await storage.pools.insert(
        aPool(userId, { name: 'first', session_ids: [sessionIds[0], sessionIds[1]] }),
      );
      const second = await storage.pools.insert(
        aPool(userId, { name: 'second', session_ids: [sessionIds[1], sessionIds[2]] }),
      );
      await storage.pools.insert(aPool(userId, { name: 'empty' }));
      const stored = async (pool: Pool) => (await storage.pools.get(userId, pool.id))!;
      const byName = (pools: Pool[]) => [...pools].sort((a, b) => a.name.localeCompare(b.name));
      expect(byName(await storage.pools.poolsOfSessions([sessionIds[1]]))).toEqual([
        await stored(first),
        await stored(second),
      ]);
      expect(await storage.pools.poolsOfSessions([sessionIds[2], sessionIds[2]])).toEqual([await stored(second)]);
      expect(await storage.pools.poolsOfSessions([])).toEqual([]);
    });

    it("drops a removed session from every pool it was in, and a removed pool's members with it", async () => {
      const { storage, userId, sessionIds } = await setup(2);
      const pool = await storage.pools.insert(aPool(userId, { session_ids: sessionIds }));
      expect(await storage.sessions.remove(sessionIds[0])).toBe(true);
      expect((await storage.pools.get(userId, pool.id))?.session_ids).toEqual([sessionIds[1]]);
      expect(await storage.pools.remove(userId, pool.id)).toBe(true);
      expect(await storage.pools.get(userId, pool.id)).toBeUndefined();
      expect(await storage.pools.poolsOfSessions([sessionIds[1]])).toEqual([]);
      expect(await storage.pools.remove(userId, pool.id)).toBe(false);
    });
  });
}
