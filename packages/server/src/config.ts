import { resolve } from 'node:path';
import {
  DEFAULT_AUTH_CACHE_MS,
  DEFAULT_COUNTRY_CODE,
  DEFAULT_DISPATCHER_OPTIONS,
  DEFAULT_EVENT_LOG_OPTIONS,
  DEFAULT_GOOGLE_PLACES_URL,
  DEFAULT_MEDIA_LIMITS,
  DEFAULT_NOMINATIM_URL,
  DEFAULT_OPT_OUT_WORDS,
  DEFAULT_OVERPASS_URL,
  DEFAULT_RECONNECT,
  DEFAULT_SEND_LIMITS,
  DEFAULT_SEND_SERVICE_OPTIONS,
  DEFAULT_SESSION_LEASE,
  DEFAULT_WEBHOOK_TIMINGS,
  LEAD_SOURCE_KINDS,
  type LeadSourceOptions,
  type SendLimits,
  type WebhookTimings,
} from '@kirim/core';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const httpUrl = z.string().regex(/^https?:\/\/[^\s]+$/, 'must be an http:// or https:// URL');

const ORIGIN = /^https?:\/\/[^/\s?#]+$/;

// `true`/`1` or `false`/`0`; unset is the given default.
const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => (v === undefined ? fallback : v === 'true' || v === '1'));

// `*`, or a comma-separated list of origins (`https://a.example,http://localhost:5173`): scheme, host, port, no path.
function corsOrigins(value: string, ctx: z.RefinementCtx): '*' | string[] {
  if (value.trim() === '*') return '*';
  const origins = value
    .split(',')
    .map((o) => o.trim().replace(/\/$/, ''))
    .filter(Boolean);
  const bad = origins.filter((o) => !ORIGIN.test(o));
  if (origins.length === 0 || bad.length > 0)
    ctx.addIssue({
      code: 'custom',
      message: `must be * or comma-separated origins such as https://console.example.com${bad.length > 0 ? ` (not origins: ${bad.join(', ')})` : ''}`,
    });
  return origins;
}

/** Every environment variable the server reads, with its default. The README documents each. */
const envSchema = z
  .object({
    PORT: port.default(8000),
    METRICS_PORT: port.optional(),
    HOST: z.string().min(1).default('0.0.0.0'),
    // Loopback: metrics without a token are opened to a network only by the operator's choice.
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    DATA_DIR: z.string().min(1).default('./data'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string')
      .optional(),
    KIRIM_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    KIRIM_ADMIN_EMAIL: z.email().default('admin@kirim.local'),
    KIRIM_ADMIN_NAME: z.string().min(1).default('Administrator'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    BODY_LIMIT: z.string().min(1).default('1mb'),
    KIRIM_AUTH_CACHE_MS: z.coerce.number().int().min(0).default(DEFAULT_AUTH_CACHE_MS),
    KIRIM_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
    KIRIM_TRANSPORT: z.enum(['baileys', 'simulated', 'remote-simulated']).default('baileys'),
    KIRIM_SIMULATED_NETWORK_URL: z
      .string()
      .regex(/^ws:\/\//, 'must be a ws:// URL')
      .optional(),
    KIRIM_SIMULATED_LINK_MS: z.coerce.number().int().min(0).default(5000),
    KIRIM_WA_WS_URL: z
      .string()
      .regex(/^wss?:\/\//, 'must be a ws:// or wss:// URL')
      .optional(),
    KIRIM_WA_MEDIA_URL: z
      .string()
      .regex(/^http:\/\//, 'must be an http:// URL')
      .optional(),
    KIRIM_LEASE_MS: z.coerce.number().int().min(1000).default(DEFAULT_SESSION_LEASE.leaseMs),
    KIRIM_HEARTBEAT_MS: z.coerce.number().int().min(100).default(DEFAULT_SESSION_LEASE.heartbeatMs),
    KIRIM_RECONNECT_MIN_MS: z.coerce.number().int().min(1).default(DEFAULT_RECONNECT.backoff.minMs),
    KIRIM_RECONNECT_MAX_MS: z.coerce.number().int().min(1).default(DEFAULT_RECONNECT.backoff.maxMs),
    KIRIM_RECONNECT_GIVE_UP_MS: z.coerce.number().int().min(0).default(DEFAULT_RECONNECT.giveUpAfter.linkedMs),
    KIRIM_LINK_GIVE_UP_MS: z.coerce.number().int().min(0).default(DEFAULT_RECONNECT.giveUpAfter.unlinkedMs),
    DEFAULT_COUNTRY_CODE: z
      .string()
      .regex(/^[1-9]\d{0,2}$/, 'must be a country calling code such as 62')
      .default(DEFAULT_COUNTRY_CODE),
    KIRIM_LEAD_SOURCE: z.enum(LEAD_SOURCE_KINDS).optional(),
    KIRIM_NOMINATIM_URL: httpUrl.default(DEFAULT_NOMINATIM_URL),
    KIRIM_OVERPASS_URL: httpUrl.default(DEFAULT_OVERPASS_URL),
    KIRIM_OSM_CONTACT: z.string().min(3).max(200).optional(),
    KIRIM_GOOGLE_PLACES_URL: httpUrl.default(DEFAULT_GOOGLE_PLACES_URL),
    GOOGLE_PLACES_API_KEY: z.string().min(1).optional(),
    KIRIM_LEAD_SCRAPER_URL: httpUrl.optional(),
    KIRIM_SECRET_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
    KIRIM_ALLOW_PRIVATE_URLS: flag(false),
    KIRIM_WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(1).default(DEFAULT_WEBHOOK_TIMINGS.retryBaseMs),
    KIRIM_WEBHOOK_RETRY_MAX_MS: z.coerce.number().int().min(1).default(DEFAULT_WEBHOOK_TIMINGS.retryMaxMs),
    KIRIM_WEBHOOK_GIVE_UP_MS: z.coerce.number().int().min(1).default(DEFAULT_WEBHOOK_TIMINGS.giveUpAfterMs),
    KIRIM_WEBHOOK_DISABLE_AFTER_MS: z.coerce.number().int().min(1).default(DEFAULT_WEBHOOK_TIMINGS.disableAfterMs),
    KIRIM_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(1).default(DEFAULT_WEBHOOK_TIMINGS.timeoutMs),
    KIRIM_WEBHOOK_POLL_MS: z.coerce.number().int().min(1).default(DEFAULT_WEBHOOK_TIMINGS.pollMs),
    KIRIM_EVENT_POLL_MS: z.coerce.number().int().min(1).default(DEFAULT_EVENT_LOG_OPTIONS.pollMs),
    KIRIM_EVENT_RETENTION_MS: z.coerce.number().int().min(1).default(DEFAULT_EVENT_LOG_OPTIONS.retentionMs),
    KIRIM_SSE_HEARTBEAT_MS: z.coerce.number().int().min(10).default(15_000),
    KIRIM_SEND_MIN_GAP_MS: z.coerce.number().int().min(0).default(DEFAULT_SEND_LIMITS.min_gap_ms),
    KIRIM_SEND_JITTER_MS: z.coerce.number().int().min(0).default(DEFAULT_SEND_LIMITS.jitter_ms),
    KIRIM_SEND_DAILY_CAP: z.coerce.number().int().min(0).default(DEFAULT_SEND_LIMITS.daily_cap),
    KIRIM_SEND_WARMUP: flag(DEFAULT_SEND_LIMITS.warmup),
    KIRIM_SEND_CHECK_RECIPIENTS: flag(DEFAULT_SEND_LIMITS.check_recipients),
    KIRIM_SEND_WAIT_MS: z.coerce.number().int().min(0).default(DEFAULT_SEND_SERVICE_OPTIONS.sendWaitMs),
    KIRIM_DISPATCH_POLL_MS: z.coerce.number().int().min(1).default(DEFAULT_DISPATCHER_OPTIONS.pollMs),
    KIRIM_UNKNOWN_GRACE_MS: z.coerce.number().int().min(0).default(DEFAULT_DISPATCHER_OPTIONS.unknownGraceMs),
    KIRIM_SEND_RETRY_DELAY_MS: z.coerce.number().int().min(0).default(DEFAULT_DISPATCHER_OPTIONS.retryDelayMs),
    KIRIM_OPT_OUT_WORDS: z.string().min(1).default(DEFAULT_OPT_OUT_WORDS.join(',')),
    KIRIM_UPGRADE_URL: httpUrl.default(DEFAULT_SEND_SERVICE_OPTIONS.upgradeUrl),
    KIRIM_MEDIA_MAX_BYTES: z.coerce.number().int().min(1).default(DEFAULT_MEDIA_LIMITS.maxBytes),
    KIRIM_CORS_ORIGINS: z.string().transform(corsOrigins).optional(),
  })
  .superRefine((e, ctx) => {
    if (e.METRICS_PORT !== undefined && e.METRICS_PORT !== 0 && e.METRICS_PORT === e.PORT)
      ctx.addIssue({
        code: 'custom',
        path: ['METRICS_PORT'],
        message: `must differ from PORT (${e.PORT}): metrics open to anyone on the API's port would bypass its admin token`,
      });
    if (e.KIRIM_TRANSPORT === 'remote-simulated' && !e.KIRIM_SIMULATED_NETWORK_URL)
      ctx.addIssue({
        code: 'custom',
        path: ['KIRIM_SIMULATED_NETWORK_URL'],
        message: 'is required when KIRIM_TRANSPORT is remote-simulated',
      });
    // Checked with the defaults applied: a first delay set above the default cap inverts the back-off as surely as a cap set too low.
    if (e.KIRIM_RECONNECT_MAX_MS < e.KIRIM_RECONNECT_MIN_MS) {
      const message = `KIRIM_RECONNECT_MAX_MS (${e.KIRIM_RECONNECT_MAX_MS}; ${DEFAULT_RECONNECT.backoff.maxMs} when unset) must not be below KIRIM_RECONNECT_MIN_MS (${e.KIRIM_RECONNECT_MIN_MS})`;
      for (const path of ['KIRIM_RECONNECT_MIN_MS', 'KIRIM_RECONNECT_MAX_MS'])
        ctx.addIssue({ code: 'custom', path: [path], message });
    }
    if (e.KIRIM_LEAD_SOURCE === 'google' && !e.GOOGLE_PLACES_API_KEY)
      ctx.addIssue({
        code: 'custom',
        path: ['GOOGLE_PLACES_API_KEY'],
        message: 'is required when KIRIM_LEAD_SOURCE is google',
      });
    if (e.KIRIM_LEAD_SOURCE === 'scraper' && !e.KIRIM_LEAD_SCRAPER_URL)
      ctx.addIssue({
        code: 'custom',
        path: ['KIRIM_LEAD_SCRAPER_URL'],
        message: 'is required when KIRIM_LEAD_SOURCE is scraper',
      });
  });

/** The server's configuration, read from the environment. */
export interface ServerConfig {
  /** `baileys` (real WhatsApp) or `simulated` (a try-out network where a phone links each session by itself). */
  transport: 'baileys' | 'simulated' | 'remote-simulated';
  /** With `remote-simulated`: the simulated network served on loopback (crash and multi-process tests). */
  simulatedNetworkUrl: string | undefined;
  /** Try-out mode: ms from a session's first QR until the simulated phone links it. */
  simulatedLinkMs: number;
  /** WhatsApp Web's WebSocket URL, for tests against @kirim/wa-sim only. */
  waWebSocketUrl: string | undefined;
  /** WhatsApp's media hosts as plain HTTP, for tests against @kirim/wa-sim only. */
  waMediaUrl: string | undefined;
  /** Session lease length and heartbeat, ms. */
  leaseMs: number;
  heartbeatMs: number;
  /** Baileys reconnects: back-off bounds, and how long failed attempts go on before `failed` (linked / being linked; 0 never), ms; default `DEFAULT_RECONNECT`. */
  reconnect: { minMs: number; maxMs: number; giveUpLinkedMs: number; giveUpUnlinkedMs: number };
  port: number;
  host: string;
  /** Also serves `GET /metrics` without a token on this port of `metricsHost`; default unset (only on `port`, admin token). */
  metricsPort: number | undefined;
  /** Interface of the `metricsPort` listener; default `127.0.0.1` (loopback only). */
  metricsHost: string;
  dataDir: string;
  databaseUrl: string | undefined;
  adminToken: string | undefined;
  admin: { email: string; name: string };
  logLevel: string;
  bodyLimit: string;
  authCacheMs: number;
  shutdownTimeoutMs: number;
  /** Calling code for national phone numbers (`0812…`); default `62`. */
  defaultCountryCode: string;
  /** Where scrape tasks find leads: the source's kind (unset: chosen by what is configured), URLs and key. */
  leadSource: LeadSourceOptions;
  /** Origins allowed to call the API from a browser (CORS), `*` for any; default none (CORS off). */
  corsOrigins: '*' | string[] | undefined;
  /** Seals webhook secrets; unset: `DATA_DIR/secret.key`, created on first start. */
  secretKey: string | undefined;
  /** Let webhook and media URLs reach private and loopback addresses; default false. */
  allowPrivateUrls: boolean;
  /** Webhook retry schedule and limits, ms. */
  webhooks: WebhookTimings;
  /** Event relay poll interval and retention of the event log (SSE resume window), ms. */
  eventLog: { pollMs: number; retentionMs: number };
  /** Keep-alive comment interval of the SSE stream, ms. */
  sseHeartbeatMs: number;
  /** The outbox: default send limits, waits, recovery, opt-out words, the 402 upgrade link, media size. */
  outbox: {
    limits: Partial<SendLimits>;
    sendWaitMs: number;
    pollMs: number;
    unknownGraceMs: number;
    retryDelayMs: number;
    optOutWords: string[];
    upgradeUrl: string;
    maxBytes: number;
  };
}

/** Reads the configuration; throws one error naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const result = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = result.data;
  return {
    transport: e.KIRIM_TRANSPORT,
    simulatedNetworkUrl: e.KIRIM_SIMULATED_NETWORK_URL,
    simulatedLinkMs: e.KIRIM_SIMULATED_LINK_MS,
    waWebSocketUrl: e.KIRIM_WA_WS_URL,
    waMediaUrl: e.KIRIM_WA_MEDIA_URL,
    leaseMs: e.KIRIM_LEASE_MS,
    heartbeatMs: e.KIRIM_HEARTBEAT_MS,
    reconnect: {
      minMs: e.KIRIM_RECONNECT_MIN_MS,
      maxMs: e.KIRIM_RECONNECT_MAX_MS,
      giveUpLinkedMs: e.KIRIM_RECONNECT_GIVE_UP_MS,
      giveUpUnlinkedMs: e.KIRIM_LINK_GIVE_UP_MS,
    },
    port: e.PORT,
    host: e.HOST,
    metricsPort: e.METRICS_PORT,
    metricsHost: e.METRICS_HOST,
    dataDir: resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    adminToken: e.KIRIM_ADMIN_TOKEN,
    admin: { email: e.KIRIM_ADMIN_EMAIL, name: e.KIRIM_ADMIN_NAME },
    logLevel: e.LOG_LEVEL,
    bodyLimit: e.BODY_LIMIT,
    authCacheMs: e.KIRIM_AUTH_CACHE_MS,
    shutdownTimeoutMs: e.KIRIM_SHUTDOWN_TIMEOUT_MS,
    defaultCountryCode: e.DEFAULT_COUNTRY_CODE,
    leadSource: {
      kind: e.KIRIM_LEAD_SOURCE,
      nominatimUrl: e.KIRIM_NOMINATIM_URL,
      overpassUrl: e.KIRIM_OVERPASS_URL,
      contact: e.KIRIM_OSM_CONTACT,
      googlePlacesUrl: e.KIRIM_GOOGLE_PLACES_URL,
      googlePlacesApiKey: e.GOOGLE_PLACES_API_KEY,
      scraperUrl: e.KIRIM_LEAD_SCRAPER_URL,
    },
    corsOrigins: e.KIRIM_CORS_ORIGINS,
    secretKey: e.KIRIM_SECRET_KEY,
    allowPrivateUrls: e.KIRIM_ALLOW_PRIVATE_URLS,
    webhooks: {
      ...DEFAULT_WEBHOOK_TIMINGS,
      retryBaseMs: e.KIRIM_WEBHOOK_RETRY_BASE_MS,
      retryMaxMs: e.KIRIM_WEBHOOK_RETRY_MAX_MS,
      giveUpAfterMs: e.KIRIM_WEBHOOK_GIVE_UP_MS,
      disableAfterMs: e.KIRIM_WEBHOOK_DISABLE_AFTER_MS,
      timeoutMs: e.KIRIM_WEBHOOK_TIMEOUT_MS,
      pollMs: e.KIRIM_WEBHOOK_POLL_MS,
    },
    eventLog: { pollMs: e.KIRIM_EVENT_POLL_MS, retentionMs: e.KIRIM_EVENT_RETENTION_MS },
    sseHeartbeatMs: e.KIRIM_SSE_HEARTBEAT_MS,
    outbox: {
      limits: {
        min_gap_ms: e.KIRIM_SEND_MIN_GAP_MS,
        jitter_ms: e.KIRIM_SEND_JITTER_MS,
        daily_cap: e.KIRIM_SEND_DAILY_CAP,
        warmup: e.KIRIM_SEND_WARMUP,
        check_recipients: e.KIRIM_SEND_CHECK_RECIPIENTS,
      },
      sendWaitMs: e.KIRIM_SEND_WAIT_MS,
      pollMs: e.KIRIM_DISPATCH_POLL_MS,
      unknownGraceMs: e.KIRIM_UNKNOWN_GRACE_MS,
      retryDelayMs: e.KIRIM_SEND_RETRY_DELAY_MS,
      optOutWords: e.KIRIM_OPT_OUT_WORDS.split(',')
        .map((w) => w.trim())
        .filter(Boolean),
      upgradeUrl: e.KIRIM_UPGRADE_URL,
      maxBytes: e.KIRIM_MEDIA_MAX_BYTES,
    },
  };
}
