import { RECEIPT_RANK, type Message, type MessageFilter, type MessageRepository, type MessageStatus, type Range, type Receipt, type Slice } from '@kirim/core';
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database, MessagesTable } from '../database.js';
import type { SqlDialect } from '../dialect.js';

/** Message rows ↔ records. */
export function messageFromRow(row: Selectable<MessagesTable>): Message {
  return {
    ...row,
    id: Number(row.id),
    direction: row.direction as Message['direction'],
    kind: row.kind as Message['kind'],
    status: row.status as MessageStatus,
    media: row.media ? JSON.parse(row.media) : null,
    mentions: row.mentions ? JSON.parse(row.mentions) : [],
  };
}

/** A message record as a row to insert. */
export function messageToRow(m: Omit<Message, 'id'>): Insertable<MessagesTable> {
  return { ...m, media: m.media ? JSON.stringify(m.media) : null, mentions: m.mentions.length > 0 ? JSON.stringify(m.mentions) : null };
}

// Statuses a receipt may move a message from, for each status it moves to.
const LOWER: Record<string, string[]> = Object.fromEntries(
  Object.keys(RECEIPT_RANK).map((to) => [to, Object.keys(RECEIPT_RANK).filter((from) => RECEIPT_RANK[from] < RECEIPT_RANK[to])]),
);

/** Moves each outgoing message up to its receipt's status (never down), in order; returns those that moved. */
async function applyEach(db: Kysely<Database>, sessionId: string, receipts: Receipt[], at: string): Promise<Message[]> {
  const moved: Message[] = [];
  for (const { messageId, status } of receipts) {
    // `failed` is accepted only before delivery; every other status only moves up the ladder.
    const from = status === 'failed' ? ['queued', 'sending', 'unknown', 'sent'] : (LOWER[status] ?? []);
    if (from.length === 0) continue;
    const row = await db
      .updateTable('messages')
      .set({ status, updated_at: at })
      .where('session_id', '=', sessionId)
      .where('message_id', '=', messageId)
      .where('direction', '=', 'out')
      .where('status', 'in', from)
      .returningAll()
      .executeTakeFirst();
    if (row) moved.push(messageFromRow(row));
  }
  return moved;
}

/** Messages on Kysely. */
export class KyselyMessageRepository implements MessageRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async insertIncoming(message: Omit<Message, 'id'>): Promise<Message | undefined> {
    // The unique (session_id, message_id) index drops repeats: Baileys replays messages after a reconnect.
    const row = await this.db
      .insertInto('messages')
      .values(messageToRow(message))
      .onConflict((oc) => oc.columns(['session_id', 'message_id']).doNothing())
      .returningAll()
      .executeTakeFirst();
    return row && messageFromRow(row);
  }

  async findByMessageId(sessionId: string, messageId: string): Promise<Message | undefined> {
    const row = await this.db.selectFrom('messages').selectAll().where('session_id', '=', sessionId).where('message_id', '=', messageId).executeTakeFirst();
    return row && messageFromRow(row);
  }

  async applyReceipts(sessionId: string, receipts: Receipt[], at: string): Promise<Message[]> {
    if (receipts.length <= 1) return applyEach(this.db, sessionId, receipts, at);
    // One writer (SQLite): one transaction, one commit for the lot.
    if (this.dialect === 'sqlite') return this.db.transaction().execute((trx) => applyEach(trx, sessionId, receipts, at));
    // Several writers (PostgreSQL): one transaction for the rows it can lock without waiting, so it never
    // waits while holding locks and cannot deadlock with a concurrent send record; the rows someone else
    // holds get their receipts after it, each in a commit of its own.
    const { moved, skipped } = await this.db.transaction().execute(async (trx) => {
      const ids = [...new Set(receipts.map((r) => r.messageId))];
      const locked = await trx.selectFrom('messages').select('message_id').where('session_id', '=', sessionId).where('message_id', 'in', ids).forUpdate().skipLocked().execute();
      const held = new Set(locked.map((r) => r.message_id));
      return { moved: await applyEach(trx, sessionId, receipts.filter((r) => held.has(r.messageId)), at), skipped: receipts.filter((r) => !held.has(r.messageId)) };
    });
    return [...moved, ...(await applyEach(this.db, sessionId, skipped, at))];
  }

  async list(userId: string, sessionId: string, filter: MessageFilter, range: Range): Promise<Slice<Message>> {
    let base = this.db.selectFrom('messages').where('user_id', '=', userId).where('session_id', '=', sessionId);
    if (filter.direction) base = base.where('direction', '=', filter.direction);
    if (filter.status) base = base.where('status', '=', filter.status);
    if (filter.peer) {
      const peer = filter.peer;
      base = base.where((eb) => eb.or([eb('peer_phone', '=', peer), eb('chat', '=', peer), eb('peer_lid', '=', peer)]));
    }
    if (filter.since) base = base.where('created_at', '>=', filter.since);
    if (filter.until) base = base.where('created_at', '<=', filter.until);
    const rows = await base.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(range.limit).offset(range.offset).execute();
    const { n } = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return { items: rows.map(messageFromRow), total: Number(n) };
  }

  async removeForSession(sessionId: string): Promise<void> {
    await this.db.deleteFrom('messages').where('session_id', '=', sessionId).execute();
  }

  async count(): Promise<number> {
    const { n } = await this.db.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return Number(n);
  }
}
