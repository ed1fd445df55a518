import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  connectRemoteNetwork,
  createBaileysTransport,
  createKirim,
  createLeadSource,
  createSimulatedNetwork,
  type Clock,
  type HostResolver,
  type Kirim,
  type Logger,
  type Storage,
  type Transport,
} from '@kirim/core';
import { kirimRouter } from '@kirim/http-express';
import cors from 'cors';
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import type { ServerConfig } from './config.js';
import { docsRouter } from './docs/docs-routes.js';
import { createLogger } from './logger.js';
import { createServerMetrics } from './metrics/server-metrics.js';
import { openStorage } from './open-storage.js';
import { resolveSecretKey } from './secret-key.js';

// The web console's plain ES modules and CSS, beside both src/ and dist/: nothing to build.
const consoleDir = fileURLToPath(new URL('../console/', import.meta.url));

/** A running reference server. */
export interface RunningServer {
  /** `http://host:port` it listens on. */
  url: string;
  kirim: Kirim;
  storage: Storage;
  logger: Logger;
  /** The first admin's token when this start created it (printed once); otherwise undefined. */
  firstAdminToken: string | undefined;
  /** `http://host:port` of the metrics listener `METRICS_PORT` asks for on `METRICS_HOST` (no token there); otherwise undefined. */
  metricsUrl: string | undefined;
  /** Stops accepting connections, lets in-flight requests finish, stops the engine and closes the database. */
  close(): Promise<void>;
}

/** Options of {@link startServer}: what tests and embedders inject instead of the defaults. */
export interface StartServerOptions {
  /** Default: pino at `config.logLevel`. */
  logger?: Logger;
  /** Default: Baileys, or the simulated network `config.transport` names. */
  transport?: Transport;
  /** Resolves the host names of user-given URLs (webhooks, media) when checking them; default the system's. */
  resolveHost?: HostResolver;
  /** Where the engine reads time; default the system clock. */
  clock?: Clock;
}

/**
 * Opens storage, provisions the admin, and serves the API on `config.host:config.port` (and the tokenless metrics
 * on `config.metricsHost:config.metricsPort`). A start that fails half-way closes what it opened.
 */
export async function startServer(config: ServerConfig, options: StartServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const storage = await openStorage(config, logger);
  const metrics = createServerMetrics();
  const kirim = createKirim({
    storage,
    logger,
    transport: options.transport ?? createTransport(config, logger),
    clock: options.clock,
    authCacheMs: config.authCacheMs,
    defaultCountryCode: config.defaultCountryCode,
    sessions: { leaseMs: config.leaseMs, heartbeatMs: config.heartbeatMs },
    leadSource: createLeadSource(config.leadSource),
    secretKey: resolveSecretKey(config, logger),
    allowPrivateUrls: config.allowPrivateUrls,
    resolveHost: options.resolveHost,
    webhooks: config.webhooks,
    eventLog: config.eventLog,
    outbox: config.outbox,
    onWebhookAttempt: metrics.webhookAttempt,
  });
  metrics.observe(kirim);

  // Undone in reverse when a later step fails (a port in use): a failed start leaves nothing running.
  const undo: Array<() => Promise<void>> = [() => storage.close()];
  try {
    const firstAdminToken = await provisionAdmin(kirim, config, logger);

    const app = express();
    app.disable('x-powered-by');
    app.use(metrics.measureHttp);
    app.use(securityHeaders(), crossOrigin(config.corsOrigins));
    app.use(metrics.adminRoute(kirim, logger));
    app.use('/api', kirimRouter(kirim, { bodyLimit: config.bodyLimit, logger, sseHeartbeatMs: config.sseHeartbeatMs }));
    app.use('/docs', docsRouter());
    app.use(express.static(consoleDir, { index: 'index.html' }));
    app.use((_req, res) => {
      res.status(404).json({ success: false, code: 'not_found', message: 'Not found: the API is under /api' });
    });

    // Opened before the engine starts: a metrics port in use stops the start before anything runs.
    const metricsListener =
      config.metricsPort === undefined
        ? undefined
        : await metrics.listen(config.metricsPort, config.metricsHost, logger);
    if (metricsListener) undo.push(() => metricsListener.close());
    await kirim.start();
    undo.push(() => kirim.stop());
    const server = createServer(app);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, resolve);
    });
    const url = urlOf(config.host, (server.address() as AddressInfo).port);
    const metricsUrl = metricsListener && urlOf(config.metricsHost, metricsListener.port);

    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= Promise.resolve(metricsListener?.close()).then(() =>
        shutdown(server, kirim, storage, config.shutdownTimeoutMs),
      ));
    return { url, kirim, storage, logger, firstAdminToken, metricsUrl, close };
  } catch (error) {
    for (const step of undo.reverse())
      await step().catch((cause: unknown) => logger.error({ err: cause }, 'closing after a failed start failed'));
    throw error;
  }
}

/** Provisions the admin of `KIRIM_ADMIN_TOKEN`, or creates the first admin; returns the token created, if any. */
async function provisionAdmin(kirim: Kirim, config: ServerConfig, logger: Logger): Promise<string | undefined> {
  if (config.adminToken) {
    const admin = await kirim.accounts.provisionAdminToken(config.adminToken, config.admin);
    logger.info({ admin: admin.email }, 'admin token from KIRIM_ADMIN_TOKEN is active');
    return undefined;
  }
  const created = await kirim.accounts.bootstrapAdmin(config.admin);
  return created?.token.token;
}

/** `http://host:port` of a listener, reachable from this machine: a wildcard address is reached on loopback. */
function urlOf(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/**
 * helmet's headers, with a Content Security Policy for a console served from this server alone: nothing
 * loaded from elsewhere, no framing. No HSTS (the TLS proxy in front decides it) and no upgrade of
 * http requests (a console on a LAN address is plain http).
 */
function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    strictTransportSecurity: false,
  });
}

/**
 * CORS for the configured origins (answering their preflights before auth), or, with none configured, a
 * preflight answered 204 without CORS headers: the browser then refuses the call, and no 401 says otherwise.
 */
function crossOrigin(origins: ServerConfig['corsOrigins']): RequestHandler {
  if (origins) return cors({ origin: origins, maxAge: 600 });
  return (req, res, next) => {
    if (req.method === 'OPTIONS' && req.get('access-control-request-method')) res.status(204).end();
    else next();
  };
}

/** Baileys, or in try-out mode a simulated network whose phones link each new session by themselves. */
function createTransport(config: ServerConfig, logger: Logger): Transport {
  if (config.transport === 'remote-simulated') return connectRemoteNetwork(config.simulatedNetworkUrl!);
  if (config.transport === 'simulated')
    return createSimulatedNetwork({ autoLinkAfterMs: config.simulatedLinkMs, latencyMs: 200 }).transport;
  const { minMs, maxMs, giveUpLinkedMs, giveUpUnlinkedMs } = config.reconnect;
  return createBaileysTransport({
    waWebSocketUrl: config.waWebSocketUrl,
    mediaUrl: config.waMediaUrl,
    logger: logger.child({ component: 'baileys' }),
    backoff: { minMs, maxMs },
    giveUpAfter: { linkedMs: giveUpLinkedMs, unlinkedMs: giveUpUnlinkedMs },
  });
}

async function shutdown(server: Server, kirim: Kirim, storage: Storage, timeoutMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Idle keep-alive sockets would hold close() open; in-flight requests still finish; event streams end now.
  server.closeIdleConnections();
  kirim.streams.endStreams();
  const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
  await closed;
  clearTimeout(timer);
  await kirim.stop();
  await storage.close();
}
