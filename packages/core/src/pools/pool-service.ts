import { randomUUID } from 'node:crypto';
import type { Actor } from '../actor.js';
import type { Clock } from '../clock.js';
import { notFound } from '../errors.js';
import type { Dispatcher } from '../outbox/dispatcher.js';
import type { SendService } from '../outbox/send-service.js';
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

export type PoolService = ReturnType<typeof createPoolService>;

/** Send pools (rotators): a Supporter feature; members are the caller's own sessions. */
export function createPoolService(deps: {
  storage: Storage;
  clock: Clock;
  dispatcher: Dispatcher;
  sends: SendService;
}) {
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

  const changed = () => deps.dispatcher.invalidate();

  return {
    async create(actor: Actor, input: CreatePoolInput): Promise<PoolView> {
      deps.sends.requirePoolPlan(actor);
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
      changed();
      return view(pool);
    },

    async list(actor: Actor): Promise<PoolView[]> {
      return Promise.all((await storage.pools.list(actor.userId)).map(view));
    },

    get: async (actor: Actor, id: string) => view(await get(actor, id)),

    /** Changes name, strategy or settings; `session_ids` replaces the members. */
    async update(actor: Actor, id: string, input: UpdatePoolInput): Promise<PoolView> {
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
      changed();
      return view(updated!);
    },

    async remove(actor: Actor, id: string): Promise<void> {
      if (!(await storage.pools.remove(actor.userId, id))) throw notFound('Pool');
      changed();
    },

    async addMembers(actor: Actor, id: string, input: unknown): Promise<PoolView> {
      const { session_ids } = parse(poolMembersSchema, input);
      await get(actor, id);
      await storage.pools.addMembers(id, await ownSessions(actor, session_ids), clock.now().toISOString());
      changed();
      return view(await get(actor, id));
    },

    async removeMembers(actor: Actor, id: string, input: unknown): Promise<PoolView> {
      const { session_ids } = parse(poolMembersSchema, input);
      await get(actor, id);
      await storage.pools.removeMembers(id, session_ids);
      changed();
      return view(await get(actor, id));
    },
  };
}
