import type { Pool } from './pool-schemas.js';

/** Round-robin over a pool's members, remembering across rounds where each pool goes on next. */
export class PoolRotation {
  private readonly cursors = new Map<string, number>();

  /** The next member after the last one picked that `canSend`, or undefined when none can. */
  pick(pool: Pool, canSend: (sessionId: string) => boolean): string | undefined {
    const members = pool.session_ids;
    const start = this.cursors.get(pool.id) ?? 0;
    for (let i = 0; i < members.length; i++) {
      const id = members[(start + i) % members.length];
      if (canSend(id)) {
        this.cursors.set(pool.id, (start + i + 1) % members.length);
        return id;
      }
    }
    return undefined;
  }
}
