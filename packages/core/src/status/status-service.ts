import { isAdmin, type Actor } from '../actor.js';
import type { Clock } from '../clock.js';
import type { SessionManager } from '../sessions/session-manager.js';
import type { Session } from '../sessions/session-schemas.js';
import type { Storage } from '../storage/storage.js';

export interface StatusServiceDeps {
  storage: Storage;
  clock: Clock;
  startedAt: Date;
  manager: SessionManager;
  transport: string | null;
}

/** One session in the status report, in the original document's names. */
export interface SessionDetail {
  sessionId: string;
  status: string;
  phoneNumber: string | null;
  lastActive: string | null;
  lastActiveSeconds: number | null;
  reconnectionAttempts: number;
  /** Whether this process holds the session's live link. */
  socketConnected: boolean;
  socketUser: string | null;
  circuitBreaker: { open: true; until: string } | null;
  /** The process driving it (its lease), if any. */
  drivenBy: string | null;
}

/** The engine status of `GET /api/test-node-connection`, in the shape of the original document. */
export interface EngineStatus {
  success: true;
  status: 'OK';
  timestamp: string;
  uptime: number;
  uptimeFormatted: string;
  node_version: string;
  platform: string;
  storage: string;
  transport: string | null;
  instance: string;
  memory: { used: string; total: string; rss: string };
  bulk_jobs: number;
  scheduled_messages: number;
  message_store_size: number;
  circuitBreakersActive: Array<{ sessionId: string; until: string }>;
  sessions: { total: number; connected: number; connecting: number; failed: number; details: SessionDetail[] };
}

/** The engine's health and figures (the status route). */
export interface StatusService {
  /** The engine's status as the actor may see it (non-admins: only their own sessions). */
  engineStatus(actor: Actor): Promise<EngineStatus>;
}

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/** Reports uptime, memory and counts; areas contribute their figures as they are built. */
export function createStatusService(deps: StatusServiceDeps): StatusService {
  return {
    async engineStatus(actor: Actor): Promise<EngineStatus> {
      const { storage, clock, manager } = deps;
      const now = clock.now();
      const uptime = Math.max(0, Math.floor((now.getTime() - deps.startedAt.getTime()) / 1000));
      const memory = process.memoryUsage();
      const sessions = isAdmin(actor) ? await storage.sessions.listAll() : await storage.sessions.list(actor.userId);
      const [bulkJobs, pending, stored] = await Promise.all([
        storage.bulkJobs.countActive(),
        storage.outbox.pendingCounts(),
        storage.messages.count(),
      ]);
      const details = sessions.map((session) => detail(session, now, manager));
      const count = (status: string) => sessions.filter((x) => x.status === status).length;
      return {
        success: true,
        status: 'OK',
        timestamp: now.toISOString(),
        uptime,
        uptimeFormatted: formatDuration(uptime),
        node_version: process.version,
        platform: process.platform,
        storage: storage.dialect,
        transport: deps.transport,
        instance: manager.instanceId,
        memory: { used: mb(memory.heapUsed), total: mb(memory.heapTotal), rss: mb(memory.rss) },
        bulk_jobs: bulkJobs,
        scheduled_messages: pending.scheduled,
        message_store_size: stored,
        circuitBreakersActive: details
          .filter((d) => d.circuitBreaker)
          .map((d) => ({ sessionId: d.sessionId, until: d.circuitBreaker!.until })),
        sessions: {
          total: sessions.length,
          connected: count('connected'),
          connecting: count('connecting') + count('qr') + count('pairing_code'),
          failed: count('failed') + count('logged_out'),
          details,
        },
      };
    },
  };
}

function detail(session: Session, now: Date, manager: SessionManager): SessionDetail {
  const open =
    session.circuit_open_until && session.circuit_open_until > now.toISOString() ? session.circuit_open_until : null;
  return {
    sessionId: session.id,
    status: session.status,
    phoneNumber: session.phone,
    lastActive: session.last_active_at,
    lastActiveSeconds: session.last_active_at
      ? Math.max(0, Math.round((now.getTime() - Date.parse(session.last_active_at)) / 1000))
      : null,
    reconnectionAttempts: session.reconnect_attempts,
    socketConnected: manager.connection(session.id) !== undefined,
    socketUser: manager.connection(session.id) ? session.phone : null,
    circuitBreaker: open ? { open: true, until: open } : null,
    drivenBy:
      session.lease_owner && session.lease_expires_at && session.lease_expires_at > now.toISOString()
        ? session.lease_owner
        : null,
  };
}

/** `1995` → `33m 15s`; hours and days appear when non-zero. */
export function formatDuration(seconds: number): string {
  const parts: string[] = [];
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d) parts.push(`${d}d`);
  if (h) parts.push(`${h}h`);
  parts.push(`${m}m`, `${seconds % 60}s`);
  return parts.join(' ');
}
