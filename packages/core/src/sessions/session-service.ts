import { randomUUID } from 'node:crypto';
import QRCode from 'qrcode';
import type { Actor } from '../actor.js';
import type { Clock } from '../clock.js';
import { phoneSchema, toUserJid } from '../contacts/phone.js';
import { KirimError, notFound } from '../errors.js';
import { listMessagesSchema, messageView, type MessageView } from '../messages/message-schemas.js';
import type { Storage } from '../storage/storage.js';
import type { SecretBox } from '../webhooks/secret-box.js';
import type { GroupInfo, PresenceState } from '../transport/transport.js';
import { pageSchema, parse, type Page } from '../validation.js';
import { sessionDeviceSchema, type WhatsappGroup } from '../whatsapp-groups/whatsapp-group-schemas.js';
import { newSession } from './new-session.js';
import { sessionSettingsSchema, settingsView, storedSettings, type SessionSettingsView } from './session-settings.js';
import { liveConnection as liveLink } from './live-connection.js';
import type { SessionManager } from './session-manager.js';
import {
  createSessionSchema,
  pairingCodeSchema,
  presenceSchema,
  presenceSubscriptionSchema,
  type CreateSessionInput,
  type Session,
  type SessionContact,
  type SessionStatus,
  type SessionStatusView,
  type SessionView,
} from './session-schemas.js';

/** WhatsApp sessions (linked devices). Every method taking a session id throws `not_found` unless it is the caller's. */
export interface SessionService {
  /** One session of the caller's. */
  get(actor: Actor, id: string): Promise<SessionView>;
  /** Creates a session and starts linking it (a QR code follows in its status); `validation` for a bad name, `unavailable` without a transport. */
  create(actor: Actor, input: CreateSessionInput): Promise<SessionView>;
  /** The caller's sessions. */
  list(actor: Actor): Promise<SessionView[]>;
  /** Live status, with the QR as text and as a PNG data URL while linking. */
  status(actor: Actor, id: string): Promise<SessionStatusView>;
  /** Links by an 8-character code typed on the phone instead of a QR; `conflict` naming its state unless it is waiting to be linked, `no_device` while another process links it. */
  requestPairingCode(actor: Actor, id: string, input: unknown): Promise<{ session_id: string; pairing_code: string }>;
  /** Reconnects a session with its stored credentials (or starts linking anew without); `unavailable` without a transport. */
  connect(actor: Actor, id: string): Promise<SessionView>;
  /** Closes the connection and keeps the credentials; the session stays down until connected again. */
  disconnect(actor: Actor, id: string): Promise<SessionView>;
  /** Logs the device out of WhatsApp (when connected here) and deletes the session and its credentials; history stays. */
  remove(actor: Actor, id: string): Promise<void>;
  /** As `remove`, and deletes everything stored for the device: its message history too. */
  removeDevice(actor: Actor, id: string): Promise<void>;
  /** The session's own send limits (anti-ban controls; they override its pools' and the engine's), call rejection and proxy (masked). */
  settings(actor: Actor, id: string): Promise<SessionSettingsView>;
  /** Changes some settings (the others keep their value); `validation` naming each bad one. A changed proxy reconnects the session. */
  updateSettings(actor: Actor, id: string, input: unknown): Promise<SessionSettingsView>;
  /** A page of the WhatsApp contacts this session has seen. */
  contacts(actor: Actor, id: string, query?: unknown): Promise<Page<SessionContact>>;
  /** Shows a presence (typing, recording, paused in a chat; available, unavailable) at once; `no_device` unless it is connected here. */
  sendPresence(
    actor: Actor,
    id: string,
    input: unknown,
  ): Promise<{ session_id: string; state: PresenceState; chat: string | null }>;
  /**
   * Publishes `presence.update` for a contact's availability and chat states (`to`), or a group's chat states
   * (`group_id`), while the session stays driven by this process; `no_device` unless it is connected here.
   */
  subscribePresence(actor: Actor, id: string, input: unknown): Promise<{ session_id: string; chat: string }>;
  /** The groups the linked account is in, live from WhatsApp; `no_device` unless it is connected here. */
  liveGroups(actor: Actor, id: string): Promise<GroupInfo[]>;
  /** Fetches every group from WhatsApp and makes the saved copies match; `no_device` unless it is connected here. */
  syncGroups(actor: Actor, input: unknown): Promise<{ added: number; updated: number; removed: number; total: number }>;
  /** A session's saved groups. */
  savedGroups(actor: Actor, input: unknown): Promise<WhatsappGroup[]>;
  /** Deletes a saved group record (not the group on WhatsApp); `not_found` unless it is the caller's. */
  removeSavedGroup(actor: Actor, id: string): Promise<void>;
  /** A session's message history, newest first, filtered by direction, status, peer, bulk job, text and date range. */
  messages(actor: Actor, id: string, input?: unknown): Promise<Page<MessageView>>;
}

/** The API view of a session. */
export function sessionView(s: Session): SessionView {
  return {
    id: s.id,
    session_id: s.id,
    name: s.name,
    status: s.status,
    reason: s.reason,
    is_active: s.desired === 'connected',
    phone: s.phone,
    lid: s.lid,
    push_name: s.push_name,
    circuit_open_until: s.circuit_open_until,
    circuit_reason: s.circuit_reason,
    connected_at: s.connected_at,
    linked_at: s.linked_at,
    last_active_at: s.last_active_at,
    created_at: s.created_at,
    updated_at: s.updated_at,
  };
}

/** `My Shop!` → `my-shop`: the readable part of a session id. */
function slug(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'device'
  );
}

// States a link ends in; connecting again starts a new one.
const ENDED: SessionStatus[] = ['disconnected', 'logged_out', 'failed'];

// Only a session showing a QR code (or a pairing code already) waits to be linked; every other state says why not.
const NOT_LINKABLE: Record<Exclude<SessionStatus, 'qr' | 'pairing_code'>, string> = {
  connecting: 'The session is connecting; ask for a pairing code once its status is qr',
  connected: 'The session is connected: it is already linked to a phone',
  disconnected: 'The session is disconnected; connect it, then ask for a pairing code once its status is qr',
  logged_out: 'The session is logged out; connect it, then ask for a pairing code once its status is qr',
  failed: 'The session has failed; connect it, then ask for a pairing code once its status is qr',
};

/** WhatsApp sessions (linked devices): create, link, status, connect, disconnect, delete, and what they see. */
export function createSessionService(deps: {
  storage: Storage;
  clock: Clock;
  manager: SessionManager;
  defaultCountryCode: string;
  /** Seals the proxy URL (it carries a password) in the settings. */
  secretBox: SecretBox;
  /** Told a session's send limits changed (the dispatcher's cached facts are stale). */
  onSettingsChanged?: () => void;
}): SessionService {
  const { storage, clock, manager } = deps;
  const pairingSchema = pairingCodeSchema(phoneSchema(deps.defaultCountryCode));
  const historySchema = listMessagesSchema(deps.defaultCountryCode);
  const presenceInput = presenceSchema(phoneSchema(deps.defaultCountryCode));
  const presenceSubscriptionInput = presenceSubscriptionSchema(phoneSchema(deps.defaultCountryCode));

  async function get(actor: Actor, id: string): Promise<Session> {
    const session = await storage.sessions.get(actor.userId, id);
    if (!session) throw notFound('Session');
    return session;
  }

  /** Asks for the session to run and starts it here, unless another live process already drives it. */
  async function start(session: Session): Promise<void> {
    manager.requireTransport();
    // A link that has ended starts over: it is connecting from now, not still showing the state it ended in.
    const restart = !manager.drives(session.id) && ENDED.includes(session.status);
    const change: Partial<Session> = restart
      ? { desired: 'connected', status: 'connecting', reason: null }
      : { desired: 'connected' };
    await storage.sessions.update(session.id, { ...change, updated_at: clock.now().toISOString() });
    await manager.open({ ...session, ...change });
  }

  const liveConnection = (actor: Actor, id: string) => liveLink(deps, actor, id);

  return {
    get: async (actor, id) => sessionView(await get(actor, id)),

    // Ids read like the original document's, `<name>-<user id>_<unix seconds>`: URL-safe, unique, and the caller's.
    async create(actor, input) {
      const { session_name } = parse(createSessionSchema, input);
      const now = clock.now();
      const base = `${slug(session_name)}-${actor.userId}_${Math.floor(now.getTime() / 1000)}`;
      manager.requireTransport();
      const session = newSession(base, actor.userId, session_name, now.toISOString());
      try {
        await storage.sessions.insert(session);
      } catch (error) {
        // Two sessions of one name in one second: the second gets a random tail.
        if (!(error instanceof KirimError && error.code === 'conflict')) throw error;
        session.id = `${base}-${randomUUID().slice(0, 6)}`;
        await storage.sessions.insert(session);
      }
      await manager.open(session);
      return sessionView((await storage.sessions.getById(session.id)) ?? session);
    },

    async list(actor) {
      return (await storage.sessions.list(actor.userId)).map(sessionView);
    },

    async status(actor, id) {
      const s = await get(actor, id);
      return {
        session_id: s.id,
        status: s.status,
        reason: s.reason,
        phone: s.phone,
        push_name: s.push_name,
        qr: s.qr,
        qr_image: s.qr ? await QRCode.toDataURL(s.qr, { margin: 1, width: 264 }) : null,
        pairing_code: s.pairing_code,
        reconnect_attempts: s.reconnect_attempts,
        next_retry_at: s.next_retry_at,
        circuit_open_until: s.circuit_open_until,
        circuit_reason: s.circuit_reason,
        updated_at: s.updated_at,
      };
    },

    async requestPairingCode(actor, id, input) {
      const { phone } = parse(pairingSchema, input);
      const session = await get(actor, id);
      const refusal = NOT_LINKABLE[session.status as keyof typeof NOT_LINKABLE];
      if (refusal) throw new KirimError('conflict', refusal, { extra: { session_status: session.status } });
      if (!manager.drives(id)) await start(session);
      const link = manager.link(id);
      if (!link)
        throw new KirimError('no_device', 'The session is being linked by another process; ask it again shortly');
      return { session_id: id, pairing_code: await link.requestPairingCode(phone) };
    },

    async connect(actor, id) {
      await start(await get(actor, id));
      return sessionView(await get(actor, id));
    },

    async disconnect(actor, id) {
      await get(actor, id);
      await storage.sessions.update(id, {
        desired: 'disconnected',
        status: 'disconnected',
        reason: 'disconnected by user',
        qr: null,
        pairing_code: null,
        updated_at: clock.now().toISOString(),
      });
      // Driven elsewhere, the owner sees `desired` at its next heartbeat and lets go.
      await manager.detach(id);
      return sessionView(await get(actor, id));
    },

    async remove(actor, id) {
      await get(actor, id);
      await manager.detach(id, { logout: true });
      await storage.sessions.remove(id);
    },

    async removeDevice(actor, id) {
      await get(actor, id);
      await manager.detach(id, { logout: true });
      await storage.transaction(async (tx) => {
        await tx.messages.removeForSession(id);
        await tx.sessions.remove(id);
      });
    },

    async settings(actor, id) {
      return settingsView((await get(actor, id)).settings);
    },

    async updateSettings(actor, id, input) {
      const changes = parse(sessionSettingsSchema, input);
      const session = await get(actor, id);
      const settings = storedSettings(session.settings, changes, deps.secretBox);
      await storage.sessions.update(id, { settings, updated_at: clock.now().toISOString() });
      deps.onSettingsChanged?.();
      // A new proxy applies from the next socket: the link driven here starts over through it, keeping its lease
      // (released, the supervisor could adopt the session in between).
      if (changes.proxy_url !== undefined && manager.drives(id)) {
        await manager.detach(id, { releaseLease: false });
        await manager.open({ ...session, settings });
      }
      return settingsView(settings);
    },

    async contacts(actor, id, query = {}) {
      await get(actor, id);
      const { page, per_page } = parse(pageSchema, query);
      const slice = await storage.sessionContacts.list(id, { limit: per_page, offset: (page - 1) * per_page });
      return { ...slice, page, perPage: per_page };
    },

    // A presence is not a message: shown through the live link or refused, never queued in the outbox to show later.
    async sendPresence(actor, id, input) {
      const { state, to, group_id } = parse(presenceInput, input);
      const connection = await liveConnection(actor, id);
      const chat = group_id ?? (to === undefined ? undefined : toUserJid(to));
      await connection.sendPresence(state, chat);
      return { session_id: id, state, chat: chat ?? null };
    },

    async subscribePresence(actor, id, input) {
      const { to, group_id } = parse(presenceSubscriptionInput, input);
      await liveConnection(actor, id);
      const chat = group_id ?? toUserJid(to!);
      await manager.subscribePresence(id, chat);
      return { session_id: id, chat };
    },

    async liveGroups(actor, id) {
      return (await liveConnection(actor, id)).groups.list();
    },

    async syncGroups(actor, input) {
      const { session_device_id } = parse(sessionDeviceSchema, input);
      const groups = await (await liveConnection(actor, session_device_id)).groups.list();
      const now = clock.now().toISOString();
      const saved: WhatsappGroup[] = groups.map((g) => ({
        id: randomUUID(),
        user_id: actor.userId,
        session_id: session_device_id,
        jid: g.jid,
        subject: g.subject,
        description: g.description,
        owner: g.owner,
        participants: g.participants,
        participants_count: g.participants.length,
        group_created_at: g.createdAt ? g.createdAt.toISOString() : null,
        created_at: now,
        updated_at: now,
      }));
      return {
        ...(await storage.whatsappGroups.replaceForSession(actor.userId, session_device_id, saved)),
        total: saved.length,
      };
    },

    async savedGroups(actor, input) {
      const { session_device_id } = parse(sessionDeviceSchema, input);
      await get(actor, session_device_id);
      return storage.whatsappGroups.listBySession(actor.userId, session_device_id);
    },

    async removeSavedGroup(actor, id) {
      if (!(await storage.whatsappGroups.remove(actor.userId, id))) throw notFound('Group');
    },

    async messages(actor, id, input = {}) {
      await get(actor, id);
      const q = parse(historySchema, input);
      const filter = {
        direction: q.direction,
        status: q.status,
        to: q.to,
        from: q.from,
        peer: q.phone,
        jobId: q.job_id,
        search: q.search,
        since: (q.since ?? q.date_from)?.toISOString(),
        until: (q.until ?? q.date_to)?.toISOString(),
      };
      const slice = await storage.messages.list(actor.userId, id, filter, {
        limit: q.per_page,
        offset: (q.page - 1) * q.per_page,
      });
      return { items: slice.items.map(messageView), total: slice.total, page: q.page, perPage: q.per_page };
    },
  };
}
