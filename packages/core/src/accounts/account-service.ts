import { randomUUID } from 'node:crypto';
import type { Actor } from '../actor.js';
import { isAdmin } from '../actor.js';
import type { Clock } from '../clock.js';
import { found, KirimError, notFound } from '../errors.js';
import type { Logger } from '../logger.js';
import { freshRecord } from '../records.js';
import type { Storage } from '../storage/storage.js';
import { pageSchema, parse, readPage, type Page } from '../validation.js';
import {
  createUserSchema,
  generateTokenSchema,
  listTokensSchema,
  revokeTokenSchema,
  updateUserSchema,
  type ApiToken,
  type ApiTokenView,
  type CreateUserInput,
  type GenerateTokenInput,
  type ListTokensInput,
  type RevokeTokenInput,
  type UpdateUserInput,
  type User,
} from './account-schemas.js';
import { hashToken, maskToken, newToken, sameHash } from './token.js';

/** A freshly generated token: the only time its plaintext is seen. */
export interface GeneratedToken extends ApiTokenView {
  token: string;
}

/** How long a verified API token is trusted without reading storage again, by default: 5000 ms. */
export const DEFAULT_AUTH_CACHE_MS = 5000;

export interface AccountServiceDeps {
  storage: Storage;
  clock: Clock;
  logger: Logger;
  /** How long a verified token is trusted without reading storage again; default 5000 ms. Revocation in this process takes effect at once. */
  authCacheMs?: number;
  /** Called when a user is deleted, so its sessions can be stopped. */
  onUserRemoved?: (userId: string) => Promise<void>;
}

interface CachedToken {
  actor: Actor;
  tokenId: string;
  expiresAt: number | null;
  cachedAt: number;
  touchedAt: number;
}

// last_used_at is advisory: writing it on every request would make each read a write.
const TOUCH_EVERY_MS = 60_000;

/** Users and API tokens: authentication, the admin user routes and the token routes. */
export interface AccountService {
  /** Resolves a bearer token to its actor; throws `unauthorized` for unknown, revoked or expired tokens. */
  authenticate(plaintext: string): Promise<Actor>;
  /** The caller's own user record; throws `unauthorized` if it is gone. */
  me(actor: Actor): Promise<User>;
  /** Creates a token for the caller (or, for admins, for `user_id`), the plaintext returned only here; throws `validation`, `forbidden`, `not_found`. */
  generateToken(actor: Actor, input: GenerateTokenInput): Promise<GeneratedToken>;
  /** The caller's tokens (or, for admins, `user_id`'s), masked; throws `validation`, `forbidden`, `not_found`. */
  listTokens(actor: Actor, input?: ListTokensInput): Promise<ApiTokenView[]>;
  /** Revokes a token, at once in this process; throws `not_found` for another user's token, `validation`, `forbidden`. */
  revokeToken(actor: Actor, input: RevokeTokenInput): Promise<void>;
  /** Admin: creates a user; throws `forbidden`, `validation`, `conflict` if the email is taken. */
  createUser(actor: Actor, input: CreateUserInput): Promise<User>;
  /** Admin: one page of users; throws `forbidden`, `validation`. */
  listUsers(actor: Actor, query?: unknown): Promise<Page<User>>;
  /** Admin: one user; throws `forbidden`, `not_found`. */
  getUser(actor: Actor, id: string): Promise<User>;
  /** Admin: changes a user's fields, role and plan changes applying to its tokens at once; throws `forbidden`, `validation`, `not_found`. */
  updateUser(actor: Actor, id: string, input: UpdateUserInput): Promise<User>;
  /** Admin: deletes a user and everything it owns, after stopping its sessions; throws `forbidden`, `not_found`. */
  removeUser(actor: Actor, id: string): Promise<void>;
  /**
   * Makes sure an admin user holds exactly this token (for `KIRIM_ADMIN_TOKEN`): creates the admin if there
   * is none and stores the token's hash if it is not stored yet; throws `conflict` if a non-admin holds either.
   */
  provisionAdminToken(plaintext: string, admin: { name: string; email: string }): Promise<User>;
  /** On a store without users: creates the first admin and a token for it; undefined if users exist. */
  bootstrapAdmin(admin: { name: string; email: string }): Promise<{ user: User; token: GeneratedToken } | undefined>;
  /** Creates a user without an acting admin (the CLI, embedders' own provisioning); throws `validation`, `conflict`. */
  createUserUnchecked(input: CreateUserInput): Promise<User>;
  /** Issues a token for a user without an acting user (the CLI); throws `not_found`. */
  issueTokenFor(userId: string, name: string, expiresInDays?: number): Promise<GeneratedToken>;
  /** The actor for a user id, for embedders calling services without HTTP; throws `not_found`. */
  actorFor(userId: string): Promise<Actor>;
  /** Looks a user up by email (the CLI). */
  findUserByEmail(email: string): Promise<User | undefined>;
}

/** Builds the {@link AccountService}. */
export function createAccountService(deps: AccountServiceDeps): AccountService {
  const { storage, clock, logger } = deps;
  const cacheMs = deps.authCacheMs ?? DEFAULT_AUTH_CACHE_MS;
  const cache = new Map<string, CachedToken>();

  const actorOf = (user: User): Actor => ({
    userId: user.id,
    role: user.role,
    plan: user.plan,
    planExpiresAt: user.plan_expires_at ? new Date(user.plan_expires_at) : null,
  });

  const requireAdmin = (actor: Actor) => {
    if (!isAdmin(actor)) throw new KirimError('forbidden', 'Admin access required');
  };

  /** The user whose tokens a request concerns: the caller, or for admins the named `user_id`. */
  const targetUser = async (actor: Actor, userId: string | undefined): Promise<string> => {
    if (!userId || userId === actor.userId) return actor.userId;
    if (!isAdmin(actor)) throw new KirimError('forbidden', 'Only admins may act for another user');
    if (!(await storage.users.get(userId))) throw notFound('User');
    return userId;
  };

  const forget = (match: (entry: CachedToken) => boolean) => {
    for (const [hash, entry] of cache) if (match(entry)) cache.delete(hash);
  };

  const view = (token: ApiToken): ApiTokenView => ({
    id: token.id,
    user_id: token.user_id,
    name: token.name,
    token: token.token_prefix,
    created_at: token.created_at,
    expired_at: token.expired_at,
    last_used_at: token.last_used_at,
  });

  async function issueToken(
    userId: string,
    name: string,
    plaintext: string,
    expiresInDays?: number,
  ): Promise<GeneratedToken> {
    const now = clock.now();
    const stored = await storage.apiTokens.insert({
      id: randomUUID(),
      user_id: userId,
      name,
      token_hash: hashToken(plaintext),
      token_prefix: maskToken(plaintext),
      created_at: now.toISOString(),
      expired_at: expiresInDays ? new Date(now.getTime() + expiresInDays * 86_400_000).toISOString() : null,
      last_used_at: null,
    });
    return { ...view(stored), token: plaintext };
  }

  async function insertUser(input: CreateUserInput): Promise<User> {
    const data = parse(createUserSchema, input);
    const planExpiresAt = data.plan_expires_at ? data.plan_expires_at.toISOString() : null;
    return storage.users.insert({ ...freshRecord(clock.now().toISOString()), ...data, plan_expires_at: planExpiresAt });
  }

  return {
    async authenticate(plaintext: string): Promise<Actor> {
      const hash = hashToken(plaintext);
      const nowMs = clock.now().getTime();
      let entry = cache.get(hash);
      if (!entry || nowMs - entry.cachedAt > cacheMs) {
        const found = await storage.apiTokens.findByHash(hash);
        if (!found || !sameHash(found.token.token_hash, hash)) {
          cache.delete(hash);
          throw new KirimError('unauthorized', 'Unauthorized - Invalid Token');
        }
        entry = {
          actor: actorOf(found.user),
          tokenId: found.token.id,
          expiresAt: found.token.expired_at ? Date.parse(found.token.expired_at) : null,
          cachedAt: nowMs,
          touchedAt: entry?.touchedAt ?? (found.token.last_used_at ? Date.parse(found.token.last_used_at) : 0),
        };
        cache.set(hash, entry);
      }
      if (entry.expiresAt !== null && entry.expiresAt <= nowMs)
        throw new KirimError('unauthorized', 'Unauthorized - Invalid Token');
      if (nowMs - entry.touchedAt >= TOUCH_EVERY_MS) {
        entry.touchedAt = nowMs;
        storage.apiTokens
          .touch(entry.tokenId, new Date(nowMs).toISOString())
          .catch((error) => logger.warn({ err: error }, 'could not record token use'));
      }
      return entry.actor;
    },

    async me(actor: Actor): Promise<User> {
      const user = await storage.users.get(actor.userId);
      if (!user) throw new KirimError('unauthorized', 'Unauthorized - Invalid Token');
      return user;
    },

    async generateToken(actor: Actor, input: GenerateTokenInput): Promise<GeneratedToken> {
      const data = parse(generateTokenSchema, input);
      const userId = await targetUser(actor, data.user_id);
      return issueToken(userId, data.name, newToken(), data.expires_in_days);
    },

    async listTokens(actor: Actor, input: ListTokensInput = {}): Promise<ApiTokenView[]> {
      const data = parse(listTokensSchema, input);
      const userId = await targetUser(actor, data.user_id);
      return (await storage.apiTokens.listByUser(userId)).map(view);
    },

    async revokeToken(actor: Actor, input: RevokeTokenInput): Promise<void> {
      const data = parse(revokeTokenSchema, input);
      const userId = await targetUser(actor, data.user_id);
      if (!(await storage.apiTokens.remove(userId, data.id))) throw notFound('Token');
      forget((entry) => entry.tokenId === data.id);
    },

    async createUser(actor: Actor, input: CreateUserInput): Promise<User> {
      requireAdmin(actor);
      return insertUser(input);
    },

    async listUsers(actor: Actor, query: unknown = {}): Promise<Page<User>> {
      requireAdmin(actor);
      return readPage(parse(pageSchema, query), (range) => storage.users.list(range));
    },

    async getUser(actor: Actor, id: string): Promise<User> {
      requireAdmin(actor);
      return found(await storage.users.get(id), 'User');
    },

    async updateUser(actor: Actor, id: string, input: UpdateUserInput): Promise<User> {
      requireAdmin(actor);
      const data = parse(updateUserSchema, input);
      const { plan_expires_at, ...rest } = data;
      const changes: Partial<User> = { ...rest, updated_at: clock.now().toISOString() };
      if (plan_expires_at !== undefined)
        changes.plan_expires_at = plan_expires_at ? plan_expires_at.toISOString() : null;
      const user = found(await storage.users.update(id, changes), 'User');
      forget((entry) => entry.actor.userId === id);
      return user;
    },

    async removeUser(actor: Actor, id: string): Promise<void> {
      requireAdmin(actor);
      if (!(await storage.users.get(id))) throw notFound('User');
      await deps.onUserRemoved?.(id);
      await storage.users.remove(id);
      forget((entry) => entry.actor.userId === id);
    },

    async provisionAdminToken(plaintext: string, admin: { name: string; email: string }): Promise<User> {
      const found = await storage.apiTokens.findByHash(hashToken(plaintext));
      if (found) {
        if (found.user.role === 'admin') return found.user;
        throw new KirimError('conflict', 'The configured admin token belongs to a non-admin user');
      }
      const user =
        (await storage.users.getByEmail(admin.email.toLowerCase())) ??
        (await insertUser({ ...admin, role: 'admin', plan: 'supporter' }));
      if (user.role !== 'admin') throw new KirimError('conflict', `User ${admin.email} exists and is not an admin`);
      await issueToken(user.id, 'KIRIM_ADMIN_TOKEN', plaintext);
      return user;
    },

    async bootstrapAdmin(admin: {
      name: string;
      email: string;
    }): Promise<{ user: User; token: GeneratedToken } | undefined> {
      if ((await storage.users.count()) > 0) return undefined;
      const user = await insertUser({ ...admin, role: 'admin', plan: 'supporter' });
      return { user, token: await issueToken(user.id, 'first admin token', newToken()) };
    },

    createUserUnchecked: insertUser,

    async issueTokenFor(userId: string, name: string, expiresInDays?: number): Promise<GeneratedToken> {
      if (!(await storage.users.get(userId))) throw notFound('User');
      return issueToken(userId, name, newToken(), expiresInDays);
    },

    async actorFor(userId: string): Promise<Actor> {
      return actorOf(found(await storage.users.get(userId), 'User'));
    },

    findUserByEmail: (email: string) => storage.users.getByEmail(email.toLowerCase()),
  };
}
