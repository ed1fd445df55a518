import type { Actor } from '../actor.js';
import type { Clock } from '../clock.js';
import type { Storage } from '../storage/storage.js';

export interface StatusServiceDeps {
  storage: Storage;
  clock: Clock;
  startedAt: Date;
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
  memory: { used: string; total: string; rss: string };
  bulk_jobs: number;
  scheduled_messages: number;
  message_store_size: number;
  circuitBreakersActive: string[];
  sessions: { total: number; connected: number; connecting: number; failed: number; details: unknown[] };
}

export type StatusService = ReturnType<typeof createStatusService>;

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/** Reports uptime, memory and counts; areas contribute their figures as they are built. */
export function createStatusService(deps: StatusServiceDeps) {
  return {
    /** The engine's status as the actor may see it (non-admins: only their own sessions). */
    async engineStatus(_actor: Actor): Promise<EngineStatus> {
      const now = deps.clock.now();
      const uptime = Math.max(0, Math.floor((now.getTime() - deps.startedAt.getTime()) / 1000));
      const memory = process.memoryUsage();
      return {
        success: true,
        status: 'OK',
        timestamp: now.toISOString(),
        uptime,
        uptimeFormatted: formatDuration(uptime),
        node_version: process.version,
        platform: process.platform,
        storage: deps.storage.dialect,
        memory: { used: mb(memory.heapUsed), total: mb(memory.heapTotal), rss: mb(memory.rss) },
        bulk_jobs: 0,
        scheduled_messages: 0,
        message_store_size: 0,
        circuitBreakersActive: [],
        sessions: { total: 0, connected: 0, connecting: 0, failed: 0, details: [] },
      };
    },
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
