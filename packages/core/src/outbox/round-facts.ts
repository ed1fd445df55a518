import { effectivePlan } from '../actor.js';
import type { Pool } from '../pools/pool-schemas.js';
import type { Session } from '../sessions/session-schemas.js';
import type { Storage } from '../storage/storage.js';

/** What a dispatch round decides by: the connected sessions, their pools, and the pools' owners' plans, as read `at`. */
export type RoundFacts = {
  at: number;
  sessions: Map<string, Session>;
  pools: Pool[];
  plans: Map<string, 'free' | 'supporter'>;
};

/** Reads the facts of a round over the sessions connected here. */
export async function readRoundFacts(storage: Storage, connected: string[], now: Date): Promise<RoundFacts> {
  const sessions = new Map<string, Session>();
  for (const id of connected) {
    const session = await storage.sessions.getById(id);
    if (session) sessions.set(id, session);
  }
  const pools = await storage.pools.poolsOfSessions(connected);
  const plans = new Map<string, 'free' | 'supporter'>();
  for (const userId of new Set(pools.map((p) => p.user_id))) {
    const user = await storage.users.get(userId);
    if (user)
      plans.set(
        userId,
        effectivePlan(
          { plan: user.plan, planExpiresAt: user.plan_expires_at ? new Date(user.plan_expires_at) : null },
          now,
        ),
      );
  }
  return { at: now.getTime(), sessions, pools, plans };
}
