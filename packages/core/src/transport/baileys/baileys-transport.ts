import { systemClock, type Clock } from '../../clock.js';
import { silentLogger, type Logger } from '../../logger.js';
import type { Connection, ConnectOptions, Transport } from '../transport.js';
import { loadAuthState } from './baileys-auth-state.js';
import { BaileysConnection } from './baileys-connection.js';
import { downloadBaileysMedia, mediaRouteTo, withMediaRoute } from './baileys-media.js';
import { loadBaileys } from './baileys-module.js';
import { proxyDispatcher, withProxy } from './baileys-proxy.js';
import type { BackoffBounds, GiveUpAfter } from './reconnect-policy.js';

/** Options of {@link createBaileysTransport}. */
export interface BaileysTransportOptions {
  /** WhatsApp Web's WebSocket URL. Set it only in tests, to reach `@kirim/wa-sim`. Default: Baileys' own. */
  waWebSocketUrl?: string;
  /**
   * Where WhatsApp's media hosts are, as plain HTTP (`http://127.0.0.1:<port>`): every media upload and download
   * goes there instead. Set it only in tests, to reach `@kirim/wa-sim`'s media host. Default: WhatsApp's hosts.
   */
  mediaUrl?: string;
  /** Where Baileys and the transport log. Baileys' info lines go to debug. Default: silent. */
  logger?: Logger;
  /** A socket that shows neither a QR code nor opens within this time is ended and retried. Default 30 000 ms. */
  connectTimeoutMs?: number;
  /** QR codes shown for one link attempt before giving up with `failed`. Default 5. */
  maxQrRefreshes?: number;
  /** @deprecated Accepted and ignored: connect timeouts now count in the run of failed attempts that `giveUpAfter` ends. */
  maxConnectTimeouts?: number;
  /** Reconnect back-off: exponential from `minMs`, capped at `maxMs`, with jitter. Default 1 000 .. 60 000 ms. */
  backoff?: Partial<BackoffBounds>;
  /**
   * How long a run of failed attempts (WhatsApp unreachable, refused, not answering) goes on, from its first
   * failure, before the session is given up as `failed`; 0 never gives up. A linked session waits out an
   * outage (default `linkedMs` 86 400 000, a day); one being linked tells whoever waits for its QR code
   * soon (default `unlinkedMs` 120 000).
   */
  giveUpAfter?: Partial<GiveUpAfter>;
  /** How the device is named on the phone, `[os, browser, version]`. Default: Baileys' own. */
  browser?: [string, string, string];
  /**
   * Where the transport reads the time (the give-up time, each `retryAt`) and runs its timers (the connect
   * watchdog, the reconnect back-off, the wait for a QR code before a pairing code, the wait for a socket to
   * close); pass the engine's clock. Default: the system clock. Baileys' own keep-alives and QR codes run on
   * real time whatever the clock.
   */
  clock?: Clock;
}

/** The reconnect back-off and give-up times a Baileys transport uses unless told otherwise, in ms. */
export const DEFAULT_RECONNECT: { readonly backoff: BackoffBounds; readonly giveUpAfter: GiveUpAfter } = {
  backoff: { minMs: 1_000, maxMs: 60_000 },
  giveUpAfter: { linkedMs: 86_400_000, unlinkedMs: 120_000 },
};

/**
 * The real WhatsApp transport, on Baileys 7.0.0-rc14. Baileys is imported on the first `connect`,
 * never before. Credentials and Signal keys live in the session's `AuthStore`, so any process can
 * resume any session; each session reconnects by itself by close code until closed, logged out,
 * replaced or failed.
 */
export function createBaileysTransport(options: BaileysTransportOptions = {}): Transport {
  const settings = {
    waWebSocketUrl: options.waWebSocketUrl,
    browser: options.browser,
    connectTimeoutMs: options.connectTimeoutMs ?? 30_000,
    maxQrRefreshes: options.maxQrRefreshes ?? 5,
    backoff: {
      minMs: options.backoff?.minMs ?? DEFAULT_RECONNECT.backoff.minMs,
      maxMs: options.backoff?.maxMs ?? DEFAULT_RECONNECT.backoff.maxMs,
    },
    giveUpAfter: {
      linkedMs: options.giveUpAfter?.linkedMs ?? DEFAULT_RECONNECT.giveUpAfter.linkedMs,
      unlinkedMs: options.giveUpAfter?.unlinkedMs ?? DEFAULT_RECONNECT.giveUpAfter.unlinkedMs,
    },
    clock: options.clock ?? systemClock,
    logger: options.logger ?? silentLogger,
  };
  const mediaRoute = options.mediaUrl ? mediaRouteTo(options.mediaUrl) : undefined;
  return {
    name: 'baileys',
    async connect(connectOptions: ConnectOptions): Promise<Connection> {
      // The proxy's agents are set last, over the media route's (they reach the route's host through the proxy).
      const proxied = withProxy(await loadBaileys(), connectOptions.proxyUrl, options.mediaUrl);
      const baileys = withMediaRoute(proxied, mediaRoute);
      const auth = await loadAuthState(baileys, connectOptions.auth);
      const connection = new BaileysConnection(baileys, auth, connectOptions, settings);
      connection.start();
      return connection;
    },
    async downloadMedia(message, { proxyUrl } = {}) {
      const proxy = proxyUrl ? proxyDispatcher(proxyUrl, options.mediaUrl) : undefined;
      return downloadBaileysMedia(await loadBaileys(), message, mediaRoute, proxy);
    },
  };
}
