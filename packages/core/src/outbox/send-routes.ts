import { effectivePlan, type Actor } from '../actor.js';
import type { Clock } from '../clock.js';
import { KirimError, notFound } from '../errors.js';
import type { Pool } from '../pools/pool-schemas.js';
import type { Storage } from '../storage/storage.js';
import { DEFAULT_SEND_SERVICE_OPTIONS } from './send-service.js';

/** Where a send goes: a session of the caller's, or a pool of theirs (a plan feature). */
export interface Route {
  session_id: string | null;
  pool_id: string | null;
}

/** Checks where sends may go; shared by the services that queue sends (immediate, scheduled, bulk) and pools. */
export interface SendRoutes {
  /**
   * The caller's session or pool named in `route`: `not_found` for one that is not theirs, `plan_required` for a
   * pool without the Supporter plan, and, unless `forFuture`, `no_device` when nothing of it can send now.
   */
  resolve(
    actor: Actor,
    route: { session_id?: string; pool_id?: string },
    options?: { forFuture?: boolean },
  ): Promise<Route>;
  /** Throws `plan_required`, linking the upgrade page, unless the caller's plan has send pools. */
  requirePoolPlan(actor: Actor): void;
}

/** Builds the route checks; `upgradeUrl` is where a `plan_required` answer sends users (default `https://kirim.dev/upgrade`). */
export function createSendRoutes(deps: { storage: Storage; clock: Clock; upgradeUrl?: string }): SendRoutes {
  const { storage, clock } = deps;
  const upgradeUrl = deps.upgradeUrl ?? DEFAULT_SEND_SERVICE_OPTIONS.upgradeUrl;

  function requirePoolPlan(actor: Actor): void {
    if (effectivePlan(actor, clock.now()) !== 'supporter') {
      throw new KirimError('plan_required', 'Send pools are a Supporter feature.', {
        extra: { upgrade_url: upgradeUrl },
      });
    }
  }

  async function requireHealthyMember(pool: Pool): Promise<void> {
    const now = clock.now().toISOString();
    for (const id of pool.session_ids) {
      const session = await storage.sessions.getById(id);
      if (session?.status === 'connected' && !(session.circuit_open_until && session.circuit_open_until > now)) return;
    }
    throw new KirimError(
      'no_device',
      'No member device is currently connected. All pool members are offline or circuit-broken.',
    );
  }

  return {
    async resolve(actor, route, options = {}) {
      if (route.session_id) {
        const session = await storage.sessions.get(actor.userId, route.session_id);
        if (!session) throw notFound('Session');
        if (!options.forFuture && session.desired !== 'connected') {
          throw new KirimError('no_device', `The session is ${session.status}; connect it first`);
        }
        return { session_id: session.id, pool_id: null };
      }
      const pool = await storage.pools.get(actor.userId, route.pool_id!);
      if (!pool) throw notFound('Pool');
      requirePoolPlan(actor);
      if (!options.forFuture) await requireHealthyMember(pool);
      return { session_id: null, pool_id: pool.id };
    },
    requirePoolPlan,
  };
}
