import {
  messageLifeAfter,
  RECEIPT_MOVES_FROM,
  type Message,
  type MessageFilter,
  type MessageRepository,
  type MessageStatus,
  type MessageUpdate,
  type NewMessage,
  type Range,
  type Receipt,
  type ReceiptMove,
  type Slice,
} from '@kirim/core';
import { type ExpressionBuilder, type Insertable, type Kysely, type Selectable } from 'kysely';
import { containing } from '../containing.js';
import type { Database, MessagesTable } from '../database.js';
import type { SqlDialect } from '../dialect.js';
import { findRow } from '../keyed-rows.js';
import { lockRows } from '../lock-rows.js';
import { selectPage } from '../select-page.js';
import { firstHistory, toStatus } from '../status-history.js';
import { readSnapshot, transact } from '../transact.js';

/** Message rows ↔ records. */
export function messageFromRow(row: Selectable<MessagesTable>): Message {
  return {
    ...row,
    id: Number(row.id),
    direction: row.direction as Message['direction'],
    kind: row.kind as Message['kind'],
    status: row.status as MessageStatus,
    media: row.media ? JSON.parse(row.media) : null,
    content: row.content ? JSON.parse(row.content) : null,
    mentions: row.mentions ? JSON.parse(row.mentions) : [],
    status_history: JSON.parse(row.status_history),
    reactions: JSON.parse(row.reactions),
    poll_votes: JSON.parse(row.poll_votes),
  };
}

/** A message record as a row to insert. */
export function messageToRow(m: NewMessage): Insertable<MessagesTable> {
  return {
    ...m,
    media: m.media ? JSON.stringify(m.media) : null,
    content: m.content ? JSON.stringify(m.content) : null,
    mentions: m.mentions.length > 0 ? JSON.stringify(m.mentions) : null,
    status_history: firstHistory(m.status, m.created_at),
  };
}

/** The receipts' message ids, by session. */
function groupIds(receipts: Receipt[]): Map<string, Set<string>> {
  const ids = new Map<string, Set<string>>();
  for (const r of receipts) ids.set(r.sessionId, (ids.get(r.sessionId) ?? new Set()).add(r.messageId));
  return ids;
}

/**
 * Applies receipts with a handful of statements: reads the messages' statuses, a query a session
 * (where the database locks rows: those it can lock without waiting, skipping the others), folds each message's receipts over
 * its status in order, and writes one UPDATE per resulting status. Returns the messages that moved with
 * the statuses they went through, and the receipts of rows it skipped because another transaction holds
 * them (`held`).
 */
async function applyFolded(
  db: Kysely<Database>,
  dialect: SqlDialect,
  receipts: Receipt[],
  at: string,
): Promise<{ moved: ReceiptMove[]; held: Receipt[] }> {
  // Each message's status as its receipts take it, and the statuses it went through (none: it stays).
  const current = new Map<string, { id: number; to: string; steps: MessageStatus[] }>();
  const key = (sessionId: string | null, messageId: string | null) => `${sessionId} ${messageId}`;
  for (const [sessionId, ids] of groupIds(receipts)) {
    const query = db
      .selectFrom('messages')
      .select(['id', 'message_id', 'status'])
      .where('session_id', '=', sessionId)
      .where('direction', '=', 'out')
      .where('message_id', 'in', [...ids]);
    for (const row of await lockRows(dialect, query, 'skip').execute())
      current.set(key(sessionId, row.message_id), { id: Number(row.id), to: row.status, steps: [] });
  }
  const unseen: Receipt[] = [];
  for (const receipt of receipts) {
    const row = current.get(key(receipt.sessionId, receipt.messageId));
    if (!row) unseen.push(receipt);
    else if (RECEIPT_MOVES_FROM[receipt.status]?.includes(row.to)) {
      row.to = receipt.status;
      row.steps.push(receipt.status);
    }
  }
  // A row not read is one another transaction holds, or no message of the session (the phone's own sends):
  // only the held ones are worth another try. Without locks, every row was read.
  let held: Receipt[] = [];
  if (dialect.supportsRowLocks && unseen.length > 0) {
    const exists = new Set<string>();
    for (const [sessionId, ids] of groupIds(unseen)) {
      const rows = await db
        .selectFrom('messages')
        .select('message_id')
        .where('session_id', '=', sessionId)
        .where('direction', '=', 'out')
        .where('message_id', 'in', [...ids])
        .execute();
      for (const row of rows) exists.add(key(sessionId, row.message_id));
    }
    held = unseen.filter((r) => exists.has(key(r.sessionId, r.messageId)));
  }
  // The messages that move, by the statuses they go through (the last is where they end): one UPDATE each.
  const bySteps = new Map<string, { steps: MessageStatus[]; ids: number[] }>();
  for (const { id, steps } of current.values()) {
    if (steps.length === 0) continue;
    const group = bySteps.get(steps.join()) ?? { steps, ids: [] };
    bySteps.set(steps.join(), group);
    group.ids.push(id);
  }
  const moved: ReceiptMove[] = [];
  for (const { steps, ids } of bySteps.values()) {
    const status = steps[steps.length - 1];
    const rows = await db
      .updateTable('messages')
      .set({ ...toStatus(status, at, steps), updated_at: at })
      .where('id', 'in', ids)
      .where('status', 'in', RECEIPT_MOVES_FROM[status])
      .returningAll()
      .execute();
    for (const row of rows) moved.push({ message: messageFromRow(row), steps });
  }
  return { moved, held };
}

/** Rows exchanged with `peer`: E.164 digits match the peer's phone, a JID the chat or the peer's LID. */
function withPeer(peer: string) {
  return (eb: ExpressionBuilder<Database, 'messages'>) =>
    eb.or([eb('peer_phone', '=', peer), eb('chat', '=', peer), eb('peer_lid', '=', peer)]);
}

/** Messages on Kysely. */
export class KyselyMessageRepository implements MessageRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async insertIncoming(message: NewMessage): Promise<Message | undefined> {
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
    const row = await findRow(this.db, 'messages', { session_id: sessionId, message_id: messageId });
    return row && messageFromRow(row);
  }

  async findOwned(userId: string, messageId: string): Promise<Message | undefined> {
    const row = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('user_id', '=', userId)
      .where('message_id', '=', messageId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && messageFromRow(row);
  }

  async applyUpdate(sessionId: string, update: MessageUpdate): Promise<Message | undefined> {
    return transact(this.db, async (db) => {
      // Locked until the change is written: two reactions at once must not each drop the other's.
      const query = db
        .selectFrom('messages')
        .selectAll()
        .where('session_id', '=', sessionId)
        .where('message_id', '=', update.messageId);
      const row = await lockRows(this.dialect, query, 'wait').executeTakeFirst();
      if (!row) return undefined;
      const life = messageLifeAfter(messageFromRow(row), update);
      const changed = await db
        .updateTable('messages')
        .set({ ...life, reactions: JSON.stringify(life.reactions), poll_votes: JSON.stringify(life.poll_votes) })
        .where('id', '=', row.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return messageFromRow(changed);
    });
  }

  async updateRaw(sessionId: string, messageId: string, raw: string): Promise<void> {
    await this.db
      .updateTable('messages')
      .set({ raw })
      .where('session_id', '=', sessionId)
      .where('message_id', '=', messageId)
      .execute();
  }

  async removeOne(sessionId: string, messageId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('messages')
      .where('session_id', '=', sessionId)
      .where('message_id', '=', messageId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async applyReceipts(receipts: Receipt[], at: string): Promise<{ moved: ReceiptMove[]; held: Receipt[] }> {
    if (receipts.length === 0) return { moved: [], held: [] };
    // Several writers (PostgreSQL): only the rows it can lock without waiting (one writer, SQLite, waits for nobody).
    return transact(this.db, (db) => applyFolded(db, this.dialect, receipts, at));
  }

  async list(userId: string, sessionId: string, filter: MessageFilter, range: Range): Promise<Slice<Message>> {
    return readSnapshot(this.db, async (db) => {
      let base = db.selectFrom('messages').where('user_id', '=', userId).where('session_id', '=', sessionId);
      if (filter.direction) base = base.where('direction', '=', filter.direction);
      if (filter.status) base = base.where('status', '=', filter.status);
      if (filter.to) base = base.where('direction', '=', 'out').where(withPeer(filter.to));
      if (filter.from) base = base.where('direction', '=', 'in').where(withPeer(filter.from));
      if (filter.peer) base = base.where(withPeer(filter.peer));
      if (filter.jobId) base = base.where('job_id', '=', filter.jobId);
      // lower() on both dialects: PostgreSQL's LIKE is case-sensitive, SQLite's only for non-ASCII.
      if (filter.search) base = base.where(containing('text', filter.search));
      if (filter.since) base = base.where('created_at', '>=', filter.since);
      if (filter.until) base = base.where('created_at', '<=', filter.until);
      const { rows, total } = await selectPage(base, range, (q) =>
        q.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc'),
      );
      return { items: rows.map(messageFromRow), total };
    });
  }

  async removeForSession(sessionId: string): Promise<void> {
    await this.db.deleteFrom('messages').where('session_id', '=', sessionId).execute();
  }

  async count(): Promise<number> {
    const { n } = await this.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(n);
  }
}
