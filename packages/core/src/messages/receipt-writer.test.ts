import { createSqliteStorage } from '@kirim/storage-sqlite';
import { createPostgresStorage } from '@kirim/storage-postgres';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { eventually } from '../../../../tests/support/eventually.js';
import { freshPostgresUrl } from '../../../../tests/support/postgres.js';
import { testCleanups } from '../../../../tests/support/storage.js';
import { createEventLog } from '../event-log/event-log.js';
import { KirimEvents, type KirimEvent } from '../events.js';
import { silentLogger } from '../logger.js';
import type { SendOutcome, Storage } from '../storage/storage.js';
import { aQueuedMessage, aSession, aUser } from '../testing/conformance/conformance-context.js';
import { ManualClock } from '../testing/manual-clock.js';
import type { Message } from './message-schemas.js';
import { ReceiptWriter } from './receipt-writer.js';

const cleanups = testCleanups();

/** A receipt writer over `storage` (default: in-memory SQLite) and the real event log, with two sent messages (W1, W2) of one session. */
async function sentMessages(storage: Storage = createSqliteStorage({ filename: ':memory:' })) {
  cleanups.push(() => storage.close());
  await storage.migrate();
  const clock = new ManualClock();
  const events = new KirimEvents(clock, createEventLog({ storage, clock, logger: silentLogger }));
  const moved: Message[] = [];
  const writer = new ReceiptWriter({
    storage,
    clock,
    logger: silentLogger,
    events,
    onMoved: async (messages) => void moved.push(...messages),
  });
  const user = await storage.users.insert(aUser());
  const session = await storage.sessions.insert(aSession(user.id));
  const sent = (messageId: string) =>
    aQueuedMessage(user.id, session.id, { status: 'sent', message_id: messageId, sent_at: '2026-01-01T00:00:00.000Z' });
  await storage.outbox.enqueue([sent('W1'), sent('W2')]);
  const row = async (messageId: string) => (await storage.messages.findByMessageId(session.id, messageId))!;
  return { clock, writer, moved, sessionId: session.id, row, statusEvents: () => statusEventsIn(storage) };
}

/** The `message.status` events in the durable log, as [message id, status]. */
async function statusEventsIn(storage: Storage): Promise<Array<[string, string]>> {
  const stored = await storage.events.listAfter(0, { limit: 100 });
  return stored
    .map((s) => s.event)
    .filter((e): e is KirimEvent<'message.status'> => e?.type === 'message.status')
    .map((e) => [String(e.data.message_id), e.data.status]);
}

/** Sent messages with W1 being sent: the writer holds its receipts. */
async function withW1InFlight() {
  const setup = await sentMessages();
  const w1 = await setup.row('W1');
  return { ...setup, w1, held: setup.writer.hold([w1]) };
}

/** What a send records for a row the network took. */
const sentOutcome = (row: Message): Extract<SendOutcome, { status: 'sent' | 'delivered' | 'read' }> => ({
  id: row.id,
  status: 'sent',
  at: '2026-01-01T00:00:00.000Z',
  raw: null,
});

describe('ReceiptWriter', () => {
  it('writes receipts of rows not in flight with their message.status events, each status a receipt moved through, in order', async () => {
    const { writer, moved, sessionId, row, statusEvents } = await sentMessages();
    writer.take({ sessionId, messageId: 'W1', status: 'delivered' });
    writer.take({ sessionId, messageId: 'W1', status: 'read' });
    writer.take({ sessionId, messageId: 'W2', status: 'delivered' });
    await writer.stop();

    expect((await row('W1')).status).toBe('read');
    expect((await row('W2')).status).toBe('delivered');
    expect(await statusEvents()).toEqual([
      ['W1', 'delivered'],
      ['W1', 'read'],
      ['W2', 'delivered'],
    ]);
    expect(moved.map((m) => [m.message_id, m.status])).toEqual([
      ['W1', 'read'],
      ['W2', 'delivered'],
    ]);
  });

  it('never moves a row down: a delivered receipt after read changes nothing and announces nothing', async () => {
    const { writer, sessionId, row, statusEvents } = await sentMessages();
    writer.take({ sessionId, messageId: 'W1', status: 'read' });
    await writer.stop();
    writer.start();
    writer.take({ sessionId, messageId: 'W1', status: 'delivered' });
    await writer.stop();

    expect((await row('W1')).status).toBe('read');
    expect(await statusEvents()).toEqual([['W1', 'read']]);
  });

  it('holds the receipts of rows in flight, folding them into the send outcome without a write of its own', async () => {
    const { writer, sessionId, row, statusEvents, w1, held } = await withW1InFlight();
    writer.take({ sessionId, messageId: 'W1', status: 'delivered' });
    writer.take({ sessionId, messageId: 'W1', status: 'read' });
    writer.take({ sessionId, messageId: 'W2', status: 'delivered' });
    await writer.stop();
    // Only W2's receipt, not held, was written meanwhile.
    expect((await row('W1')).status).toBe('sent');
    expect(await statusEvents()).toEqual([['W2', 'delivered']]);

    const outcome = sentOutcome(w1);
    expect(held.fold(w1, outcome)).toEqual(['sent', 'delivered', 'read']);
    expect(outcome.status).toBe('read');
    held.release();
    await writer.stop();
    // Folded receipts are not written again on release.
    expect(await statusEvents()).toEqual([['W2', 'delivered']]);
  });

  it('writes the held receipts not folded once released: a failed receipt fails the row still undelivered', async () => {
    const { writer, sessionId, row, statusEvents, w1, held } = await withW1InFlight();
    writer.take({ sessionId, messageId: 'W1', status: 'failed' });
    expect(held.fold(w1, sentOutcome(w1))).toEqual(['sent']);
    await writer.stop();
    expect((await row('W1')).status).toBe('sent');

    held.release();
    await writer.stop();
    expect((await row('W1')).status).toBe('failed');
    expect(await statusEvents()).toEqual([['W1', 'failed']]);
  });

  describe('on PostgreSQL, where another transaction may hold a row', () => {
    /** Sent messages on a fresh database, and a second connection holding W1's row as another process's send record would. */
    async function withW1Held() {
      const url = await freshPostgresUrl();
      const setup = await sentMessages(createPostgresStorage({ connectionString: url }));
      const holder = new pg.Client({ connectionString: url });
      await holder.connect();
      cleanups.push(() => holder.end());
      await holder.query('begin');
      await holder.query('select id from messages where id = $1 for update', [(await setup.row('W1')).id]);
      return { ...setup, free: () => holder.query('commit') };
    }

    it('writes the receipts of free rows at once and tries the held ones again when the clock has moved on', async () => {
      const { clock, writer, sessionId, row, statusEvents, free } = await withW1Held();
      writer.take({ sessionId, messageId: 'W1', status: 'delivered' });
      writer.take({ sessionId, messageId: 'W2', status: 'delivered' });
      await eventually(async () => (await row('W2')).status === 'delivered');
      await free();
      // Freed, but not tried again until its retry time comes.
      expect((await row('W1')).status).toBe('sent');

      await eventually(async () => {
        await clock.advance(20);
        return (await row('W1')).status === 'delivered';
      });
      await writer.stop();
      expect(await statusEvents()).toEqual([
        ['W2', 'delivered'],
        ['W1', 'delivered'],
      ]);
    });

    it("lets the receipts of held rows go when stopping, rather than waiting on another transaction's lock", async () => {
      const { clock, writer, sessionId, row, statusEvents, free } = await withW1Held();
      writer.take({ sessionId, messageId: 'W1', status: 'delivered' });
      await writer.stop();
      await free();
      await clock.advance(20);
      await writer.stop();
      expect((await row('W1')).status).toBe('sent');
      expect(await statusEvents()).toEqual([]);
    });
  });
});
