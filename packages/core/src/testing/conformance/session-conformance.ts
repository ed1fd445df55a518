import { describe, expect, it } from 'vitest';
import { aSession, T0, type ConformanceContext } from './conformance-context.js';
import { insertUserWithSession } from './user-with-session.js';

/** Conformance of sessions: their records, leases and credentials. */
export function describeSessions(ctx: ConformanceContext): void {
  const setup = () => insertUserWithSession(ctx.storage());

  describe('SessionRepository', () => {
    it('round-trips every field of a session, its retry time, breaker reason and linked_at included, and writes them back to null', async () => {
      const { userId } = await setup();
      const repo = ctx.storage().sessions;
      const session = aSession(userId, {
        status: 'disconnected',
        reason: 'connection_refused',
        reconnect_attempts: 3,
        next_retry_at: '2026-01-01T00:00:08.000Z',
        circuit_open_until: '2026-01-01T00:05:00.000Z',
        circuit_reason: 'rate-overlimit',
        connected_at: '2026-01-04T00:00:00.000Z',
        linked_at: '2026-01-03T00:00:00.000Z',
        settings: { daily_cap: 10 },
      });
      await repo.insert(session);
      expect(await repo.getById(session.id)).toEqual(session);

      await repo.update(session.id, {
        next_retry_at: null,
        circuit_open_until: null,
        circuit_reason: null,
        linked_at: null,
      });
      expect(await repo.getById(session.id)).toEqual({
        ...session,
        next_retry_at: null,
        circuit_open_until: null,
        circuit_reason: null,
        linked_at: null,
      });
    });
  });

  describe('SessionRepository leases', () => {
    it('lets exactly one of two concurrent owners take a free lease, and lets it be taken when it runs out', async () => {
      const { sessionId } = await setup();
      const repo = ctx.storage().sessions;
      const wins = await Promise.all(
        ['a', 'b', 'c'].map((owner) => repo.acquireLease(sessionId, owner, T0, '2026-01-01T00:00:30.000Z')),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
      const holder = ['a', 'b', 'c'][wins.indexOf(true)];
      expect(await repo.acquireLease(sessionId, 'z', '2026-01-01T00:00:10.000Z', '2026-01-01T00:00:40.000Z')).toBe(
        false,
      );
      expect(await repo.acquireLease(sessionId, 'z', '2026-01-01T00:00:31.000Z', '2026-01-01T00:01:01.000Z')).toBe(
        true,
      );
      expect(await repo.renewLeases(holder, '2026-01-01T00:05:00.000Z')).toEqual([]);
      expect(await repo.renewLeases('z', '2026-01-01T00:05:00.000Z')).toEqual([
        { id: sessionId, desired: 'connected' },
      ]);
    });

    it('lists sessions that should run and nobody drives', async () => {
      const { userId, sessionId } = await setup();
      await ctx.storage().sessions.insert(aSession(userId, { desired: 'disconnected' }));
      expect((await ctx.storage().sessions.listOrphaned(T0, 10)).map((s) => s.id)).toEqual([sessionId]);
      await ctx.storage().sessions.acquireLease(sessionId, 'a', T0, '2026-01-01T00:00:30.000Z');
      expect(await ctx.storage().sessions.listOrphaned('2026-01-01T00:00:10.000Z', 10)).toEqual([]);
      expect(await ctx.storage().sessions.listOrphaned('2026-01-01T00:00:31.000Z', 10)).toHaveLength(1);
    });
  });

  describe('SessionAuthRepository', () => {
    it('writes, overwrites and deletes keys, and clears a session', async () => {
      const { sessionId } = await setup();
      const auth = ctx.storage().sessionAuth;
      await auth.set(sessionId, { 'pre-key': { '1': 'a', '2': 'b' }, creds: { creds: '{}' } });
      await auth.set(sessionId, { 'pre-key': { '1': null, '2': 'c' } });
      await auth.set(sessionId, { 'pre-key': { '2': 'c' } });
      expect(await auth.get(sessionId, 'pre-key', ['1', '2', '3'])).toEqual({ '2': 'c' });
      expect(await auth.has(sessionId)).toBe(true);
      await auth.clear(sessionId);
      expect(await auth.has(sessionId)).toBe(false);
    });
  });
}
