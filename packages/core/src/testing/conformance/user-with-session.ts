import type { Storage } from '../../storage/storage.js';
import { aSession, aUser } from './conformance-context.js';

/** Inserts a fresh user and a connected session of theirs; both ids. */
export async function insertUserWithSession(storage: Storage): Promise<{ userId: string; sessionId: string }> {
  const user = await storage.users.insert(aUser());
  const session = await storage.sessions.insert(aSession(user.id));
  return { userId: user.id, sessionId: session.id };
}
