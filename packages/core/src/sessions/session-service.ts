import { randomUUID } from 'node:crypto';
import QRCode from 'qrcode';
import type { Actor } from '../actor.js';
import type { Clock } from '../clock.js';
import { phoneSchema } from '../contacts/phone.js';
import { KirimError, notFound } from '../errors.js';
import { listMessagesSchema, messageView, type MessageView } from '../messages/message-schemas.js';
import type { Storage } from '../storage/storage.js';
import { sendLimitsSchema, type SendLimits } from '../outbox/send-limits.js';
import type { GroupInfo } from '../transport/transport.js';
import { pageSchema, parse, type Page } from '../validation.js';
import { sessionDeviceSchema, type WhatsappGroup } from '../whatsapp-groups/whatsapp-group-schemas.js';
import type { SessionManager } from './session-manager.js';
import {
  createSessionSchema,
  pairingCodeSchema,
  type CreateSessionInput,
  type Session,
  type SessionContact,
  type SessionStatus,
  type SessionStatusView,
  type SessionView,
} from './session-schemas.js';

export type SessionService = ReturnType<typeof createSessionService>;

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
  onSettingsChanged?: () => void;
}) {
  const { storage, clock, manager } = deps;
  const pairingSchema = pairingCodeSchema(phoneSchema(deps.defaultCountryCode));
  const historySchema = listMessagesSchema(deps.defaultCountryCode);

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

  /** The live link of a session this process drives, or why there is none. */
  async function liveConnection(actor: Actor, id: string) {
    await get(actor, id);
    return manager.requireConnection(id);
  }

  return {
    get: async (actor: Actor, id: string) => sessionView(await get(actor, id)),

    /**
     * Creates a session and starts linking it (a QR code follows in its status). Ids read like the
     * original document's, `<name>-<user id>_<unix seconds>`: URL-safe, unique, and the caller's.
     */
    async create(actor: Actor, input: CreateSessionInput): Promise<SessionView> {
      const { session_name } = parse(createSessionSchema, input);
      const now = clock.now();
      const base = `${slug(session_name)}-${actor.userId}_${Math.floor(now.getTime() / 1000)}`;
      manager.requireTransport();
      const session: Session = {
        id: base,
        user_id: actor.userId,
        name: session_name,
        status: 'connecting',
        reason: null,
        desired: 'connected',
        phone: null,
        lid: null,
        push_name: null,
        qr: null,
        pairing_code: null,
        reconnect_attempts: 0,
        next_retry_at: null,
        lease_owner: null,
        lease_expires_at: null,
        settings: {},
        circuit_open_until: null,
        circuit_reason: null,
        connected_at: null,
        linked_at: null,
        last_active_at: null,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
      };
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

    /** The caller's sessions. */
    async list(actor: Actor): Promise<SessionView[]> {
      return (await storage.sessions.list(actor.userId)).map(sessionView);
    },

    /** Live status, with the QR as text and as a PNG data URL while linking. */
    async status(actor: Actor, id: string): Promise<SessionStatusView> {
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

    /** Links by an 8-character code typed on the phone instead of a QR; the session must be waiting to be linked (`conflict` naming its state otherwise). */
    async requestPairingCode(
      actor: Actor,
      id: string,
      input: unknown,
    ): Promise<{ session_id: string; pairing_code: string }> {
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

    /** Reconnects a disconnected session with its stored credentials (or starts linking anew if it has none). */
    async connect(actor: Actor, id: string): Promise<SessionView> {
      await start(await get(actor, id));
      return sessionView(await get(actor, id));
    },

    /** Closes the connection and keeps the credentials; the session stays down until connected again. */
    async disconnect(actor: Actor, id: string): Promise<SessionView> {
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

    /** Logs the device out of WhatsApp (when connected here) and deletes the session and its credentials; history stays. */
    async remove(actor: Actor, id: string): Promise<void> {
      await get(actor, id);
      await manager.detach(id, { logout: true });
      await storage.sessions.remove(id);
    },

    /** As `remove`, and deletes everything stored for the device: its message history too. */
    async removeDevice(actor: Actor, id: string): Promise<void> {
      await get(actor, id);
      await manager.detach(id, { logout: true });
      await storage.transaction(async (tx) => {
        await tx.messages.removeForSession(id);
        await tx.sessions.remove(id);
      });
    },

    /** The session's own send limits (anti-ban controls); they override its pools' and the engine's. */
    async settings(actor: Actor, id: string): Promise<Partial<SendLimits>> {
      return (await get(actor, id)).settings as Partial<SendLimits>;
    },

    /** Changes some of the session's send limits (the others keep their value). */
    async updateSettings(actor: Actor, id: string, input: unknown): Promise<Partial<SendLimits>> {
      const changes = parse(sendLimitsSchema, input);
      const session = await get(actor, id);
      const settings = { ...session.settings, ...changes };
      await storage.sessions.update(id, { settings, updated_at: clock.now().toISOString() });
      deps.onSettingsChanged?.();
      return settings as Partial<SendLimits>;
    },

    /** WhatsApp contacts this session has seen. */
    async contacts(actor: Actor, id: string, query: unknown = {}): Promise<Page<SessionContact>> {
      await get(actor, id);
      const { page, per_page } = parse(pageSchema, query);
      const slice = await storage.sessionContacts.list(id, { limit: per_page, offset: (page - 1) * per_page });
      return { ...slice, page, perPage: per_page };
    },

    /** The groups the linked account is in, live from WhatsApp. */
    async liveGroups(actor: Actor, id: string): Promise<GroupInfo[]> {
      return (await liveConnection(actor, id)).listGroups();
    },

    /** Fetches every group from WhatsApp and makes the saved copies match: added, updated, removed. */
    async syncGroups(
      actor: Actor,
      input: unknown,
    ): Promise<{ added: number; updated: number; removed: number; total: number }> {
      const { session_device_id } = parse(sessionDeviceSchema, input);
      const groups = await (await liveConnection(actor, session_device_id)).listGroups();
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

    /** A session's saved groups. */
    async savedGroups(actor: Actor, input: unknown): Promise<WhatsappGroup[]> {
      const { session_device_id } = parse(sessionDeviceSchema, input);
      await get(actor, session_device_id);
      return storage.whatsappGroups.listBySession(actor.userId, session_device_id);
    },

    /** Deletes a saved group record (not the group on WhatsApp). */
    async removeSavedGroup(actor: Actor, id: string): Promise<void> {
      if (!(await storage.whatsappGroups.remove(actor.userId, id))) throw notFound('Group');
    },

    /** A session's message history, newest first, filtered by direction, status, peer, bulk job, text and date range. */
    async messages(actor: Actor, id: string, input: unknown = {}): Promise<Page<MessageView>> {
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
