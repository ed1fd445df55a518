const INSTALLED = Symbol.for('libsignal-console-silenced');
const LIBSIGNAL_FRAME = /[\\/]libsignal[\\/]src[\\/]/;
const METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;

/**
 * Drops console output whose caller is libsignal. libsignal (used by Baileys and by the simulated
 * phones) prints whole session records, private keys included, with `console.info` when it opens or
 * closes a session; it has no logger to turn off. Only calls made from libsignal's own files are
 * dropped; everything else reaches the console unchanged. Idempotent, and shares its marker with
 * `@kirim/core`'s copy (wa-sim must not depend on core), so the console is wrapped once per process.
 */
export function silenceLibsignalConsole(): void {
  const target = console as unknown as Record<PropertyKey, unknown>;
  if (target[INSTALLED]) return;
  target[INSTALLED] = true;
  for (const method of METHODS) {
    const original = console[method];
    console[method] = function (this: Console, ...args: unknown[]): void {
      // libsignal calls console directly, so its file is among the first frames of the stack.
      if (LIBSIGNAL_FRAME.test(new Error().stack ?? '')) return;
      original.apply(this, args);
    };
  }
}
