import { isDeepStrictEqual } from 'node:util';
import type { Actor } from '../actor.js';
import type { Clock } from '../clock.js';
import { KirimError } from '../errors.js';
import type { Message, MessageContent, MessageMedia } from '../messages/message-schemas.js';
import type { NewMessage, Storage } from '../storage/storage.js';
import { validationError } from '../validation.js';
import type { Route } from './send-routes.js';
import type { SendResult } from './send-service.js';
import type { SendWaiters } from './send-waiters.js';

/** What a send request says its row carries, whatever its kind. */
export type Content = {
  chat: string;
  peer: string | null;
  text: string | null;
  media: MessageMedia | null;
  content?: MessageContent;
  quoted?: string;
  mentions?: string[];
};

/** A row's fields as a send decides them: its content, kind, when it may go, and its idempotency key. */
export type RowFields = Content & { kind: Message['kind']; notBefore: Date; key?: string };

/** Queues outgoing rows, and for immediate sends waits for them to settle; shared by every service that sends. */
export interface SendQueue {
  /** The outbox row a send of `fields` through `route` stores. */
  row(actor: Actor, route: Route, fields: RowFields): NewMessage;
  /**
   * Queues one row (or finds the row of an earlier request with the same key) and waits for it to settle, at most
   * the send wait. A key is compared whole; one reused for a different request is refused, naming it.
   */
  sendNow(actor: Actor, route: Route, fields: RowFields): Promise<SendResult>;
  /** The `Idempotency-Key` as given, or a `validation` error naming it when it is too long to compare whole. */
  idempotencyKey(key: string | undefined): string | undefined;
}

/** Builds the queue of immediate and scheduled sends; `onQueued` is told a row was queued to go now. */
export function createSendQueue(deps: {
  storage: Storage;
  clock: Clock;
  waiters: SendWaiters;
  onQueued(): void;
  waitMs: number;
}): SendQueue {
  const { storage, clock, waiters, waitMs } = deps;

  function row(actor: Actor, route: Route, fields: RowFields): NewMessage {
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
      type: fields.content?.type ?? fields.media?.type ?? 'text',
      text: fields.text,
      media: fields.media,
      content: fields.content ?? null,
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

  async function sendNow(actor: Actor, route: Route, fields: RowFields): Promise<SendResult> {
    const fresh = row(actor, route, fields);
    const earlierWithKey = async () => {
      const earlier = fields.key ? await storage.outbox.findByIdempotencyKey(actor.userId, fields.key) : undefined;
      if (earlier && !sameRequest(earlier, fresh))
        throw validationError({ [IDEMPOTENCY_KEY]: ['was already used for a different request'] });
      return earlier;
    };
    const earlier = await earlierWithKey();
    if (earlier) return sendResult((await waiters.wait([earlier.id], waitMs))[0] ?? earlier);
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
    deps.onQueued();
    const [settled] = await waiters.wait([id], waitMs);
    return sendResult(settled);
  }

  function idempotencyKey(key: string | undefined): string | undefined {
    if (key !== undefined && key.length > MAX_KEY_LENGTH)
      throw validationError({ [IDEMPOTENCY_KEY]: [`must be at most ${MAX_KEY_LENGTH} characters`] });
    return key || undefined;
  }

  return { row, sendNow, idempotencyKey };
}

/** The answer to a send of `message`. */
function sendResult(message: Message): SendResult {
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
  'content',
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
