import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { BulkBatch, BulkJob } from '../../bulk/bulk-schemas.js';
import { newSession } from '../../sessions/new-session.js';
import type { Session } from '../../sessions/session-schemas.js';
import type { NewMessage } from '../../storage/storage.js';
import { aUser, type ConformanceContext } from './conformance-context.js';

const T0 = '2026-01-01T00:00:00.000Z';

/** A session record for `userId`, connected and linked; override any field. */
export function aSession(userId: string, overrides: Partial<Session> = {}): Session {
  return {
    ...newSession(`s-${randomUUID()}`, userId, 'device', T0),
    status: 'connected',
    phone: '6281200000000',
    connected_at: T0,
    linked_at: T0,
    ...overrides,
  };
}

/** A queued outgoing row for a session; override any field. */
export function aQueuedMessage(
  userId: string,
  sessionId: string | null,
  overrides: Partial<NewMessage> = {},
): NewMessage {
  return {
    user_id: userId,
    session_id: sessionId,
    pool_id: null,
    direction: 'out',
    message_id: null,
    chat: '6281300000000@s.whatsapp.net',
    peer_phone: '6281300000000',
    peer_lid: null,
    sender: null,
    push_name: null,
    type: 'text',
    text: 'hi',
    media: null,
    quoted_message_id: null,
    mentions: [],
    status: 'queued',
    error: null,
    raw: null,
    kind: 'send',
    job_id: null,
    schedule_id: null,
    idempotency_key: null,
    attempts: 0,
    claimed_by: null,
    not_before: T0,
    sent_at: null,
    created_at: T0,
    updated_at: T0,
    ...overrides,
  };
}

/** Conformance of sessions (leases, credentials) and the outbox (claims, completion, recovery). */
export function describeOutbox(ctx: ConformanceContext): void {
  const setup = async () => {
    const user = await ctx.storage().users.insert(aUser());
    const session = await ctx.storage().sessions.insert(aSession(user.id));
    return { userId: user.id, sessionId: session.id };
  };
  const sendAll = (id: string, limit: number) => ({
    owner: 'p1',
    now: '2026-01-02T00:00:00.000Z',
    sessions: [{ id, limit }],
    pools: [],
  });

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
      ids.forEach((id, i) => expect(stored.get(id)).toEqual({ ...rows[i], id }));
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

  describe('BulkJobRepository batches', () => {
    const setupJob = async (at: string) => {
      const { userId, sessionId } = await setup();
      const job: BulkJob = {
        id: randomUUID(),
        user_id: userId,
        session_id: sessionId,
        pool_id: null,
        type: 'text',
        message: 'hi',
        template_id: null,
        media: null,
        delay_ms: 1000,
        total: 6,
        skipped: 0,
        status: 'queued',
        created_at: at,
        started_at: null,
        completed_at: null,
        updated_at: at,
      };
      await ctx.storage().bulkJobs.insert(job);
      const batch = (first: number): BulkBatch => ({
        job_id: job.id,
        first_index: first,
        prototype: aQueuedMessage(userId, sessionId, { kind: 'bulk', job_id: job.id }),
        delay_ms: 1000,
        created_at: at,
        recipients: [
          [`62813000000${first}`, `hi ${first}`],
          [`62813000000${first + 1}`, null],
        ],
      });
      await ctx.storage().bulkJobs.insertBatches([batch(2), batch(4)]);
      return { job, batch };
    };

    it('hands out the oldest batch once, round-tripping it, and puts it back when the transaction rolls back', async () => {
      const older = await setupJob('2026-01-01T00:00:00.000Z');
      const newer = await setupJob('2026-01-02T00:00:00.000Z');
      const storage = ctx.storage();
      expect(await storage.bulkJobs.unexpanded(older.job.id)).toBe(4);
      await expect(
        storage.transaction(async (tx) => {
          expect(await tx.bulkJobs.takeBatches()).toEqual([older.batch(2)]);
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      const taken = [];
      for (
        let batch = await storage.bulkJobs.takeBatches();
        batch.length > 0;
        batch = await storage.bulkJobs.takeBatches()
      )
        taken.push(...batch);
      expect(taken).toEqual([older.batch(2), older.batch(4), newer.batch(2), newer.batch(4)]);
      expect(await storage.bulkJobs.unexpanded(older.job.id)).toBe(0);
    });

    it("never hands one batch to two concurrent takers, and gives a job's every batch to a cancel", async () => {
      const { job, batch } = await setupJob(T0);
      const storage = ctx.storage();
      const takes = await Promise.all([1, 2, 3].map(() => storage.transaction((tx) => tx.bulkJobs.takeBatches())));
      expect(
        takes
          .flat()
          .map((b) => b.first_index)
          .sort(),
      ).toEqual([2, 4]);
      await storage.bulkJobs.insertBatches([batch(6), batch(8)]);
      expect((await storage.bulkJobs.takeBatches(job.id)).map((b) => b.first_index)).toEqual([6, 8]);
      expect(await storage.bulkJobs.takeBatches()).toEqual([]);
    });
  });
}
