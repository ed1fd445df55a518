import type { z } from 'zod';
import type { Actor } from '../actor.js';
import type { Clock } from '../clock.js';
import { toUserJid } from '../contacts/phone.js';
import { KirimError, notFound } from '../errors.js';
import type { Message, MessageContent, MessageMedia, MessageView } from '../messages/message-schemas.js';
import { messageView } from '../messages/message-schemas.js';
import type { Storage } from '../storage/storage.js';
import { parse, validationError, type Page } from '../validation.js';
import type { MediaLoader } from './media-loader.js';
import { sendSchemas } from './outbox-schemas.js';
import { createSendQueue, type Content } from './send-queue.js';
import type { Route, SendRoutes } from './send-routes.js';
import type { SendWaiters } from './send-waiters.js';

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

/**
 * Immediate and scheduled sends. Every send throws `validation` naming each bad field (a `media_url` that could
 * never be fetched included), `not_found` for a session or pool not the caller's, and `plan_required` for a pool
 * without the Supporter plan; an immediate one also `no_device` when its session or pool cannot send now.
 */
export interface SendService {
  /** Sends a text to a user; answers once the row is settled, or `queued` after `sendWaitMs`. A reused `key` answers with the first request's row. */
  sendText(actor: Actor, input: unknown, key?: string): Promise<SendResult>;
  /** Sends media (fetched by the server from `media_url`) to a user, as `sendText` does. */
  sendMedia(actor: Actor, input: unknown, key?: string): Promise<SendResult>;
  /** Sends a text to a group, as `sendText` does. */
  sendGroupText(actor: Actor, input: unknown, key?: string): Promise<SendResult>;
  /** Sends media to a group, as `sendText` does. */
  sendGroupMedia(actor: Actor, input: unknown, key?: string): Promise<SendResult>;
  /** Sends a location to a user (`to`) or a group (`group_id`), as `sendText` does. */
  sendLocation(actor: Actor, input: unknown, key?: string): Promise<SendResult>;
  /** Sends 1 to 20 contact cards to a user or a group, as `sendLocation` does. */
  sendContact(actor: Actor, input: unknown, key?: string): Promise<SendResult>;
  /** Sends a poll to a user or a group, as `sendLocation` does. */
  sendPoll(actor: Actor, input: unknown, key?: string): Promise<SendResult>;
  /** Sends a sticker (`media_url`: WebP, or PNG/JPEG made into a 512×512 WebP) to a user or a group, as `sendLocation` does. */
  sendSticker(actor: Actor, input: unknown, key?: string): Promise<SendResult>;
  /** Schedules a text (`validation` unless `scheduled_at` is in the future); a pool-routed one picks its device, and re-checks the plan, when it fires. */
  scheduleText(actor: Actor, input: unknown): Promise<ScheduledView>;
  /** Schedules media, as `scheduleText` does. */
  scheduleMedia(actor: Actor, input: unknown): Promise<ScheduledView>;
  /** The caller's scheduled messages, newest first; `validation` for a bad page. */
  listScheduled(actor: Actor, input?: unknown): Promise<Page<ScheduledView>>;
  /** One scheduled message's status, with the error if it failed; `not_found` unless it is the caller's. */
  scheduledStatus(actor: Actor, id: string): Promise<ScheduledView>;
  /** Cancels a scheduled message that has not fired; `conflict` once it is being sent or sent, `not_found` unless it is the caller's. */
  cancelScheduled(actor: Actor, id: string): Promise<ScheduledView>;
}

/** A send request's fields naming its route. */
type Routed = { session_id?: string; pool_id?: string };

/**
 * Immediate and scheduled sends. Every send is a row first; an immediate one waits for the dispatcher
 * to settle it. An `Idempotency-Key` makes a retried request return the first one's row, never send twice.
 */
export function createSendService(deps: {
  storage: Storage;
  clock: Clock;
  routes: SendRoutes;
  media: MediaLoader;
  /** Where an immediate send waits for its row to settle. */
  waiters: SendWaiters;
  /** Told a row was queued to go now (the dispatcher runs a round soon). */
  onQueued(): void;
  defaultCountryCode: string;
  sendWaitMs?: number;
}): SendService {
  const { storage, clock, routes, media: loader, waiters } = deps;
  const schemas = sendSchemas(deps.defaultCountryCode);
  const waitMs = deps.sendWaitMs ?? DEFAULT_SEND_SERVICE_OPTIONS.sendWaitMs;

  const queue = createSendQueue({ storage, clock, waiters, onQueued: deps.onQueued, waitMs });
  const { row, sendNow, idempotencyKey } = queue;

  /** An immediate send: the key, the input, its media URL, route and quoted message checked, then sent and waited for. */
  async function send<S extends z.ZodType<Routed>>(
    actor: Actor,
    key: string | undefined,
    schema: S,
    input: unknown,
    content: (data: z.output<S>) => Content,
  ): Promise<SendResult> {
    key = idempotencyKey(key);
    const data = parse(schema, input);
    const fields = content(data);
    if (fields.media?.url) await loader.check(fields.media.url);
    const route = await routes.resolve(actor, data);
    await quoteCheck(route, fields.quoted);
    return sendNow(actor, route, { ...fields, kind: 'send', notBefore: clock.now(), key });
  }

  /** A scheduled send: the input, its time, media URL and route (as it may be then) checked, then queued. */
  async function schedule<S extends z.ZodType<Routed & { scheduled_at: Date }>>(
    actor: Actor,
    schema: S,
    input: unknown,
    content: (data: z.output<S>) => Content,
  ): Promise<ScheduledView> {
    const data = parse(schema, input);
    const at = futureDate(data.scheduled_at);
    const fields = content(data);
    if (fields.media?.url) await loader.check(fields.media.url);
    const route = await routes.resolve(actor, data, { forFuture: true });
    const [id] = await storage.outbox.enqueue([row(actor, route, { ...fields, kind: 'scheduled', notBefore: at })]);
    return scheduledView((await storage.outbox.get(actor.userId, id))!);
  }

  async function quoteCheck(route: Route, quoted: string | undefined): Promise<void> {
    if (!quoted || !route.session_id) return;
    if (!(await storage.messages.findByMessageId(route.session_id, quoted)))
      throw validationError({ quoted_message_id: ["no such message in this session's history"] });
  }

  function futureDate(date: Date): Date {
    if (date.getTime() <= clock.now().getTime()) throw validationError({ scheduled_at: ['must be in the future'] });
    return date;
  }

  async function scheduledStatus(actor: Actor, id: string): Promise<ScheduledView> {
    const message = Number.isSafeInteger(Number(id)) ? await storage.outbox.get(actor.userId, Number(id)) : undefined;
    if (!message || message.kind !== 'scheduled') throw notFound('Scheduled message');
    return scheduledView(message);
  }

  return {
    sendText: (actor, input, key) =>
      send(actor, key, schemas.sendText, input, (data) => ({ ...toUser(data), ...textOf(data) })),
    sendMedia: (actor, input, key) =>
      send(actor, key, schemas.sendMedia, input, (data) => ({ ...toUser(data), ...mediaOf(data) })),
    sendGroupText: (actor, input, key) =>
      send(actor, key, schemas.sendGroupText, input, (data) => ({ ...toGroup(data), ...textOf(data) })),
    sendGroupMedia: (actor, input, key) =>
      send(actor, key, schemas.sendGroupMedia, input, (data) => ({ ...toGroup(data), ...mediaOf(data) })),
    sendLocation: (actor, input, key) =>
      send(actor, key, schemas.sendLocation, input, (data) => kindOf(data, { type: 'location', ...ownFields(data) })),
    sendContact: (actor, input, key) =>
      send(actor, key, schemas.sendContact, input, (data) => kindOf(data, { type: 'contact', ...ownFields(data) })),
    sendPoll: (actor, input, key) =>
      send(actor, key, schemas.sendPoll, input, (data) => kindOf(data, { type: 'poll', ...ownFields(data) })),
    sendSticker: (actor, input, key) =>
      send(actor, key, schemas.sendSticker, input, (data) => ({
        ...chatOf(data),
        text: null,
        media: { type: 'sticker', url: data.media_url, filename: null },
      })),
    scheduleText: (actor, input) =>
      schedule(actor, schemas.scheduleText, input, (data) => ({ ...toUser(data), ...textOf(data) })),
    scheduleMedia: (actor, input) =>
      schedule(actor, schemas.scheduleMedia, input, (data) => ({ ...toUser(data), ...mediaOf(data) })),

    async listScheduled(actor, input = {}) {
      const { page, per_page } = parse(schemas.listScheduled, input);
      const slice = await storage.outbox.listScheduled(actor.userId, {
        limit: per_page,
        offset: (page - 1) * per_page,
      });
      return { items: slice.items.map(scheduledView), total: slice.total, page, perPage: per_page };
    },

    scheduledStatus,

    async cancelScheduled(actor, id) {
      const current = await scheduledStatus(actor, id);
      if (current.schedule_status === 'cancelled') return current;
      if ((await storage.outbox.cancelQueued(actor.userId, { id: current.id }, clock.now().toISOString())) === 0) {
        throw new KirimError(
          'conflict',
          `The message is already ${current.schedule_status === 'pending' ? 'being sent' : current.schedule_status}`,
        );
      }
      return scheduledStatus(actor, id);
    },
  };
}

const toUser = (data: { to: string }) => ({ chat: toUserJid(data.to), peer: data.to });
const toGroup = (data: { group_id: string }) => ({ chat: data.group_id, peer: null });
const textOf = (data: {
  message: string;
  quoted_message_id?: string;
  mentions?: string[];
  link_preview?: boolean;
}) => ({
  text: data.message,
  media: null,
  quoted: data.quoted_message_id,
  mentions: data.mentions,
  // Only a preview turned off is stored: the row sender previews a text's first link unless told not to.
  ...(data.link_preview === false ? { content: { type: 'text', link_preview: false } as const } : {}),
});
const mediaOf = (data: {
  media_url: string;
  type: MessageMedia['type'];
  filename?: string;
  caption?: string;
  view_once?: boolean;
}) => ({
  text: data.caption ?? null,
  media: {
    type: data.type,
    url: data.media_url,
    filename: data.filename ?? null,
    ...(data.view_once ? { view_once: true } : {}),
  },
});

/** Where a send of another kind goes, and what it carries. */
type ChatFields = { to?: string; group_id?: string };
const chatOf = (data: ChatFields) => (data.group_id ? toGroup({ group_id: data.group_id }) : toUser({ to: data.to! }));
const kindOf = (data: ChatFields, content: MessageContent): Content => ({
  ...chatOf(data),
  text: null,
  media: null,
  content,
});
/** A request's own fields: all but its route and chat (zod leaves out the optional ones not given). */
function ownFields<T extends Routed & ChatFields>(data: T): Omit<T, keyof Routed | keyof ChatFields> {
  const { session_id: _session, pool_id: _pool, to: _to, group_id: _group, ...fields } = data;
  return fields;
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
