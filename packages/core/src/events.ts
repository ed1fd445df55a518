import { randomFillSync } from 'node:crypto';
import { EventEmitter } from 'eventemitter3';
import { v7 as uuidv7 } from 'uuid';
import type { Clock } from './clock.js';
import type { ContactCard } from './messages/message-schemas.js';
import type { Storage } from './storage/storage.js';

/** A WhatsApp peer as events carry it: the phone number and the LID, each where known. */
export interface Peer {
  jid: string;
  phone: string | null;
  lid: string | null;
}

/** A peer as events name it, by the JID WhatsApp addressed them with: their LID is known only when that was it. */
export function peerOf(jid: string, phone: string | null): Peer {
  return { jid, phone, lid: jid.endsWith('@lid') ? jid : null };
}

/** A received message's media as events describe it. */
export interface ReceivedMedia {
  mimetype: string | null;
  size: number | null;
  filename: string | null;
  seconds: number | null;
  url: string;
}

/** What every change to a message names: the session, the message changed, its chat, and whether the account made it. */
export interface MessageChange {
  session_id: string;
  message_id: string;
  chat: string;
  /** Made by the linked account itself (on another of its devices, or through this API). */
  from_me: boolean;
}

/** The payload of each event, by event name. */
export interface KirimEventMap {
  'session.status': {
    session_id: string;
    status: string;
    phone: string | null;
    reason?: string;
    reconnect_attempts: number;
    next_retry_at: string | null;
  };
  'session.qr': { session_id: string; qr: string };
  /** A session's circuit breaker opened (its sends kept failing: held out until `until`) or closed again. */
  'session.circuit': { session_id: string; state: 'opened' | 'closed'; until: string | null; reason: string | null };
  /** A message received, with its kind's fields: `caption` and `media` for media, a location's, contact cards' or poll's. */
  'message.received': {
    session_id: string;
    message_id: string;
    from: Peer;
    chat: string;
    /** A text's text, or a media message's caption. */
    text: string | null;
    /** `text`, `image`, `video`, `audio`, `voice`, `document`, `sticker`, `location`, `contact`, `poll` (`other` otherwise). */
    type: string;
    timestamp: string;
    caption?: string | null;
    /** `url`: this API's path serving the bytes (`/api/whatsapp/messages/{message_id}/media`). */
    media?: ReceivedMedia;
    latitude?: number;
    longitude?: number;
    name?: string;
    address?: string;
    contacts?: ContactCard[];
    poll?: { question: string; options: string[]; multiple_answers: boolean };
  };
  /** A chat member reacted to a message (an empty `emoji`: took their reaction back). */
  'message.reaction': MessageChange & { from: Peer; emoji: string };
  /** A message's sender edited its text. */
  'message.edited': MessageChange & { from: Peer; text: string };
  /** A message's sender deleted it for everyone (the stored copy keeps its text, with `revoked_at`). */
  'message.revoked': MessageChange & { from: Peer };
  /** A member voted on a poll: the option names chosen, all at once (none: the vote withdrawn). */
  'poll.vote': MessageChange & { voter: Peer; selected: string[] };
  /** Someone called the linked account; `rejected` when the session's `reject_calls` declined it. */
  'call.received': { session_id: string; from: Peer; is_video: boolean; rejected: boolean };
  /**
   * A contact or group a session subscribed to (`POST …/presence/subscribe`): the contact came online or went off line
   * (`last_seen` then, where WhatsApp tells it), or someone types, records a voice note or stops in the chat.
   */
  'presence.update': {
    session_id: string;
    chat: string;
    from: Peer;
    state: 'available' | 'unavailable' | 'composing' | 'recording' | 'paused';
    last_seen: string | null;
  };
  /** Members of a group one of the sessions is in were added, removed, promoted or demoted (`author`: by whom, if known). */
  'group.participants': {
    session_id: string;
    group_id: string;
    author: Peer | null;
    action: 'add' | 'remove' | 'promote' | 'demote';
    participants: Peer[];
  };
  /** A group's subject, description or settings changed: only the changed fields are present. */
  'group.update': {
    session_id: string;
    group_id: string;
    author: Peer | null;
    subject?: string;
    description?: string | null;
    announce_only?: boolean;
    locked?: boolean;
  };
  'message.status': {
    session_id: string;
    id: number;
    message_id: string | null;
    to: Peer;
    status: string;
    error?: string | null;
    /** `text`, `location`, `contact`, `poll`, or the media's type (`image`, `video`, `audio`, `document`, `sticker`). */
    type: string;
    /** On `sent`: when the message was due (its scheduled time, bulk slot or retry time; else when it was queued). */
    due_at?: string;
  };
  'bulk.progress': { job_id: string; total: number; sent: number; failed: number; pending: number };
  'bulk.completed': { job_id: string; status: string; total: number; sent: number; failed: number };
  'scheduled.sent': { id: string; message_id: string | null; to: string };
  'scheduled.failed': { id: string; to: string; error: string };
  'lead_task.completed': { task_id: string; status: string; results: number; error?: string | null };
  'webhook.disabled': { webhook_id: string; url: string; reason: string };
}

/** An event's name. */
export type KirimEventName = keyof KirimEventMap;

/** One event as delivered to listeners, webhooks and the live stream. */
export interface KirimEvent<N extends KirimEventName = KirimEventName> {
  /** Stable unique id: receivers drop repeats by it. */
  id: string;
  type: N;
  /** ISO-8601 time it happened. */
  timestamp: string;
  /** The user whose resource it concerns. */
  user_id: string;
  data: KirimEventMap[N];
}

/** Where a listener's event comes from: this process, or another process sharing the database (through the relay). */
export type EventOrigin = 'local' | 'relayed';

type Listeners = { [N in KirimEventName]: (event: KirimEvent<N>, origin: EventOrigin) => void } & {
  '*': (event: KirimEvent, origin: EventOrigin) => void;
};

// uuid draws each id's randomness from Web Crypto, a few microseconds a call; a pool refilled in bulk is not.
const pool = Buffer.alloc(16 * 256);
let pooled = pool.length;
function randomBytes16(): Uint8Array {
  if (pooled === pool.length) {
    randomFillSync(pool);
    pooled = 0;
  }
  return pool.subarray(pooled, (pooled += 16));
}

/** A new event id: `evt_` and a UUIDv7 of `at`, so ids sort by time and the log's index grows at one end. */
export function newEventId(at: Date): string {
  return `evt_${uuidv7({ msecs: at.getTime(), random: randomBytes16() })}`;
}

/** Durable recording of events, outside a transaction or inside the one of the change they report. */
export interface EventRecorder {
  record(event: KirimEvent): Promise<void>;
  recordIn(tx: Storage, events: KirimEvent[]): Promise<void>;
  /** After a transaction holding recorded events has committed. */
  committed(): void;
}

/**
 * The typed event bus: `on(name, listener)` for one event, `on('*', listener)` for all.
 * `publish` is how every area raises an event; it resolves once the event is recorded.
 */
export class KirimEvents extends EventEmitter<Listeners> {
  /**
   * `recorder` makes events durable: an event is recorded before listeners hear it (the engine appends
   * it to the event log and queues its webhook deliveries there). Without it, events stay in-process.
   */
  constructor(
    private readonly clock: Clock,
    private readonly recorder?: EventRecorder,
  ) {
    super();
  }

  /**
   * An event with a fresh id and the clock's time. The id is a UUIDv7, ordered by time: the log's unique
   * index on it then grows at its end, rather than taking each id on a random page of it.
   */
  create<N extends KirimEventName>(name: N, userId: string, data: KirimEventMap[N]): KirimEvent<N> {
    const now = this.clock.now();
    return { id: newEventId(now), type: name, timestamp: now.toISOString(), user_id: userId, data };
  }

  /**
   * Builds an event, records it (durable log, webhook deliveries, other processes), and emits it to
   * `name` and `*` listeners. Do not await it inside a `storage.transaction` (on SQLite it would wait
   * for the transaction holding the only connection): use `publishIn` there.
   */
  async publish<N extends KirimEventName>(name: N, userId: string, data: KirimEventMap[N]): Promise<KirimEvent<N>> {
    const event = this.create(name, userId, data);
    await this.recorder?.record(event as KirimEvent);
    this.deliver(event as KirimEvent);
    return event;
  }

  /**
   * Records events in `tx`, the transaction of the change they report, so that both are stored or
   * neither. Returns what emits them to listeners: call it once `tx` has committed.
   */
  async publishIn(tx: Storage, events: KirimEvent[]): Promise<() => void> {
    if (events.length > 0) await this.recorder?.recordIn(tx, events);
    return () => {
      if (events.length === 0) return;
      this.recorder?.committed();
      for (const event of events) this.deliver(event);
    };
  }

  /** Emits an event already built (here or, through the relay, in another process: `origin`) to local listeners. */
  deliver(event: KirimEvent, origin: EventOrigin = 'local'): void {
    (this.emit as (n: string, e: KirimEvent, o: EventOrigin) => boolean)(event.type, event, origin);
    this.emit('*', event, origin);
  }
}
