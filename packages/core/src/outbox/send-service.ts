import { isDeepStrictEqual } from 'node:util';
import type { Actor } from '../actor.js';
import { effectivePlan } from '../actor.js';
import type { Clock } from '../clock.js';
import { toUserJid } from '../contacts/phone.js';
import { KirimError, notFound } from '../errors.js';
import type { Message, MessageMedia, MessageView } from '../messages/message-schemas.js';
import { messageView } from '../messages/message-schemas.js';
import type { Pool } from '../pools/pool-schemas.js';
import type { NewMessage, Storage } from '../storage/storage.js';
import { parse, validationError, type Page } from '../validation.js';
import type { Dispatcher } from './dispatcher.js';
import type { MediaLoader } from './media-loader.js';
import {
  listSchema,
  scheduleMediaSchema,
  scheduleTextSchema,
  sendGroupMediaSchema,
  sendGroupTextSchema,
  sendMediaSchema,
  sendTextSchema,
} from './outbox-schemas.js';

/** Options of sending. */
export interface SendServiceOptions {
  /** How long an immediate send waits for its row before answering `queued` (HTTP 202); default 30 000 ms. */
  sendWaitMs?: number;
  /** Where the 402 answer of a pool send sends users; default `https://kirim.dev/upgrade`. */
  upgradeUrl?: string;
}

/** Sending's defaults: an immediate send waits 30 000 ms; the 402 of a pool send links `https://kirim.dev/upgrade`. */
export const DEFAULT_SEND_SERVICE_OPTIONS: Readonly<Required<SendServiceOptions>> = {
  sendWaitMs: 30_000,
  upgradeUrl: 'https://kirim.dev/upgrade',
};

/** The answer to a send: the row and, for pool sends, the device it went through. */
export interface SendResult {
  id: number;
  message_id: string | null;
  status: Message['status'];
  error: string | null;
  quoted: string | null;
  mentions: string[];
  routed_via?: { pool_id: string; device_id: string | null };
}

/** A scheduled message as the API shows it. */
export interface ScheduledView extends MessageView {
  scheduled_at: string | null;
  schedule_status: 'pending' | 'sent' | 'failed' | 'cancelled';
}

export type SendService = ReturnType<typeof createSendService>;

/** Where a send goes: a session of the caller's, or a pool of theirs (a plan feature). */
export interface Route {
  session_id: string | null;
  pool_id: string | null;
}

/**
 * Immediate and scheduled sends. Every send is a row first; an immediate one waits for the dispatcher
 * to settle it. An `Idempotency-Key` makes a retried request return the first one's row, never send twice.
 */
export function createSendService(
  deps: {
    storage: Storage;
    clock: Clock;
    dispatcher: Dispatcher;
    media: MediaLoader;
    defaultCountryCode: string;
  } & SendServiceOptions,
) {
  const { storage, clock, dispatcher, media: loader } = deps;
  const cc = deps.defaultCountryCode;
  const waitMs = deps.sendWaitMs ?? DEFAULT_SEND_SERVICE_OPTIONS.sendWaitMs;
  const upgradeUrl = deps.upgradeUrl ?? DEFAULT_SEND_SERVICE_OPTIONS.upgradeUrl;

  /** Checks the route is the caller's and can send: 404 for a foreign session or pool, 402 and 503 as documented. */
  async function resolveRoute(
    actor: Actor,
    route: { session_id?: string; pool_id?: string },
    options: { forFuture?: boolean } = {},
  ): Promise<Route> {
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
  }

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

  function row(
    actor: Actor,
    route: Route,
    fields: {
      chat: string;
      peer: string | null;
      text: string | null;
      media: MessageMedia | null;
      quoted?: string;
      mentions?: string[];
      kind: Message['kind'];
      notBefore: Date;
      key?: string;
    },
  ): NewMessage {
    const now = clock.now().toISOString();
    return {
      user_id: actor.userId,
      session_id: route.session_id,
      pool_id: route.pool_id,
      direction: 'out',
      message_id: null,
      chat: fields.chat,
      peer_phone: fields.peer,
      peer_lid: null,
      sender: null,
      push_name: null,
      type: fields.media?.type ?? 'text',
      text: fields.text,
      media: fields.media,
      quoted_message_id: fields.quoted ?? null,
      mentions: fields.mentions ?? [],
      status: 'queued',
      error: null,
      raw: null,
      kind: fields.kind,
      job_id: null,
      schedule_id: null,
      idempotency_key: fields.key ?? null,
      attempts: 0,
      claimed_by: null,
      not_before: fields.notBefore.toISOString(),
      sent_at: null,
      created_at: now,
      updated_at: now,
    };
  }

  function result(message: Message): SendResult {
    return {
      id: message.id,
      message_id: message.message_id,
      status: message.status,
      error: message.error,
      quoted: message.quoted_message_id,
      mentions: message.mentions,
      ...(message.pool_id ? { routed_via: { pool_id: message.pool_id, device_id: message.session_id } } : {}),
    };
  }

  /**
   * Queues one row (or finds the row of an earlier request with the same key) and waits for it to settle.
   * A key is compared whole; one reused for a different request is refused, naming it.
   */
  async function sendNow(actor: Actor, route: Route, fields: Parameters<typeof row>[2]): Promise<SendResult> {
    const fresh = row(actor, route, fields);
    const earlierWithKey = async () => {
      const earlier = fields.key ? await storage.outbox.findByIdempotencyKey(actor.userId, fields.key) : undefined;
      if (earlier && !sameRequest(earlier, fresh))
        throw validationError({ [IDEMPOTENCY_KEY]: ['was already used for a different request'] });
      return earlier;
    };
    const earlier = await earlierWithKey();
    if (earlier) return result((await dispatcher.waitFor([earlier.id], waitMs))[0] ?? earlier);
    let id: number;
    try {
      [id] = await storage.outbox.enqueue([fresh]);
    } catch (error) {
      // Two requests with one key at once: the unique index lets one in; the other answers with its row.
      const raced =
        fields.key && error instanceof KirimError && error.code === 'conflict' ? await earlierWithKey() : undefined;
      if (!raced) throw error;
      id = raced.id;
    }
    dispatcher.poke();
    const [settled] = await dispatcher.waitFor([id], waitMs);
    return result(settled);
  }

  async function quoteCheck(route: Route, quoted: string | undefined): Promise<void> {
    if (!quoted || !route.session_id) return;
    if (!(await storage.messages.findByMessageId(route.session_id, quoted)))
      throw validationError({ quoted_message_id: ["no such message in this session's history"] });
  }

  const media = (input: { media_url: string; type: MessageMedia['type']; filename?: string }): MessageMedia => ({
    type: input.type,
    url: input.media_url,
    filename: input.filename ?? null,
  });

  /** The `Idempotency-Key` as given, or a `validation` error naming it when it is too long to compare whole. */
  function idempotencyKey(key: string | undefined): string | undefined {
    if (key !== undefined && key.length > MAX_KEY_LENGTH)
      throw validationError({ [IDEMPOTENCY_KEY]: [`must be at most ${MAX_KEY_LENGTH} characters`] });
    return key || undefined;
  }

  function futureDate(date: Date): Date {
    if (date.getTime() <= clock.now().getTime()) throw validationError({ scheduled_at: ['must be in the future'] });
    return date;
  }

  function scheduledView(message: Message): ScheduledView {
    const status =
      message.status === 'cancelled'
        ? 'cancelled'
        : message.status === 'failed'
          ? 'failed'
          : ['queued', 'sending', 'unknown'].includes(message.status)
            ? 'pending'
            : 'sent';
    return { ...messageView(message), scheduled_at: message.not_before, schedule_status: status };
  }

  return {
    resolveRoute,
    requirePoolPlan,

    /** Refuses, before anything is stored, a `media_url` the media loader would never fetch (see MediaLoader.check). */
    checkMediaUrl: (url: string): Promise<void> => loader.check(url),

    /** Sends a text to a user. */
    async sendText(actor: Actor, input: unknown, key?: string): Promise<SendResult> {
      key = idempotencyKey(key);
      const data = parse(sendTextSchema(cc), input);
      const route = await resolveRoute(actor, data);
      await quoteCheck(route, data.quoted_message_id);
      return sendNow(actor, route, {
        chat: toUserJid(data.to),
        peer: data.to,
        text: data.message,
        media: null,
        quoted: data.quoted_message_id,
        mentions: data.mentions,
        kind: 'send',
        notBefore: clock.now(),
        key,
      });
    },

    /** Sends media (fetched by the server from `media_url`) to a user. */
    async sendMedia(actor: Actor, input: unknown, key?: string): Promise<SendResult> {
      key = idempotencyKey(key);
      const data = parse(sendMediaSchema(cc), input);
      await loader.check(data.media_url);
      const route = await resolveRoute(actor, data);
      return sendNow(actor, route, {
        chat: toUserJid(data.to),
        peer: data.to,
        text: data.caption ?? null,
        media: media(data),
        kind: 'send',
        notBefore: clock.now(),
        key,
      });
    },

    /** Sends a text to a group. */
    async sendGroupText(actor: Actor, input: unknown, key?: string): Promise<SendResult> {
      key = idempotencyKey(key);
      const data = parse(sendGroupTextSchema, input);
      const route = await resolveRoute(actor, data);
      await quoteCheck(route, data.quoted_message_id);
      return sendNow(actor, route, {
        chat: data.group_id,
        peer: null,
        text: data.message,
        media: null,
        quoted: data.quoted_message_id,
        mentions: data.mentions,
        kind: 'send',
        notBefore: clock.now(),
        key,
      });
    },

    /** Sends media to a group. */
    async sendGroupMedia(actor: Actor, input: unknown, key?: string): Promise<SendResult> {
      key = idempotencyKey(key);
      const data = parse(sendGroupMediaSchema, input);
      await loader.check(data.media_url);
      const route = await resolveRoute(actor, data);
      return sendNow(actor, route, {
        chat: data.group_id,
        peer: null,
        text: data.caption ?? null,
        media: media(data),
        kind: 'send',
        notBefore: clock.now(),
        key,
      });
    },

    /** Schedules a text; a pool-routed one picks its device, and re-checks the plan, when it fires. */
    async scheduleText(actor: Actor, input: unknown): Promise<ScheduledView> {
      const data = parse(scheduleTextSchema(cc), input);
      const at = futureDate(data.scheduled_at);
      const route = await resolveRoute(actor, data, { forFuture: true });
      const [id] = await storage.outbox.enqueue([
        row(actor, route, {
          chat: toUserJid(data.to),
          peer: data.to,
          text: data.message,
          media: null,
          kind: 'scheduled',
          notBefore: at,
        }),
      ]);
      return scheduledView((await storage.outbox.get(actor.userId, id))!);
    },

    /** Schedules media. */
    async scheduleMedia(actor: Actor, input: unknown): Promise<ScheduledView> {
      const data = parse(scheduleMediaSchema(cc), input);
      const at = futureDate(data.scheduled_at);
      await loader.check(data.media_url);
      const route = await resolveRoute(actor, data, { forFuture: true });
      const [id] = await storage.outbox.enqueue([
        row(actor, route, {
          chat: toUserJid(data.to),
          peer: data.to,
          text: data.caption ?? null,
          media: media(data),
          kind: 'scheduled',
          notBefore: at,
        }),
      ]);
      return scheduledView((await storage.outbox.get(actor.userId, id))!);
    },

    /** The caller's scheduled messages, newest first. */
    async listScheduled(actor: Actor, input: unknown = {}): Promise<Page<ScheduledView>> {
      const { page, per_page } = parse(listSchema, input);
      const slice = await storage.outbox.listScheduled(actor.userId, {
        limit: per_page,
        offset: (page - 1) * per_page,
      });
      return { items: slice.items.map(scheduledView), total: slice.total, page, perPage: per_page };
    },

    /** One scheduled message's status, with the error if it failed. */
    async scheduledStatus(actor: Actor, id: string): Promise<ScheduledView> {
      const message = Number.isSafeInteger(Number(id)) ? await storage.outbox.get(actor.userId, Number(id)) : undefined;
      if (!message || message.kind !== 'scheduled') throw notFound('Scheduled message');
      return scheduledView(message);
    },

    /** Cancels a scheduled message that has not fired; one already sent is a `conflict`. */
    async cancelScheduled(actor: Actor, id: string): Promise<ScheduledView> {
      const current = await this.scheduledStatus(actor, id);
      if (current.schedule_status === 'cancelled') return current;
      if ((await storage.outbox.cancelQueued(actor.userId, { id: current.id }, clock.now().toISOString())) === 0) {
        throw new KirimError(
          'conflict',
          `The message is already ${current.schedule_status === 'pending' ? 'being sent' : current.schedule_status}`,
        );
      }
      return this.scheduledStatus(actor, id);
    },
  };
}

/** The header that makes a send idempotent, named as such in its errors. */
const IDEMPOTENCY_KEY = 'Idempotency-Key';
// Long enough for any client's keys (UUIDs, order ids with prefixes), short enough to index whole.
const MAX_KEY_LENGTH = 255;
// What a send request decides about its row; anything else on a row (the pipeline's progress, columns
// added later) cannot make a genuine retry look like a different request.
const REQUEST_FIELDS = [
  'session_id',
  'pool_id',
  'chat',
  'peer_phone',
  'text',
  'media',
  'quoted_message_id',
  'mentions',
  'kind',
] as const;

/** Whether the stored row of an earlier request is what `fresh` would be: the same route and content. */
function sameRequest(earlier: Message, fresh: NewMessage): boolean {
  return REQUEST_FIELDS.every((field) => {
    // A pool row gets its device when it is claimed.
    if (field === 'session_id' && fresh.pool_id !== null) return true;
    return isDeepStrictEqual(earlier[field] ?? null, fresh[field] ?? null);
  });
}
