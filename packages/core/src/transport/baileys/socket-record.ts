import type { WASocket } from 'baileys';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../logger.js';

/** How long ending a socket waits for Baileys to confirm it closed. */
const CLOSE_WAIT_MS = 3_000;

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** One Baileys socket and what is known about it. A socket is single-use: each reconnect makes a new one. */
export class SocketRecord {
  open = false;
  /** A pairing code was requested on this socket: its later QR codes are not shown. */
  pairing = false;
  /** Resolves with the first QR code (pairing codes are requested only after it). */
  readonly firstQr = deferred();
  /** Resolves when Baileys reported the socket closed. */
  readonly closed = deferred();
  private readonly watchdog = new AbortController();

  constructor(
    readonly sock: WASocket,
    private readonly clock: Clock,
  ) {}

  /** Calls `onTimeout` after `ms` of the clock, unless {@link disarmWatchdog} is called first. */
  armWatchdog(ms: number, onTimeout: () => void): void {
    this.clock.sleep(ms, { signal: this.watchdog.signal }).then(onTimeout, () => undefined);
  }

  /** A QR code came, or the socket opened or closed: it is not stuck. */
  disarmWatchdog(): void {
    this.watchdog.abort();
  }

  /** Whether the first QR code comes within `ms` of the clock. */
  async showsQrWithin(ms: number): Promise<boolean> {
    const shown = new AbortController();
    try {
      return await Promise.race([
        this.firstQr.promise.then(() => true),
        this.clock.sleep(ms, { signal: shown.signal, hold: false }).then(() => false),
      ]);
    } finally {
      shown.abort();
    }
  }

  /** Ends the socket and waits for Baileys to confirm it closed, at most {@link CLOSE_WAIT_MS}. */
  async end(log: Logger): Promise<void> {
    this.disarmWatchdog();
    try {
      // `end` is async in Baileys 7: its rejection is logged as a throw is.
      this.sock.end(undefined).catch((error: unknown) => log.debug({ err: error }, 'ending socket'));
    } catch (error) {
      log.debug({ err: error }, 'ending socket');
    }
    await Promise.race([this.closed.promise, this.clock.sleep(CLOSE_WAIT_MS)]);
  }
}
