/** A user's role. */
export type Role = 'user' | 'admin';
/** A user's plan. */
export type Plan = 'free' | 'supporter';

/** The acting user every service method takes first: tenancy is enforced from it. */
export interface Actor {
  userId: string;
  role: Role;
  /** The plan as stored; see {@link effectivePlan} for what counts now. */
  plan: Plan;
  planExpiresAt: Date | null;
}

/** The plan that counts at `now`: a supporter plan past its `plan_expires_at` counts as free. */
export function effectivePlan(actor: Pick<Actor, 'plan' | 'planExpiresAt'>, now: Date): Plan {
  if (actor.plan === 'supporter' && actor.planExpiresAt && actor.planExpiresAt.getTime() <= now.getTime())
    return 'free';
  return actor.plan;
}

/** True for admins. */
export function isAdmin(actor: Actor): boolean {
  return actor.role === 'admin';
}
