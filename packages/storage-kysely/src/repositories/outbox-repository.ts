import type {
  ClaimDecision,
  ClaimRequest,
  Message,
  MessageStatus,
  NewMessage,
  OutboxRepository,
  Range,
  SendOutcome,
  Slice,
} from '@kirim/core';
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import type { SqlDialect } from '../dialect.js';
import { insertMany } from '../insert-many.js';
import { countBy } from '../count-by.js';
import { findRow } from '../keyed-rows.js';
import { lockRows } from '../lock-rows.js';
import { selectPage } from '../select-page.js';
import { statusValues, toStatus } from '../status-history.js';
import { transact } from '../transact.js';
import { updateRows } from '../update-rows.js';
import { messageFromRow, messageToRow } from './message-repository.js';

// The statuses of a row handed to WhatsApp: a send's record, and the receipts that may have come before it.
const SENT = ['sent', 'delivered', 'read'] as const;
type SentStatus = (typeof SENT)[number];

/** The outbox on Kysely. Claims lock their rows skipping locked ones (PostgreSQL), so processes never share a row. */
export class KyselyOutboxRepository implements OutboxRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async enqueue(rows: NewMessage[]): Promise<number[]> {
    const inserted = await transact(this.db, (trx) =>
      insertMany(trx, this.dialect, 'messages', rows.map(messageToRow), {
        returning: 'id',
        types: { attempts: 'int' },
      }),
    );
    return inserted.map((row) => Number(row.id));
  }

  async findByIdempotencyKey(userId: string, key: string): Promise<Message | undefined> {
    const row = await findRow(this.db, 'messages', { user_id: userId, idempotency_key: key });
    return row && messageFromRow(row);
  }

  async get(userId: string, id: number): Promise<Message | undefined> {
    const row = await findRow(this.db, 'messages', { user_id: userId, id });
    return row && messageFromRow(row);
  }

  async getMany(ids: number[]): Promise<Message[]> {
    if (ids.length === 0) return [];
    return (await this.db.selectFrom('messages').selectAll().where('id', 'in', ids).execute()).map(messageFromRow);
  }

  async claim(request: ClaimRequest, decide: (row: Message) => ClaimDecision): Promise<Message[]> {
    return transact(this.db, async (trx) => {
      const due = (column: 'session_id' | 'pool_id', id: string, limit: number) => {
        let query = trx
          .selectFrom('messages')
          .selectAll()
          .where(column, '=', id)
          .where('status', '=', 'queued')
          .where('not_before', '<=', request.now)
          .orderBy('not_before')
          .orderBy('id')
          .limit(limit);
        if (column === 'pool_id') query = query.where('session_id', 'is', null);
        return lockRows(this.dialect, query, 'skip');
      };
      const candidates: Message[] = [];
      for (const { id, limit } of request.sessions)
        if (limit > 0) candidates.push(...(await due('session_id', id, limit).execute()).map(messageFromRow));
      for (const { id, limit } of request.pools)
        if (limit > 0) candidates.push(...(await due('pool_id', id, limit).execute()).map(messageFromRow));

      const claimed: Message[] = [];
      for (const row of candidates) {
        const decision = decide(row);
        if ('skip' in decision) continue;
        if ('fail' in decision) {
          await trx
            .updateTable('messages')
            .set({ ...toStatus('failed', request.now), error: decision.fail, updated_at: request.now })
            .where('id', '=', row.id)
            .execute();
          continue;
        }
        const { session_id, message_id } = decision.send;
        claimed.push({
          ...row,
          status: 'sending',
          status_history: [...row.status_history, { status: 'sending', at: request.now }],
          session_id,
          message_id,
          claimed_by: request.owner,
          attempts: row.attempts + 1,
          updated_at: request.now,
        });
      }
      // The rows are locked (PostgreSQL) or the writer is alone (SQLite): their attempts are those read above
      // plus one. A session is set only on a pool's rows: setting a column, even to its value, rewrites every
      // index over it and checks its foreign key.
      const claimUpdate = (r: Message) => ({
        id: r.id,
        ...statusValues('sending', request.now),
        claimed_by: request.owner,
        updated_at: request.now,
        attempts: r.attempts,
        message_id: r.message_id,
      });
      const pooled = new Set(candidates.filter((r) => r.session_id === null).map((r) => r.id));
      await updateRows(trx, this.dialect, 'messages', claimed.filter((r) => !pooled.has(r.id)).map(claimUpdate), {
        types: { attempts: 'int' },
        append: ['status_history'],
      });
      await updateRows(
        trx,
        this.dialect,
        'messages',
        claimed.filter((r) => pooled.has(r.id)).map((r) => ({ ...claimUpdate(r), session_id: r.session_id })),
        { types: { attempts: 'int' }, append: ['status_history'] },
      );
      return claimed;
    });
  }

  async hasDue(now: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('messages')
      .select('id')
      .where('status', '=', 'queued')
      .where('not_before', '<=', now)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async complete(outcomes: SendOutcome[]): Promise<number[]> {
    if (outcomes.length === 0) return [];
    return transact(this.db, async (trx) => {
      const sent = outcomes.filter((o): o is Extract<SendOutcome, { status: SentStatus }> =>
        SENT.includes(o.status as SentStatus),
      );
      const recorded = await updateRows(
        trx,
        this.dialect,
        'messages',
        sent.map((o) => ({
          id: o.id,
          ...statusValues(o.status, o.at),
          sent_at: o.at,
          raw: o.raw,
          error: null,
          updated_at: o.at,
        })),
        { from: ['sending', 'unknown'], append: ['status_history'] },
      );
      const moved = new Set(recorded);
      // A receipt can outrun the record of the send: keep its status, but still note when and what was sent
      // (the daily cap counts `sent_at`, quotes need `raw`).
      for (const o of sent.filter((o) => !moved.has(o.id))) {
        await trx
          .updateTable('messages')
          .set({ sent_at: o.at, raw: o.raw })
          .where('id', '=', o.id)
          .where('status', 'in', SENT)
          .where('sent_at', 'is', null)
          .execute();
      }
      // The rarer failures and retries row by row.
      for (const outcome of outcomes) {
        if (outcome.status !== 'failed' && outcome.status !== 'queued') continue;
        const base = trx.updateTable('messages').where('id', '=', outcome.id);
        const update =
          outcome.status === 'failed'
            ? base
                .set({ ...toStatus('failed', outcome.at), error: outcome.error, updated_at: outcome.at })
                .where('status', 'in', ['sending', 'unknown'])
            : base
                .set({
                  ...toStatus('queued', outcome.at),
                  not_before: outcome.not_before,
                  error: outcome.error,
                  claimed_by: null,
                  updated_at: outcome.at,
                  ...(outcome.release ? { session_id: null, message_id: null } : {}),
                })
                .where('status', '=', 'sending');
        if (Number((await update.executeTakeFirst()).numUpdatedRows) > 0) moved.add(outcome.id);
      }
      return outcomes.filter((o) => moved.has(o.id)).map((o) => o.id);
    });
  }

  async recover(sessionId: string, owner: string, at: string): Promise<{ requeued: number; unknown: number }> {
    return transact(this.db, async (trx) => {
      const orphans = trx
        .updateTable('messages')
        .where('session_id', '=', sessionId)
        .where('status', '=', 'sending')
        .where((eb) => eb.or([eb('claimed_by', 'is', null), eb('claimed_by', '!=', owner)]));
      const requeued = await orphans
        .set({ ...toStatus('queued', at), claimed_by: null, updated_at: at })
        .where('message_id', 'is', null)
        .executeTakeFirst();
      const unknown = await orphans
        .set({ ...toStatus('unknown', at), claimed_by: null, updated_at: at })
        .where('message_id', 'is not', null)
        .executeTakeFirst();
      return { requeued: Number(requeued.numUpdatedRows), unknown: Number(unknown.numUpdatedRows) };
    });
  }

  async requeueUnknown(before: string, at: string): Promise<number> {
    const result = await this.db
      .updateTable('messages')
      .set({ ...toStatus('queued', at), not_before: at, updated_at: at })
      .where('status', '=', 'unknown')
      .where('updated_at', '<', before)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async cancelQueued(userId: string, target: { jobId: string } | { id: number }, at: string): Promise<number> {
    let query = this.db
      .updateTable('messages')
      .set({ ...toStatus('cancelled', at), updated_at: at })
      .where('user_id', '=', userId)
      .where('status', 'in', ['queued', 'unknown']);
    query = 'jobId' in target ? query.where('job_id', '=', target.jobId) : query.where('id', '=', target.id);
    return Number((await query.executeTakeFirst()).numUpdatedRows);
  }

  async cancelForRecipient(userId: string, phone: string, reason: string, at: string): Promise<number> {
    const result = await this.db
      .updateTable('messages')
      .set({ ...toStatus('cancelled', at), error: reason, updated_at: at })
      .where('user_id', '=', userId)
      .where('peer_phone', '=', phone)
      .where('kind', '=', 'bulk')
      .where('status', '=', 'queued')
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async countByStatus(jobId: string): Promise<Partial<Record<MessageStatus, number>>> {
    return Object.fromEntries(await countBy(this.db.selectFrom('messages').where('job_id', '=', jobId), 'status'));
  }

  async hasActive(jobId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('messages')
      .select('id')
      .where('job_id', '=', jobId)
      .where('status', 'in', ['queued', 'sending', 'unknown'])
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async sentSince(sessionId: string, since: string): Promise<number> {
    const { n } = await this.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('session_id', '=', sessionId)
      .where('direction', '=', 'out')
      .where('sent_at', '>=', since)
      .executeTakeFirstOrThrow();
    return Number(n);
  }

  async listScheduled(userId: string, range: Range): Promise<Slice<Message>> {
    const base = this.db.selectFrom('messages').where('user_id', '=', userId).where('kind', '=', 'scheduled');
    const { rows, total } = await selectPage(base, range, (q) => q.selectAll().orderBy('id', 'desc'));
    return { items: rows.map(messageFromRow), total };
  }

  async pendingCounts(): Promise<{ queued: number; scheduled: number }> {
    const row = await this.db
      .selectFrom('messages')
      .where('status', '=', 'queued')
      .select((eb) => [
        eb.fn.countAll().as('queued'),
        eb.fn.sum(eb.case().when('kind', '=', 'scheduled').then(1).else(0).end()).as('scheduled'),
      ])
      .executeTakeFirstOrThrow();
    return { queued: Number(row.queued), scheduled: Number(row.scheduled ?? 0) };
  }

  async latestExchanges(
    userId: string,
    phones: string[],
  ): Promise<Array<{ phone: string; status: MessageStatus; replied: boolean }>> {
    if (phones.length === 0) return [];
    const results: Array<{ phone: string; status: MessageStatus; replied: boolean }> = [];
    for (const phone of phones) {
      const out = await this.db
        .selectFrom('messages')
        .select(['status', 'created_at'])
        .where('user_id', '=', userId)
        .where('peer_phone', '=', phone)
        .where('direction', '=', 'out')
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (!out) continue;
      const reply = await this.db
        .selectFrom('messages')
        .select('id')
        .where('user_id', '=', userId)
        .where('peer_phone', '=', phone)
        .where('direction', '=', 'in')
        .where('created_at', '>=', out.created_at)
        .limit(1)
        .executeTakeFirst();
      results.push({ phone, status: out.status as MessageStatus, replied: reply !== undefined });
    }
    return results;
  }
}
