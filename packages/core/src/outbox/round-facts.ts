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

// Session, pool and owner facts change rarely; re-reading them every round would double the queries.
const FACTS_TTL_MS = 2000;

/** The facts of the dispatcher's rounds, kept FACTS_TTL_MS; read again sooner once a session connected or they were invalidated. */
export class RoundFactsCache {
  private facts: RoundFacts | undefined;

  constructor(private readonly storage: Storage) {}

  /** The facts over the sessions connected here, as read at most FACTS_TTL_MS before `now`. */
  async read(connected: string[], now: Date): Promise<RoundFacts> {
    const facts = this.facts;
    if (facts && now.getTime() - facts.at < FACTS_TTL_MS && connected.every((id) => facts.sessions.has(id)))
      return facts;
    return (this.facts = await readRoundFacts(this.storage, connected, now));
  }

  /** Forgets the facts (a pool or session setting changed, a breaker opened or closed). */
  invalidate(): void {
    this.facts = undefined;
  }
}

/** Reads the facts of a round over the sessions connected here. */
async function readRoundFacts(storage: Storage, connected: string[], now: Date): Promise<RoundFacts> {
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
