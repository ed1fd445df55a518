import { aQueuedMessage, aSession, aUser, runStorageConformance } from '@kirim/core/testing';
import { expect, it } from 'vitest';
import { freshPostgresUrl } from '../../../tests/support/postgres.js';
import { createPostgresStorage } from './index.js';

runStorageConformance('postgres', async () => createPostgresStorage({ connectionString: await freshPostgresUrl() }));

it('applies receipts to the rows it can lock at once while another transaction holds one, and hands that one back', async () => {
  const storage = createPostgresStorage({ connectionString: await freshPostgresUrl() });
  await storage.migrate();
  try {
    const user = await storage.users.insert(aUser());
    const session = await storage.sessions.insert(aSession(user.id));
    const [held, free] = await storage.outbox.enqueue([
      aQueuedMessage(user.id, session.id),
      aQueuedMessage(user.id, session.id),
    ]);
    await storage.outbox.claim(
      { owner: 'p1', now: '2026-01-02T00:00:00.000Z', sessions: [{ id: session.id, limit: 10 }], pools: [] },
      (row) => ({ send: { session_id: session.id, message_id: `WA${row.id}` } }),
    );
    const at = '2026-01-02T00:00:01.000Z';
    const receipts = [
      { sessionId: session.id, messageId: `WA${held}`, status: 'delivered' as const },
      { sessionId: session.id, messageId: `WA${free}`, status: 'delivered' as const },
    ];
    const applied = await storage.transaction(async (tx) => {
      // This transaction holds `held`'s row, as a send record does while it commits: the other goes on without waiting.
      await tx.outbox.complete([{ id: held, status: 'sent', at, raw: null }]);
      return storage.messages.applyReceipts(receipts, at);
    });
    expect(applied.moved.map(({ message: m }) => [m.id, m.status])).toEqual([[free, 'delivered']]);
    expect(applied.held).toEqual([receipts[0]]);
    // Once the holder has committed, the receipt handed back applies.
    expect(
      (await storage.messages.applyReceipts(applied.held, at)).moved.map(({ message: m }) => [m.id, m.status]),
    ).toEqual([[held, 'delivered']]);
  } finally {
    await storage.close();
  }
});
