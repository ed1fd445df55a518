import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { KirimEvent } from '../../events.js';
import type { ConformanceContext } from './conformance-context.js';

function anEvent(userId: string, overrides: Partial<KirimEvent> = {}): KirimEvent {
  return {
    id: `evt_${randomUUID()}`,
    type: 'bulk.progress',
    timestamp: '2026-01-01T00:00:00.000Z',
    user_id: userId,
    data: { job_id: 'job-1', total: 3, sent: 1, failed: 0, pending: 2 },
    ...overrides,
  } as KirimEvent;
}

/** Conformance of `events`, the durable event log. */
export function describeEvents(ctx: ConformanceContext): void {
  /** Appends one event and returns its sequence number (the largest: the suite appends one at a time). */
  const appendOne = async (event: KirimEvent, origin: string) => {
    await ctx.storage().events.append([event], origin);
    return ctx.storage().events.lastSeq();
  };
  describe('EventRepository', () => {
    it('appends with increasing sequence numbers and round-trips the event and its origin', async () => {
      const events = ctx.storage().events;
      expect(await events.lastSeq()).toBe(0);
      const first = anEvent('u1', {
        data: {
          session_id: 's',
          message_id: 'm',
          from: { jid: '62811@s.whatsapp.net', phone: '62811', lid: '123@lid' },
          chat: 'c',
          text: 'hai',
          type: 'text',
          timestamp: 't',
        },
        type: 'message.received',
      } as Partial<KirimEvent>);
      const a = await appendOne(first, 'proc-a');
      const b = await appendOne(anEvent('u1'), 'proc-b');
      expect(typeof a).toBe('number');
      expect(b).toBeGreaterThan(a);
      expect(await events.lastSeq()).toBe(b);
      const listed = await events.listAfter(0, { limit: 10 });
      expect(listed[0]).toEqual({ seq: a, origin: 'proc-a', event: first });
      expect(listed.map((e) => e.seq)).toEqual([a, b]);
    });

    it('lists after a sequence number, up to a bound, by user, in order, limited', async () => {
      const events = ctx.storage().events;
      const seqs: number[] = [];
      for (let i = 0; i < 6; i++) seqs.push(await appendOne(anEvent(i % 2 === 0 ? 'u1' : 'u2'), 'p'));
      expect((await events.listAfter(seqs[1], { limit: 10 })).map((e) => e.seq)).toEqual(seqs.slice(2));
      expect((await events.listAfter(seqs[1], { limit: 2 })).map((e) => e.seq)).toEqual(seqs.slice(2, 4));
      expect((await events.listAfter(0, { limit: 10, userId: 'u2' })).map((e) => e.seq)).toEqual([
        seqs[1],
        seqs[3],
        seqs[5],
      ]);
      expect((await events.listAfter(0, { limit: 10, userId: 'u1', untilSeq: seqs[2] })).map((e) => e.seq)).toEqual([
        seqs[0],
        seqs[2],
      ]);
    });

    it('appends many events at once in order, or none of them when one id exists', async () => {
      const events = ctx.storage().events;
      const many = Array.from({ length: 2500 }, (_, i) => anEvent(i % 2 === 0 ? 'u1' : 'u2'));
      await events.append(many, 'p');
      const listed = await events.listAfter(0, { limit: 3000 });
      expect(listed.map((e) => e.event)).toEqual(many);
      await expect(events.append([anEvent('u1'), many[2000]], 'p')).rejects.toMatchObject({ code: 'conflict' });
      expect(await events.lastSeq()).toBe(listed[2499].seq);
    });

    it("lists for a relay every event in order, leaving out the content of its own process's", async () => {
      const events = ctx.storage().events;
      const mine = await appendOne(anEvent('u1'), 'me');
      const theirs = anEvent('u2');
      const other = await appendOne(theirs, 'them');
      const mine2 = await appendOne(anEvent('u1'), 'me');
      expect(await events.listForRelay(0, 'me', 10)).toEqual([
        { seq: mine, origin: 'me', event: null },
        { seq: other, origin: 'them', event: theirs },
        { seq: mine2, origin: 'me', event: null },
      ]);
      expect((await events.listForRelay(mine, 'me', 1)).map((e) => e.seq)).toEqual([other]);
    });

    it('rejects a second event with the same id as conflict', async () => {
      const event = anEvent('u1');
      await appendOne(event, 'p');
      await expect(appendOne(event, 'p')).rejects.toMatchObject({ code: 'conflict' });
    });

    it('prunes events older than the cutoff and never reuses a sequence number', async () => {
      const events = ctx.storage().events;
      await appendOne(anEvent('u1', { timestamp: '2026-01-01T00:00:00.000Z' }), 'p');
      const kept = await appendOne(anEvent('u1', { timestamp: '2026-01-03T00:00:00.000Z' }), 'p');
      expect(await events.pruneBefore('2026-01-02T00:00:00.000Z')).toBe(1);
      expect((await events.listAfter(0, { limit: 10 })).map((e) => e.seq)).toEqual([kept]);
      const next = await appendOne(anEvent('u1'), 'p');
      expect(next).toBeGreaterThan(kept);
    });

    it('appends nothing when the transaction around it rolls back', async () => {
      const storage = ctx.storage();
      await expect(
        storage.transaction(async (tx) => {
          await tx.events.append([anEvent('u1')], 'p');
          throw new Error('rollback');
        }),
      ).rejects.toThrow('rollback');
      expect(await storage.events.listAfter(0, { limit: 10 })).toEqual([]);
    });
  });
}
