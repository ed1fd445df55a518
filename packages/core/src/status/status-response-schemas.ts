import { z } from 'zod';
import { count, maybeText, maybeTimestamp, timestamp } from '../response-fields.js';
import type { EngineStatus } from './status-service.js';

/** `GET /test-node-connection`: the engine's status, in the original document's names. */
export const engineStatusSchema = z.object({
  success: z.literal(true),
  status: z.literal('OK'),
  timestamp,
  uptime: count.meta({ description: 'Seconds since the engine started' }),
  uptimeFormatted: z.string().meta({ example: '33m 15s' }),
  node_version: z.string(),
  platform: z.string(),
  storage: z.string(),
  transport: maybeText,
  instance: z.string(),
  memory: z.object({ used: z.string(), total: z.string(), rss: z.string() }),
  bulk_jobs: count,
  scheduled_messages: count,
  message_store_size: count,
  circuitBreakersActive: z.array(z.object({ sessionId: z.string(), until: timestamp })),
  sessions: z.object({
    total: count,
    connected: count,
    connecting: count,
    failed: count,
    details: z.array(
      z.object({
        sessionId: z.string(),
        status: z.string(),
        phoneNumber: maybeText,
        lastActive: maybeTimestamp,
        lastActiveSeconds: count.nullable(),
        reconnectionAttempts: count,
        socketConnected: z.boolean(),
        socketUser: maybeText,
        circuitBreaker: z.object({ open: z.literal(true), until: timestamp }).nullable(),
        drivenBy: maybeText,
      }),
    ),
  }),
}) satisfies z.ZodType<EngineStatus>;
