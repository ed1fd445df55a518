import type { Actor } from '../actor.js';
import { notFound } from '../errors.js';
import type { Storage } from '../storage/storage.js';
import type { Connection } from '../transport/transport.js';
import type { SessionManager } from './session-manager.js';

/**
 * The live link of the caller's session: `not_found` for a session that is not theirs, `no_device` (503) when this
 * process does not drive it connected. What the routes that ask WhatsApp something live go through.
 */
export async function liveConnection(
  deps: { storage: Storage; manager: SessionManager },
  actor: Actor,
  sessionId: string,
): Promise<Connection> {
  if (!(await deps.storage.sessions.get(actor.userId, sessionId))) throw notFound('Session');
  return deps.manager.requireConnection(sessionId);
}
