import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { startLoop, type BackgroundLoop } from '../background.js';
import type { Clock } from '../clock.js';
import { KirimError } from '../errors.js';
import { isGroupJid, toUserJid } from '../contacts/phone.js';
import { peerOf, type KirimEvents } from '../events.js';
import type { Logger } from '../logger.js';
import { IncomingRecorder } from '../messages/incoming-recorder.js';
import type { Message } from '../messages/message-schemas.js';
import type { ReceiptWriter } from '../messages/receipt-writer.js';
import type { Storage } from '../storage/storage.js';
import type { Connection, ContactPresence, LinkState, SeenContact, Transport } from '../transport/transport.js';
import type { SecretBox } from '../webhooks/secret-box.js';
import type { CallHandler } from './call-handler.js';
import { recordGroupChange } from '../whatsapp-groups/group-changes.js';
import { linkStateChange } from './link-state-changes.js';
import { proxyUrlOf } from './session-settings.js';
import { sessionAuthStore } from './session-auth-store.js';
import type { Session } from './session-schemas.js';

/** Options of the session manager. */
export interface SessionManagerOptions {
  /** How long a lease lasts without renewal; another process may take the session over after it. Default 30 000 ms. */
  leaseMs?: number;
  /** How often leases are renewed and orphaned sessions looked for. Default 10 000 ms. */
  heartbeatMs?: number;
  /** This process's name in leases; default `hostname:pid:random`. */
  instanceId?: string;
}

/** The session leases' defaults: a lease lasts 30 000 ms without renewal and is renewed every 10 000 ms. */
export const DEFAULT_SESSION_LEASE: Readonly<Required<Pick<SessionManagerOptions, 'leaseMs' | 'heartbeatMs'>>> = {
  leaseMs: 30_000,
  heartbeatMs: 10_000,
};

interface LiveSession {
  id: string;
  userId: string;
  connection: Connection | undefined;
  connected: boolean;
  /** Serialises this session's writes so states land in the order they happened. */
  queue: Promise<void>;
  /** The chats (user or group JIDs) whose presences are published; WhatsApp is asked again at each connect. */
  presenceSubscriptions: Set<string>;
}

type Deps = {
  storage: Storage;
  clock: Clock;
  logger: Logger;
  events: KirimEvents;
  transport?: Transport;
  /** Where the sessions' receipts go. */
  receipts: ReceiptWriter;
  /** Told of each incoming message once it is stored and announced (the opt-out list reads STOP replies). */
  onIncoming?(message: Message): Promise<void>;
  /** Answers the calls offered to the sessions (rejects them when their settings say so). */
  onCall?: CallHandler;
  /** Opens the sessions' sealed proxy URLs; without it, a session with a proxy cannot connect. */
  secretBox?: SecretBox;
};

/**
 * Drives the sessions this process holds a lease on: connects them through the transport, records what
 * the transport reports (states, QR codes, receipts, incoming messages and their changes, contacts), renews leases, and
 * takes over sessions whose owner went silent. One session's failure never reaches another.
 */
export class SessionManager {
  readonly instanceId: string;
  private readonly leaseMs: number;
  private readonly heartbeatMs: number;
  private readonly live = new Map<string, LiveSession>();
  /** Opens under way, by session id: a concurrent open joins the one in progress. */
  private readonly opening = new Map<string, Promise<boolean>>();
  private supervisor: BackgroundLoop | undefined;
  /** Told when a session connects here, in order, before its next state is recorded. */
  private readonly connectedListeners: Array<(sessionId: string) => Promise<void>> = [];
  private readonly recorder: IncomingRecorder;

  constructor(
    private readonly deps: Deps,
    options: SessionManagerOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? DEFAULT_SESSION_LEASE.leaseMs;
    this.heartbeatMs = options.heartbeatMs ?? DEFAULT_SESSION_LEASE.heartbeatMs;
    this.instanceId = options.instanceId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.recorder = new IncomingRecorder(deps);
  }

  /** Starts the supervisor: sessions that should run (after a restart, or a dead owner's) are picked up. */
  start(): void {
    if (!this.deps.transport || this.supervisor) return;
    this.supervisor = startLoop(this.deps.clock, this.heartbeatMs, 'session-supervisor', this.deps.logger, () =>
      this.supervise(),
    );
  }

  /** Closes every live session (credentials kept) and gives its lease up, so another process can take over at once. */
  async stop(): Promise<void> {
    await this.supervisor?.stop();
    this.supervisor = undefined;
    await Promise.all([...this.live.keys()].map((id) => this.detach(id, { releaseLease: true })));
  }

  /** Calls `listener` each time a session connects here (the outbox recovers what a dead owner left mid-send). */
  onConnected(listener: (sessionId: string) => Promise<void>): void {
    this.connectedListeners.push(listener);
  }

  /** Whether this process drives the session. */
  drives(sessionId: string): boolean {
    return this.live.has(sessionId);
  }

  /** The session's link when this process drives it and it is connected. */
  connection(sessionId: string): Connection | undefined {
    const live = this.live.get(sessionId);
    return live?.connected ? live.connection : undefined;
  }

  /** The session's link, or `no_device` saying why there is none here. */
  requireConnection(sessionId: string): Connection {
    const connection = this.connection(sessionId);
    if (connection) return connection;
    throw new KirimError(
      'no_device',
      this.live.has(sessionId) ? 'The session is not connected' : 'The session is not connected in this process',
    );
  }

  /** The transport sessions connect through, or `unavailable` when the engine was built without one. */
  requireTransport(): Transport {
    if (!this.deps.transport)
      throw new KirimError('unavailable', 'No WhatsApp transport is configured: this engine cannot connect sessions');
    return this.deps.transport;
  }

  /** The link of a session this process drives, connected or not (for pairing codes during linking). */
  link(sessionId: string): Connection | undefined {
    return this.live.get(sessionId)?.connection;
  }

  /**
   * Connects a session here if its lease can be had (free, expired or ours). Resolves once the transport
   * has started; states follow as events. False if another live process drives it.
   */
  open(session: Session): Promise<boolean> {
    if (this.live.has(session.id)) return Promise.resolve(true);
    // A request and the supervisor adopting the same new session can both get here; two links for one
    // session would replace each other (and the replaced one stop the session), so the second joins the first.
    let opening = this.opening.get(session.id);
    if (!opening) {
      opening = this.connectHere(session).finally(() => this.opening.delete(session.id));
      this.opening.set(session.id, opening);
    }
    return opening;
  }

  private async connectHere(session: Session): Promise<boolean> {
    const transport = this.requireTransport();
    const { storage, clock } = this.deps;
    const now = clock.now();
    if (!(await storage.sessions.acquireLease(session.id, this.instanceId, now.toISOString(), this.leaseExpiry())))
      return false;
    // A new link starts a new run of attempts (the transport's give-up time starts again with it).
    await storage.sessions.update(session.id, { reconnect_attempts: 0, next_retry_at: null });
    const live: LiveSession = {
      id: session.id,
      userId: session.user_id,
      connection: undefined,
      connected: false,
      queue: Promise.resolve(),
      presenceSubscriptions: new Set(),
    };
    this.live.set(session.id, live);
    let proxyUrl: string | undefined;
    try {
      proxyUrl = this.proxyUrlOf(session);
    } catch (error) {
      // Never connected without its proxy (that would show the server's own address): failed, saying why.
      if (!(error instanceof KirimError)) throw error;
      await this.recordState(live, { state: 'failed', reason: error.message });
      return true;
    }
    try {
      live.connection = await transport.connect({
        sessionId: session.id,
        auth: sessionAuthStore(storage, session.id),
        ...(proxyUrl ? { proxyUrl } : {}),
        listener: {
          onState: (state) => this.enqueue(live, () => this.recordState(live, state)),
          onReceipt: (receipt) =>
            this.deps.receipts.take({ sessionId: session.id, messageId: receipt.messageId, status: receipt.status }),
          onMessage: (message) => this.enqueue(live, () => this.recorder.recordIncoming(live, message)),
          onUpdate: (update) => this.enqueue(live, () => this.recorder.recordUpdate(live, update)),
          onContacts: (contacts) => this.enqueue(live, () => this.recordContacts(live, contacts)),
          onGroupChange: (change) => this.enqueue(live, () => recordGroupChange(this.deps, live, change)),
          onCall: (call) => this.enqueue(live, () => this.deps.onCall?.(live, call) ?? Promise.resolve()),
          onPresence: (presence) => this.enqueue(live, () => this.publishPresence(live, presence)),
        },
        getMessage: async (messageId) => {
          const stored = await storage.messages.findByMessageId(session.id, messageId);
          return (
            stored && {
              messageId,
              chat: stored.chat,
              fromMe: stored.direction === 'out',
              participant: stored.sender ?? undefined,
              raw: stored.raw,
            }
          );
        },
      });
    } catch (error) {
      this.live.delete(session.id);
      await storage.sessions.releaseLease(session.id, this.instanceId);
      throw error;
    }
    return true;
  }

  /** Closes a session's link here; with `logout`, unlinks the device first. Safe to call when not live. */
  async detach(sessionId: string, options: { logout?: boolean; releaseLease?: boolean } = {}): Promise<void> {
    const live = this.live.get(sessionId);
    if (!live) return;
    this.live.delete(sessionId);
    try {
      if (options.logout && live.connection) await live.connection.logout();
      else await live.connection?.close();
    } catch (error) {
      this.deps.logger.warn({ err: error, session: sessionId }, 'closing a session failed');
    }
    await live.queue;
    if (options.releaseLease === false) return;
    try {
      await this.deps.storage.sessions.releaseLease(sessionId, this.instanceId);
    } catch (error) {
      // Unreleased, the lease simply runs out and another process takes the session then.
      this.deps.logger.warn({ err: error, session: sessionId }, 'could not release a session lease');
    }
  }

  /** Sessions driven here and connected, with their owners (for status pages and the dispatcher). */
  connectedSessions(): string[] {
    return [...this.live.values()].filter((l) => l.connected).map((l) => l.id);
  }

  /** One supervisor round: renew leases, let go of sessions disconnected elsewhere, adopt orphans. */
  async supervise(): Promise<void> {
    const { storage, clock } = this.deps;
    // Only sessions live before the renewal can be judged by it: one opened meanwhile holds a lease it does not list.
    const before = [...this.live.keys()];
    const held = await storage.sessions.renewLeases(this.instanceId, this.leaseExpiry());
    const heldIds = new Set(held.map((h) => h.id));
    for (const id of before) {
      // Lost the lease (we stalled past it and another process took over): stop without touching its state.
      if (!heldIds.has(id)) await this.detach(id, { releaseLease: false });
    }
    for (const { id, desired } of held) {
      if (desired === 'disconnected' && this.live.has(id)) await this.detach(id);
    }
    for (const session of await storage.sessions.listOrphaned(clock.now().toISOString(), 50)) {
      try {
        await this.open(session);
      } catch (error) {
        this.deps.logger.error({ err: error, session: session.id }, 'could not resume session');
      }
    }
  }

  private proxyUrlOf(session: Session): string | undefined {
    if (session.settings.proxy_url === undefined) return undefined;
    if (!this.deps.secretBox)
      throw new KirimError('internal', 'The session has a proxy but the engine has no secret key');
    return proxyUrlOf(session.settings, this.deps.secretBox);
  }

  private leaseExpiry(): string {
    return new Date(this.deps.clock.now().getTime() + this.leaseMs).toISOString();
  }

  private enqueue(live: LiveSession, work: () => Promise<void>): void {
    live.queue = live.queue
      .then(work)
      .catch((error) => this.deps.logger.error({ err: error, session: live.id }, 'recording a session event failed'));
  }

  private async recordState(live: LiveSession, state: LinkState): Promise<void> {
    const { storage, clock, events } = this.deps;
    const now = clock.now().toISOString();
    const session = await storage.sessions.getById(live.id);
    // A process that lost the lease (it renewed too late) closes its link; that link's last states
    // must not overwrite what the new owner records (its QR code, its connection).
    if (!session || session.lease_owner !== this.instanceId) return;
    const change = linkStateChange(state, session, now);
    const { status } = change;
    live.connected = status === 'connected';
    // In the same step that lets callers subscribe on the new link: one who subscribes now is asked once, not twice.
    if (state.state === 'connected') this.subscribeAgain(live);
    await storage.sessions.update(live.id, change);
    if (state.state === 'qr') await events.publish('session.qr', live.userId, { session_id: live.id, qr: state.qr });
    // Each retry is announced, with its own next_retry_at, though the status stays `disconnected`.
    if (status !== session.status || state.state === 'connected' || change.next_retry_at) {
      await events.publish('session.status', live.userId, {
        session_id: live.id,
        status,
        phone: change.phone ?? session.phone,
        ...(change.reason ? { reason: change.reason } : {}),
        reconnect_attempts: change.reconnect_attempts ?? session.reconnect_attempts,
        next_retry_at: change.next_retry_at ?? null,
      });
    }
    if (state.state === 'connected') for (const listener of this.connectedListeners) await listener(live.id);
    // The link has ended for good: let the lease go so nothing tries to drive it until asked again.
    if (state.state === 'logged_out' || state.state === 'replaced' || state.state === 'failed') {
      this.live.delete(live.id);
      await storage.sessions.releaseLease(live.id, this.instanceId);
    }
  }

  /**
   * Publishes `presence.update` for WhatsApp's presences in a chat the session subscribed to: WhatsApp also relays chat
   * states unasked, which would otherwise flood every webhook with every contact's typing.
   */
  private async publishPresence(live: LiveSession, presence: ContactPresence): Promise<void> {
    const subscribed = isGroupJid(presence.chat)
      ? presence.chat
      : presence.fromPhone
        ? toUserJid(presence.fromPhone)
        : presence.chat;
    if (!live.presenceSubscriptions.has(subscribed)) return;
    await this.deps.events.publish('presence.update', live.userId, {
      session_id: live.id,
      chat: presence.chat,
      from: peerOf(presence.from, presence.fromPhone),
      state: presence.state,
      last_seen: presence.lastSeen?.toISOString() ?? null,
    });
  }

  /** Subscribes a session connected here to a chat's presences (a user or group JID), and again at each connect. */
  async subscribePresence(sessionId: string, chat: string): Promise<void> {
    const connection = this.requireConnection(sessionId);
    const subscriptions = this.live.get(sessionId)!.presenceSubscriptions;
    // Kept before asking: WhatsApp answers with the current presence at once, which must find the subscription.
    const already = subscriptions.has(chat);
    subscriptions.add(chat);
    try {
      await connection.subscribePresence(chat);
    } catch (error) {
      if (!already) subscriptions.delete(chat);
      throw error;
    }
  }

  /** WhatsApp forgets presence subscriptions with the socket: a new link asks for each again. */
  private subscribeAgain(live: LiveSession): void {
    for (const chat of live.presenceSubscriptions)
      live.connection?.subscribePresence(chat).catch((error: unknown) => {
        this.deps.logger.warn({ err: error, session: live.id, chat }, 'could not subscribe to a presence again');
      });
  }

  private async recordContacts(live: LiveSession, contacts: SeenContact[]): Promise<void> {
    const at = this.deps.clock.now().toISOString();
    await this.deps.storage.sessionContacts.upsertMany(
      contacts.map((c) => ({
        session_id: live.id,
        jid: c.jid,
        phone: c.phone,
        lid: c.lid,
        name: c.name,
        updated_at: at,
      })),
    );
  }
}
