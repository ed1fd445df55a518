import { describe, expect, it } from 'vitest';
import { aLead, aLeadTask, insertTwoUsers, LATER, NOW, type ConformanceContext } from './conformance-context.js';

/** Conformance of `leadTasks`. */
export function describeLeadTasks(ctx: ConformanceContext): void {
  describe('LeadTaskRepository', () => {
    it('round-trips a task and hides it from every other user', async () => {
      const [owner, other] = await insertTwoUsers(ctx.storage());
      const task = aLeadTask(owner, {
        cursor: '{"page":"p2","index":3}',
        error: 'x',
        found: 3,
        saved: 2,
        merged: 1,
        skipped: 0,
        source: 'scraper',
      });
      await ctx.storage().leadTasks.insert(task);
      expect(await ctx.storage().leadTasks.get(owner, task.id)).toEqual(task);
      expect(await ctx.storage().leadTasks.get(other, task.id)).toBeUndefined();
      expect((await ctx.storage().leadTasks.list(other, {}, { limit: 10, offset: 0 })).total).toBe(0);
    });

    it('lists newest first, filtered by status, in pages', async () => {
      const [owner] = await insertTwoUsers(ctx.storage());
      const tasks = [1, 2, 3].map((n) =>
        aLeadTask(owner, { created_at: `2026-01-0${n}T00:00:00.000Z`, status: n === 2 ? 'completed' : 'queued' }),
      );
      for (const task of tasks) await ctx.storage().leadTasks.insert(task);
      const page = await ctx.storage().leadTasks.list(owner, {}, { limit: 2, offset: 0 });
      expect(page.total).toBe(3);
      expect(page.items.map((t) => t.id)).toEqual([tasks[2]!.id, tasks[1]!.id]);
      const queued = await ctx.storage().leadTasks.list(owner, { status: 'queued' }, { limit: 10, offset: 0 });
      expect(queued.items.map((t) => t.id)).toEqual([tasks[2]!.id, tasks[0]!.id]);
    });

    it('claims the oldest queued task for the claimer, then nothing while its lease lasts', async () => {
      const [a, b] = await insertTwoUsers(ctx.storage());
      const newer = aLeadTask(a, { created_at: '2026-01-01T00:05:00.000Z' });
      const older = aLeadTask(b, { created_at: '2026-01-01T00:01:00.000Z' });
      await ctx.storage().leadTasks.insert(newer);
      await ctx.storage().leadTasks.insert(older);
      await ctx
        .storage()
        .leadTasks.insert(aLeadTask(a, { status: 'completed', created_at: '2026-01-01T00:00:00.000Z' }));
      const claimed = await ctx.storage().leadTasks.claim('p1', NOW, LATER);
      expect(claimed).toEqual({
        ...older,
        status: 'running',
        lease_owner: 'p1',
        lease_expires_at: LATER,
        attempts: 1,
        started_at: NOW,
        updated_at: NOW,
      });
      expect((await ctx.storage().leadTasks.claim('p2', NOW, LATER))?.id).toBe(newer.id);
      expect(await ctx.storage().leadTasks.claim('p3', NOW, LATER)).toBeUndefined();
    });

    it('re-claims a running task whose lease expired, keeping started_at; the old holder can no longer update it', async () => {
      const [owner] = await insertTwoUsers(ctx.storage());
      const task = aLeadTask(owner);
      await ctx.storage().leadTasks.insert(task);
      await ctx.storage().leadTasks.claim('dead', '2026-01-01T00:00:00.000Z', '2026-01-01T00:01:00.000Z');
      expect(await ctx.storage().leadTasks.update(task.id, 'dead', { found: 1, cursor: '1' })).toBe(true);
      expect(await ctx.storage().leadTasks.claim('p2', '2026-01-01T00:00:59.000Z', LATER)).toBeUndefined();
      const again = await ctx.storage().leadTasks.claim('p2', NOW, LATER);
      expect(again).toMatchObject({
        id: task.id,
        lease_owner: 'p2',
        attempts: 2,
        started_at: '2026-01-01T00:00:00.000Z',
        found: 1,
        cursor: '1',
      });
      expect(await ctx.storage().leadTasks.update(task.id, 'dead', { found: 2 })).toBe(false);
      expect(
        await ctx
          .storage()
          .leadTasks.update(task.id, 'p2', { status: 'completed', lease_owner: null, finished_at: LATER }),
      ).toBe(true);
      expect(await ctx.storage().leadTasks.update(task.id, 'p2', { found: 9 })).toBe(false);
      expect(await ctx.storage().leadTasks.get(owner, task.id)).toMatchObject({
        status: 'completed',
        found: 1,
        finished_at: LATER,
      });
    });

    it('never hands one task to two concurrent claimers', async () => {
      const [owner] = await insertTwoUsers(ctx.storage());
      for (let i = 0; i < 6; i++)
        await ctx.storage().leadTasks.insert(aLeadTask(owner, { created_at: `2026-01-01T00:00:0${i}.000Z` }));
      const claims = await Promise.all(
        Array.from({ length: 12 }, (_, i) => ctx.storage().leadTasks.claim(`p${i}`, NOW, LATER)),
      );
      const ids = claims.filter((c) => c !== undefined).map((c) => c!.id);
      expect(ids).toHaveLength(6);
      expect(new Set(ids).size).toBe(6);
    });

    it('records results once each, lists them in order for the owner only, and drops a deleted lead', async () => {
      const [owner, other] = await insertTwoUsers(ctx.storage());
      const task = aLeadTask(owner);
      await ctx.storage().leadTasks.insert(task);
      const [first, second] = [
        aLead(owner, { business_name: 'A', phone: '6281220001111' }),
        aLead(owner, { business_name: 'B' }),
      ];
      await ctx.storage().leads.insert(first);
      await ctx.storage().leads.insert(second);
      expect(
        await ctx.storage().leadTasks.addResult(task.id, second.id, { position: 2, merged: false, created_at: NOW }),
      ).toBe(true);
      expect(
        await ctx.storage().leadTasks.addResult(task.id, first.id, { position: 1, merged: true, created_at: NOW }),
      ).toBe(true);
      expect(
        await ctx.storage().leadTasks.addResult(task.id, first.id, { position: 3, merged: true, created_at: NOW }),
      ).toBe(false);
      expect(await ctx.storage().leadTasks.results(owner, task.id)).toEqual([first, second]);
      expect(await ctx.storage().leadTasks.results(other, task.id)).toEqual([]);
      await ctx.storage().leads.remove(owner, first.id);
      expect((await ctx.storage().leadTasks.results(owner, task.id)).map((l) => l.id)).toEqual([second.id]);
    });
  });
}
