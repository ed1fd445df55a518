import type { Actor } from '../actor.js';
import type { Clock } from '../clock.js';
import { isGroupJid, toUserJid } from '../contacts/phone.js';
import { checkEditWindow } from '../outbox/message-action-rows.js';
import { createSendQueue, type Content } from '../outbox/send-queue.js';
import type { SendRoutes } from '../outbox/send-routes.js';
import { DEFAULT_SEND_SERVICE_OPTIONS, type SendResult } from '../outbox/send-service.js';
import type { SendWaiters } from '../outbox/send-waiters.js';
import type { Storage } from '../storage/storage.js';
import { parse, validationError } from '../validation.js';
import { messageActionSchemas } from './message-action-schemas.js';
import { messageView, type Message, type MessageContent, type MessageView } from './message-schemas.js';
import { ownedMessage } from './owned-message.js';

export { EDIT_WINDOW_MS } from '../outbox/message-action-rows.js';

/** What `DELETE …?for=me` answers: the stored copy is gone; nothing was sent to the chat. */
export interface StoredCopyRemoved {
  message_id: string;
  deleted_for: 'me';
}

/**
 * Actions on a stored message of the caller's, named by its WhatsApp id (`message_id`) and done through the session
 * that holds it. Each but `get` and a delete `for=me` is an outbox row like a text (durable, paced, idempotent with
 * `key`) and answers as a send does. Each throws `not_found` naming `message_id` for a message not in the caller's
 * sessions, and `validation` naming every bad field, `message_id` included when the message cannot take the action.
 */
export interface MessageActionService {
  /** The stored message: its kind, content, status history, reactions, poll votes, and when it was edited or deleted. */
  get(actor: Actor, messageId: string): Promise<MessageView>;
  /** Reacts with one `emoji` (`""` removes the reaction). */
  react(actor: Actor, messageId: string, input: unknown, key?: string): Promise<SendResult>;
  /** Sends a text quoting the message to its chat. */
  reply(actor: Actor, messageId: string, input: unknown, key?: string): Promise<SendResult>;
  /** Replaces the text of an own text message; `edit_window_closed` once it was sent more than 15 minutes ago. */
  edit(actor: Actor, messageId: string, input: unknown, key?: string): Promise<SendResult>;
  /** Deletes an own message for everyone, or with `for=me` only its stored copy (at once, nothing sent). */
  remove(actor: Actor, messageId: string, query: unknown, key?: string): Promise<SendResult | StoredCopyRemoved>;
  /** Forwards the message to a user (`to`) or a group (`group_id`). */
  forward(actor: Actor, messageId: string, input: unknown, key?: string): Promise<SendResult>;
  /** Marks an incoming message, and the earlier incoming ones of its chat, read: their senders see it read. */
  read(actor: Actor, messageId: string, input: unknown, key?: string): Promise<SendResult>;
}

/** Builds the actions on messages; the rows go through the same queue, waiters and dispatcher as sends. */
export function createMessageActionService(deps: {
  storage: Storage;
  clock: Clock;
  routes: SendRoutes;
  waiters: SendWaiters;
  /** Told a row was queued to go now. */
  onQueued(): void;
  defaultCountryCode: string;
  /** How long an action waits for its row before answering `queued`; default as sends. */
  sendWaitMs?: number;
}): MessageActionService {
  const { storage, clock, routes } = deps;
  const schemas = messageActionSchemas(deps.defaultCountryCode);
  const queue = createSendQueue({
    ...deps,
    waitMs: deps.sendWaitMs ?? DEFAULT_SEND_SERVICE_OPTIONS.sendWaitMs,
  });

  const owned = (actor: Actor, messageId: string) => ownedMessage(storage, actor, messageId);

  /**
   * Queues what `build` makes of the message and waits for it, once `check` found the message can take the action
   * (throwing `validation` or `edit_window_closed` when it cannot).
   */
  async function act(
    actor: Actor,
    messageId: string,
    key: string | undefined,
    check: (target: Message) => void,
    build: (target: Message) => Content,
  ): Promise<SendResult> {
    key = queue.idempotencyKey(key);
    const target = await owned(actor, messageId);
    // A retry answers with the first request's row even once the action changed the message (deleted, its edit
    // window closed since): the action was taken.
    if (!key || !(await storage.outbox.findByIdempotencyKey(actor.userId, key))) check(target);
    const route = await routes.resolve(actor, { session_id: target.session_id });
    return queue.sendNow(actor, route, { ...build(target), kind: 'send', notBefore: clock.now(), key });
  }

  /** Why an own message cannot be edited now: the window is WhatsApp's, counted from when it was sent. */
  function checkEditable(target: Message): void {
    refuse(
      unactionable(target),
      target.direction === 'in' && 'is an incoming message; only your own can be edited',
      target.type !== 'text' && `is a ${target.type} message; only text can be edited`,
    );
    checkEditWindow(target, clock.now());
  }

  return {
    async get(actor, messageId) {
      return messageView(await owned(actor, messageId));
    },

    react(actor, messageId, input, key) {
      const { emoji } = parse(schemas.messageReaction, input);
      return act(actor, messageId, key, actionable, (target) =>
        action(target, { type: 'reaction', message_id: messageId, emoji }),
      );
    },

    reply(actor, messageId, input, key) {
      const { message, mentions } = parse(schemas.messageReply, input);
      return act(actor, messageId, key, actionable, (target) => ({
        ...inChat(target),
        text: message,
        media: null,
        quoted: messageId,
        mentions,
      }));
    },

    edit(actor, messageId, input, key) {
      const { message } = parse(schemas.messageEdit, input);
      return act(actor, messageId, key, checkEditable, (target) =>
        action(target, { type: 'edit', message_id: messageId, text: message }),
      );
    },

    async remove(actor, messageId, query, key) {
      const scope = parse(schemas.messageDelete, query).for;
      if (scope === 'me') {
        const target = await owned(actor, messageId);
        await storage.messages.removeOne(target.session_id, messageId);
        return { message_id: messageId, deleted_for: 'me' };
      }
      return act(
        actor,
        messageId,
        key,
        (target) =>
          refuse(
            unactionable(target),
            target.direction === 'in' && 'is an incoming message; only your own can be deleted for everyone',
          ),
        (target) => action(target, { type: 'revoke', message_id: messageId }),
      );
    },

    forward(actor, messageId, input, key) {
      const data = parse(schemas.messageForward, input);
      const chat = data.group_id ? { chat: data.group_id, peer: null } : { chat: toUserJid(data.to!), peer: data.to! };
      return act(actor, messageId, key, actionable, () => ({
        ...chat,
        text: null,
        media: null,
        content: { type: 'forward', message_id: messageId },
      }));
    },

    read(actor, messageId, input, key) {
      parse(schemas.messageRead, input);
      return act(
        actor,
        messageId,
        key,
        (target) => refuse(target.direction === 'out' && 'is an outgoing message; only received ones are marked read'),
        (target) => action(target, { type: 'read', message_id: messageId }),
      );
    },
  };
}

// Rows that act on a message are not messages of the chat themselves: nothing can be done to them.
const ACTION_TYPES = new Set(['reaction', 'edit', 'revoke', 'read']);
// An outgoing message the chat has not got (yet, or ever) cannot be acted on.
const UNSENT = new Set(['queued', 'sending', 'failed', 'cancelled']);

/** Why no action can be done on `target`, if so: an action row, a message deleted for everyone, one never sent. */
function unactionable(target: Message): string | false {
  if (ACTION_TYPES.has(target.type)) return `is a ${target.type}, not a message`;
  if (target.revoked_at) return 'was deleted for everyone';
  if (target.direction === 'out' && UNSENT.has(target.status)) return `has not been sent (it is ${target.status})`;
  return false;
}

/** Throws `validation` naming `message_id` unless any action can be done on `target`. */
function actionable(target: Message): void {
  refuse(unactionable(target));
}

/** Throws `validation` naming `message_id` with every reason given (falsy ones are no reason). */
function refuse(...reasons: Array<string | false>): void {
  const given = reasons.filter((reason): reason is string => Boolean(reason));
  if (given.length > 0) throw validationError({ message_id: given });
}

/** A row to the message's chat. */
function inChat(target: Message): Pick<Content, 'chat' | 'peer'> {
  return { chat: target.chat, peer: isGroupJid(target.chat) ? null : target.peer_phone };
}

/** A row carrying an action on `target`, to its chat. */
function action(target: Message, content: MessageContent): Content {
  return { ...inChat(target), text: null, media: null, content };
}
