import { randomUUID } from 'node:crypto';
import type { Actor } from '../actor.js';
import type { Clock } from '../clock.js';
import { notFound } from '../errors.js';
import type { SendRoutes } from '../outbox/send-routes.js';
import type { Storage } from '../storage/storage.js';
import { parse, validationError } from '../validation.js';
import {
  createPoolSchema,
  poolMembersSchema,
  updatePoolSchema,
  type CreatePoolInput,
  type Pool,
  type PoolView,
  type UpdatePoolInput,
} from './pool-schemas.js';

/**
 * Send pools (rotators): a Supporter feature; members are the caller's own sessions. Input is checked whole:
 * `validation` names each bad field, a session not the caller's among `session_ids` too.
 */
export interface PoolService {
  /** Creates a pool of the caller's sessions; `plan_required` without the Supporter plan. */
  create(actor: Actor, input: CreatePoolInput): Promise<PoolView>;
  /** The caller's pools, with their members' health. */
  list(actor: Actor): Promise<PoolView[]>;
  /** One pool with its members' health; `not_found` unless it is the caller's. */
  get(actor: Actor, id: string): Promise<PoolView>;
  /** Changes name, strategy or settings; `session_ids` replaces the members. `not_found` unless it is the caller's. */
  update(actor: Actor, id: string, input: UpdatePoolInput): Promise<PoolView>;
  /** Deletes a pool (its members' sessions stay); `not_found` unless it is the caller's. */
  remove(actor: Actor, id: string): Promise<void>;
  /** Adds sessions of the caller's to a pool; `not_found` unless the pool is the caller's. */
  addMembers(actor: Actor, id: string, input: unknown): Promise<PoolView>;
  /** Takes sessions out of a pool; `not_found` unless the pool is the caller's. */
  removeMembers(actor: Actor, id: string, input: unknown): Promise<PoolView>;
}

/** Send pools (rotators): a Supporter feature; members are the caller's own sessions. */
export function createPoolService(deps: {
  storage: Storage;
  clock: Clock;
  /** Checks the caller's plan has send pools. */
  routes: SendRoutes;
  /** Told a pool or its members changed (the dispatcher's cached facts are stale). */
  onChanged(): void;
}): PoolService {
  const { storage, clock } = deps;

  async function get(actor: Actor, id: string): Promise<Pool> {
    const pool = await storage.pools.get(actor.userId, id);
    if (!pool) throw notFound('Pool');
    return pool;
  }

  /** Checks every id is one of the caller's sessions; another user's session is named like a missing one. */
  async function ownSessions(actor: Actor, ids: string[]): Promise<string[]> {
    const unique = [...new Set(ids)];
    const missing: string[] = [];
    for (const id of unique) if (!(await storage.sessions.get(actor.userId, id))) missing.push(id);
    if (missing.length > 0) throw validationError({ session_ids: missing.map((id) => `no such session: ${id}`) });
    return unique;
  }

  async function view(pool: Pool): Promise<PoolView> {
    const now = clock.now().toISOString();
    const members = [];
    for (const id of pool.session_ids) {
      const s = await storage.sessions.getById(id);
      if (!s) continue;
      const circuitOpen = s.circuit_open_until !== null && s.circuit_open_until > now;
      members.push({
        session_id: s.id,
        name: s.name,
        status: s.status,
        phone: s.phone,
        healthy: s.status === 'connected' && !circuitOpen,
        circuit_open_until: circuitOpen ? s.circuit_open_until : null,
      });
    }
    return { ...pool, members };
  }

  return {
    async create(actor, input) {
      deps.routes.requirePoolPlan(actor);
      const data = parse(createPoolSchema, input);
      const sessionIds = await ownSessions(actor, data.session_ids);
      const now = clock.now().toISOString();
      const pool = await storage.pools.insert({
        id: randomUUID(),
        user_id: actor.userId,
        name: data.name,
        strategy: data.strategy,
        settings: data.settings,
        session_ids: sessionIds,
        created_at: now,
        updated_at: now,
      });
      deps.onChanged();
      return view(pool);
    },

    async list(actor) {
      return Promise.all((await storage.pools.list(actor.userId)).map(view));
    },

    get: async (actor, id) => view(await get(actor, id)),

    async update(actor, id, input) {
      const data = parse(updatePoolSchema, input);
      const pool = await get(actor, id);
      const now = clock.now().toISOString();
      if (data.session_ids) {
        const wanted = await ownSessions(actor, data.session_ids);
        await storage.pools.removeMembers(
          id,
          pool.session_ids.filter((s) => !wanted.includes(s)),
        );
        await storage.pools.addMembers(id, wanted, now);
      }
      const { session_ids: _members, ...changes } = data;
      const updated = await storage.pools.update(actor.userId, id, { ...changes, updated_at: now });
      deps.onChanged();
      return view(updated!);
    },

    async remove(actor, id) {
      if (!(await storage.pools.remove(actor.userId, id))) throw notFound('Pool');
      deps.onChanged();
    },

    async addMembers(actor, id, input) {
      const { session_ids } = parse(poolMembersSchema, input);
      await get(actor, id);
      await storage.pools.addMembers(id, await ownSessions(actor, session_ids), clock.now().toISOString());
      deps.onChanged();
      return view(await get(actor, id));
    },

    async removeMembers(actor, id, input) {
      const { session_ids } = parse(poolMembersSchema, input);
      await get(actor, id);
      await storage.pools.removeMembers(id, session_ids);
      deps.onChanged();
      return view(await get(actor, id));
    },
  };
}
