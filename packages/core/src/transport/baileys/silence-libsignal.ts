const INSTALLED = Symbol.for('libsignal-console-silenced');
const LIBSIGNAL_FRAME = /[\\/]libsignal[\\/]src[\\/]/;
const METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;

/**
 * Drops console output whose caller is libsignal, Baileys' Signal implementation. libsignal prints
 * whole session records, private keys included, with `console.info` when it opens or closes a session
 * (`libsignal/src/session_record.js`), and has no logger to turn off: secrets must never reach a
 * gateway's logs. Only calls made from libsignal's own files are dropped (the caller is read from the
 * stack, only when the console is called); everything else reaches the console unchanged. Idempotent.
 * `@kirim/wa-sim` bundles this same function for its simulated phones.
 */
export function silenceLibsignalConsole(): void {
  const target = console as unknown as Record<PropertyKey, unknown>;
  if (target[INSTALLED]) return;
  target[INSTALLED] = true;
  for (const method of METHODS) {
    const original = console[method];
    console[method] = function (this: Console, ...args: unknown[]): void {
      // libsignal calls the console directly, so its file is among the first frames of the stack.
      if (LIBSIGNAL_FRAME.test(new Error().stack ?? '')) return;
      original.apply(this, args);
    };
  }
}
