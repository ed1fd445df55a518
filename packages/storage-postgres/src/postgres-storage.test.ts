import { aQueuedMessage, aSession, aUser, runStorageConformance } from '@kirim/core/testing';
import { expect, it } from 'vitest';
import { freshPostgresUrl } from '../../../tests/support/postgres.js';
import { createPostgresStorage } from './index.js';

runStorageConformance('postgres', async () => createPostgresStorage({ connectionString: await freshPostgresUrl() }));

it('applies receipts to the rows it can lock at once while another transaction holds one, and that one after', async () => {
  const storage = createPostgresStorage({ connectionString: await freshPostgresUrl() });
  await storage.migrate();
  try {
    const user = await storage.users.insert(aUser());
    const session = await storage.sessions.insert(aSession(user.id));
    const [held, free] = await storage.outbox.enqueue([aQueuedMessage(user.id, session.id), aQueuedMessage(user.id, session.id)]);
    await storage.outbox.claim({ owner: 'p1', now: '2026-01-02T00:00:00.000Z', sessions: [{ id: session.id, limit: 10 }], pools: [] }, (row) => ({ send: { session_id: session.id, message_id: `WA${row.id}` } }));
    const at = '2026-01-02T00:00:01.000Z';
    let applied: Promise<unknown> | undefined;
    await storage.transaction(async (tx) => {
      // This transaction holds `held`'s row, as a send record does while it commits.
      await tx.outbox.complete([{ id: held, status: 'sent', at, raw: null }]);
      applied = storage.messages.applyReceipts([{ sessionId: session.id, messageId: `WA${held}`, status: 'delivered' }, { sessionId: session.id, messageId: `WA${free}`, status: 'delivered' }], at);
      const deadline = Date.now() + 10_000;
      while ((await storage.outbox.get(user.id, free))?.status !== 'delivered') {
        if (Date.now() > deadline) throw new Error('the free row waited for the held one');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    expect(((await applied) as Array<{ id: number; status: string }>).map((m) => [m.id, m.status])).toEqual([[free, 'delivered'], [held, 'delivered']]);
  } finally {
    await storage.close();
  }
});
