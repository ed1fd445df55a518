// One engine process of bench/outbox.ts's multi-process run: PostgreSQL storage of its own (its own pool),
// its own zero-latency simulated network with OUTBOX_SESSIONS linked sessions whose leases it holds.
// Tells the parent (IPC) its user and sessions once they are connected, then dispatches until told to stop.
import { createPostgresStorage } from '@kirim/storage-postgres';
import { linkedEngine } from './outbox-engine.js';

const storage = createPostgresStorage({ connectionString: process.env.OUTBOX_DATABASE_URL! });
const engine = await linkedEngine(storage, {
  sessions: Number(process.env.OUTBOX_SESSIONS),
  instanceId: process.env.OUTBOX_INSTANCE!,
  phonePrefix: process.env.OUTBOX_PHONE_PREFIX!,
});
process.send!({ ready: true, userId: engine.userId, sessionIds: engine.sessionIds });
process.on('message', async (message: { stop?: boolean }) => {
  if (!message.stop) return;
  await engine.stop();
  await storage.close();
  process.send!({ stopped: true, sent: engine.network.sent.length }, () => process.exit(0));
});
