import { describe, expect, it } from 'vitest';
import { aQueuedMessage, aSession, T0, type ConformanceContext } from './conformance-context.js';
import { insertUserWithSession } from './user-with-session.js';

/** Conformance of the outbox: enqueueing, claims, receipts, completion and recovery. */
export function describeOutbox(ctx: ConformanceContext): void {
  const setup = () => insertUserWithSession(ctx.storage());
  const sendAll = (id: string, limit: number) => ({
    owner: 'p1',
    now: '2026-01-02T00:00:00.000Z',
    sessions: [{ id, limit }],
    pools: [],
  });

  describe('OutboxRepository', () => {
    it('enqueues many rows at once, returning their ids in order, every field round-tripping', async () => {
      const { userId, sessionId } = await setup();
      const rows = Array.from({ length: 2500 }, (_, i) =>
        aQueuedMessage(userId, sessionId, {
          peer_phone: String(6281300000000 + i),
          text: `Halo "${i}", it's {promo}\n`,
          kind: 'bulk',
          job_id: 'job-1',
          not_before: new Date(Date.parse(T0) + i).toISOString(),
          ...(i === 7
            ? {
                media: { type: 'image' as const, url: 'https://example.com/a.png', filename: 'a.png' },
                mentions: ['6281300000001@s.whatsapp.net'],
                text: null,
              }
            : {}),
          ...(i === 1500 ? { idempotency_key: 'key-1', attempts: 2 } : {}),
        }),
      );
      const ids = await ctx.storage().outbox.enqueue(rows);
      expect(ids).toHaveLength(2500);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      const stored = new Map((await ctx.storage().outbox.getMany(ids)).map((m) => [m.id, m]));
      const life = {
        status_history: [{ status: 'queued', at: T0 }],
        reactions: [],
        poll_votes: [],
        edited_at: null,
        revoked_at: null,
      };
      ids.forEach((id, i) => expect(stored.get(id)).toEqual({ ...rows[i], id, ...life }));
      expect(await ctx.storage().outbox.findByIdempotencyKey(userId, 'key-1')).toMatchObject({
        id: ids[1500],
        attempts: 2,
      });
    });

    it('never hands one row to two concurrent claimers', async () => {
      const { userId, sessionId } = await setup();
      await ctx.storage().outbox.enqueue(Array.from({ length: 120 }, () => aQueuedMessage(userId, sessionId)));
      const claim = (owner: string) =>
        ctx.storage().outbox.claim({ ...sendAll(sessionId, 50), owner }, (row) => ({
          send: { session_id: sessionId, message_id: `${owner}-${row.id}` },
        }));
      const rounds = await Promise.all(['a', 'b', 'c', 'd', 'e'].map(claim));
      const first = rounds.flat().map((r) => r.id);
      expect(new Set(first).size).toBe(first.length);
      const rest = (await claim('f')).concat(await claim('g'), await claim('h'));
      const all = [...first, ...rest.map((r) => r.id)];
      expect(new Set(all).size).toBe(120);
      expect(all).toHaveLength(120);
    });

    it('claims only due rows of the given session, oldest first, and records the decision', async () => {
      const { userId, sessionId } = await setup();
      const other = await ctx.storage().sessions.insert(aSession(userId));
      const [late, early] = await ctx
        .storage()
        .outbox.enqueue([
          aQueuedMessage(userId, sessionId, { not_before: '2026-01-01T00:00:02.000Z' }),
          aQueuedMessage(userId, sessionId, { not_before: '2026-01-01T00:00:01.000Z' }),
          aQueuedMessage(userId, sessionId, { not_before: '2026-01-03T00:00:00.000Z' }),
          aQueuedMessage(userId, other.id),
        ]);
      const claimed = await ctx
        .storage()
        .outbox.claim(sendAll(sessionId, 10), (row) =>
          row.id === late ? { fail: 'no' } : { send: { session_id: sessionId, message_id: 'WA1' } },
        );
      expect(claimed.map((r) => r.id)).toEqual([early]);
      expect(claimed[0]).toMatchObject({ status: 'sending', message_id: 'WA1', claimed_by: 'p1', attempts: 1 });
      expect(await ctx.storage().outbox.get(userId, late)).toMatchObject({ status: 'failed', error: 'no' });
    });

    it("applies each message's receipts in order, moving it only up the ladder and failing it only undelivered, and returns those that moved with their steps", async () => {
      const { userId, sessionId } = await setup();
      const [a, b, c, e] = await ctx
        .storage()
        .outbox.enqueue(Array.from({ length: 4 }, () => aQueuedMessage(userId, sessionId)));
      await ctx.storage().outbox.claim(sendAll(sessionId, 10), (row) => ({
        send: { session_id: sessionId, message_id: `WA${row.id}` },
      }));
      const { moved, held } = await ctx.storage().messages.applyReceipts(
        [
          { sessionId, messageId: `WA${a}`, status: 'delivered' },
          { sessionId, messageId: `WA${a}`, status: 'sent' },
          { sessionId, messageId: `WA${b}`, status: 'read' },
          { sessionId, messageId: `WA${b}`, status: 'failed' },
          { sessionId, messageId: `WA${c}`, status: 'failed' },
          { sessionId, messageId: `WA${e}`, status: 'delivered' },
          { sessionId, messageId: `WA${e}`, status: 'read' },
          { sessionId, messageId: 'WA-unknown', status: 'read' },
        ],
        T0,
      );
      expect(
        moved.map(({ message: m, steps }) => [m.id, m.status, steps]).sort((x, y) => Number(x[0]) - Number(y[0])),
      ).toEqual([
        [a, 'delivered', ['delivered']],
        [b, 'read', ['read']],
        [c, 'failed', ['failed']],
        [e, 'read', ['delivered', 'read']],
      ]);
      // Nothing holds these rows; a receipt for no message of the session is not one to try again.
      expect(held).toEqual([]);
      expect(
        (await ctx.storage().messages.applyReceipts([{ sessionId, messageId: `WA${a}`, status: 'read' }], T0)).moved,
      ).toMatchObject([{ message: { id: a, status: 'read' }, steps: ['read'] }]);
      expect(
        await ctx
          .storage()
          .messages.applyReceipts([{ sessionId: 'another-session', messageId: `WA${c}`, status: 'read' }], T0),
      ).toEqual({ moved: [], held: [] });
      // Inside a caller's transaction they are part of it.
      const [d] = await ctx.storage().outbox.enqueue([aQueuedMessage(userId, sessionId)]);
      await ctx.storage().outbox.claim(sendAll(sessionId, 10), (row) => ({
        send: { session_id: sessionId, message_id: `WA${row.id}` },
      }));
      await expect(
        ctx.storage().transaction(async (tx) => {
          expect(
            (
              await tx.messages.applyReceipts(
                [
                  { sessionId, messageId: `WA${d}`, status: 'sent' },
                  { sessionId, messageId: `WA${d}`, status: 'delivered' },
                ],
                T0,
              )
            ).moved,
          ).toMatchObject([{ message: { id: d, status: 'delivered' }, steps: ['sent', 'delivered'] }]);
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect((await ctx.storage().outbox.get(userId, d))?.status).toBe('sending');
    });

    it("applies receipts of several sessions in one call, each to its own session's message", async () => {
      const { userId, sessionId } = await setup();
      const other = await ctx.storage().sessions.insert(aSession(userId));
      const [mine, theirs] = await ctx
        .storage()
        .outbox.enqueue([aQueuedMessage(userId, sessionId), aQueuedMessage(userId, other.id)]);
      for (const id of [sessionId, other.id])
        await ctx.storage().outbox.claim(sendAll(id, 10), () => ({ send: { session_id: id, message_id: 'WA-same' } }));
      const { moved } = await ctx.storage().messages.applyReceipts(
        [
          { sessionId, messageId: 'WA-same', status: 'delivered' },
          { sessionId: other.id, messageId: 'WA-same', status: 'read' },
        ],
        T0,
      );
      expect(moved.map(({ message: m }) => [m.id, m.status]).sort((x, y) => Number(x[0]) - Number(y[0]))).toEqual([
        [mine, 'delivered'],
        [theirs, 'read'],
      ]);
    });

    it('records results without undoing a receipt that came first', async () => {
      const { userId, sessionId } = await setup();
      const [a, b] = await ctx
        .storage()
        .outbox.enqueue([aQueuedMessage(userId, sessionId), aQueuedMessage(userId, sessionId)]);
      await ctx.storage().outbox.claim(sendAll(sessionId, 10), (row) => ({
        send: { session_id: sessionId, message_id: `WA${row.id}` },
      }));
      await ctx.storage().messages.applyReceipts([{ sessionId, messageId: `WA${a}`, status: 'delivered' }], T0);
      const changed = await ctx.storage().outbox.complete([
        { id: a, status: 'sent', at: T0, raw: null },
        { id: b, status: 'queued', at: T0, not_before: T0, error: 'retry' },
      ]);
      expect(changed).toEqual([b]);
      expect(await ctx.storage().outbox.get(userId, a)).toMatchObject({ status: 'delivered', sent_at: T0 });
      expect(await ctx.storage().outbox.get(userId, b)).toMatchObject({
        status: 'queued',
        error: 'retry',
        claimed_by: null,
      });
    });

    it('records a round of sends with the statuses their early receipts reached, each row once, and reports which it moved', async () => {
      const { userId, sessionId } = await setup();
      // Enough rows for an adapter's many-row form, and one a receipt moved first.
      const ids = await ctx
        .storage()
        .outbox.enqueue(Array.from({ length: 120 }, () => aQueuedMessage(userId, sessionId)));
      const claimed = await ctx.storage().outbox.claim(sendAll(sessionId, 200), (row) => ({
        send: { session_id: sessionId, message_id: `WA${row.id}` },
      }));
      expect(claimed.map((r) => r.id)).toEqual(ids);
      expect(await ctx.storage().outbox.get(userId, ids[119])).toMatchObject({
        status: 'sending',
        message_id: `WA${ids[119]}`,
        attempts: 1,
        claimed_by: 'p1',
      });
      await ctx.storage().messages.applyReceipts([{ sessionId, messageId: `WA${ids[7]}`, status: 'read' }], T0);
      const statuses = ['sent', 'delivered', 'read'] as const;
      const moved = await ctx
        .storage()
        .outbox.complete(ids.map((id, i) => ({ id, status: statuses[i % 3], at: T0, raw: `{"n":${i}}` })));
      expect(moved).toEqual(ids.filter((id) => id !== ids[7]));
      const rows = (await ctx.storage().outbox.getMany(ids)).sort((x, y) => x.id - y.id);
      expect(rows.map((r) => [r.id, r.status, r.sent_at, r.raw])).toEqual(
        ids.map((id, i) => [id, i === 7 ? 'read' : statuses[i % 3], T0, `{"n":${i}}`]),
      );
      // Recorded once: a second record of the same round moves nothing.
      expect(
        await ctx.storage().outbox.complete(ids.map((id) => ({ id, status: 'sent' as const, at: T0, raw: null }))),
      ).toEqual([]);
    });

    it('marks rows a dead owner left mid-send unknown, and requeues them later under their first ids', async () => {
      const { userId, sessionId } = await setup();
      const [unsent, handed] = await ctx
        .storage()
        .outbox.enqueue([aQueuedMessage(userId, sessionId), aQueuedMessage(userId, sessionId)]);
      await ctx.storage().outbox.claim({ ...sendAll(sessionId, 10), owner: 'dead' }, (row) => ({
        send: { session_id: sessionId, message_id: `WA${row.id}` },
      }));
      expect(await ctx.storage().outbox.recover(sessionId, 'dead', T0)).toEqual({ requeued: 0, unknown: 0 });
      expect(await ctx.storage().outbox.recover(sessionId, 'heir', T0)).toEqual({ requeued: 0, unknown: 2 });
      expect(await ctx.storage().outbox.requeueUnknown('2026-01-01T00:00:01.000Z', '2026-01-01T00:00:01.000Z')).toBe(2);
      const again = await ctx.storage().outbox.claim({ ...sendAll(sessionId, 10), owner: 'heir' }, (row) => ({
        send: { session_id: sessionId, message_id: row.message_id ?? 'new' },
      }));
      expect(again.map((r) => r.message_id)).toEqual([`WA${unsent}`, `WA${handed}`]);
    });

    it('tells whether any queued row is due', async () => {
      const { userId, sessionId } = await setup();
      expect(await ctx.storage().outbox.hasDue(T0)).toBe(false);
      await ctx
        .storage()
        .outbox.enqueue([aQueuedMessage(userId, sessionId, { not_before: '2026-01-01T00:00:05.000Z' })]);
      expect(await ctx.storage().outbox.hasDue(T0)).toBe(false);
      expect(await ctx.storage().outbox.hasDue('2026-01-01T00:00:05.000Z')).toBe(true);
    });

    it('rejects a repeated idempotency key and finds the first row by it', async () => {
      const { userId, sessionId } = await setup();
      const [id] = await ctx.storage().outbox.enqueue([aQueuedMessage(userId, sessionId, { idempotency_key: 'k1' })]);
      await expect(
        ctx.storage().outbox.enqueue([aQueuedMessage(userId, sessionId, { idempotency_key: 'k1' })]),
      ).rejects.toMatchObject({ code: 'conflict' });
      expect((await ctx.storage().outbox.findByIdempotencyKey(userId, 'k1'))?.id).toBe(id);
    });

    it('stores an incoming message once, however often it is replayed', async () => {
      const { userId, sessionId } = await setup();
      const incoming = aQueuedMessage(userId, sessionId, {
        direction: 'in',
        status: 'received',
        message_id: 'IN1',
        kind: 'incoming',
      });
      expect(await ctx.storage().messages.insertIncoming(incoming)).toMatchObject({ message_id: 'IN1' });
      expect(await ctx.storage().messages.insertIncoming(incoming)).toBeUndefined();
      expect(await ctx.storage().messages.count()).toBe(1);
    });
  });
}
