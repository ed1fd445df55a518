import { silenceLibsignalConsole } from './silence-libsignal.js';

/** The `baileys` package's exports, loaded on demand. */
export type BaileysModule = typeof import('baileys');

let loading: Promise<BaileysModule> | undefined;

/**
 * Imports `baileys` the first time a real session connects, never at module load: it costs about
 * 0.4 s and 100 MB, which embedders and tests on the simulated network must not pay. libsignal's
 * console output is silenced before the first import (see `silence-libsignal.ts`).
 */
export function loadBaileys(): Promise<BaileysModule> {
  if (!loading) {
    silenceLibsignalConsole();
    loading = import('baileys').catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
  }
  return loading;
}
