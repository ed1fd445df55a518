// The gateway's own guard, bundled into wa-sim by its build: the stand-in's phones use libsignal too, and wa-sim
// must not depend on @kirim/core (core's tests depend on wa-sim).
export { silenceLibsignalConsole } from '../../core/src/transport/baileys/silence-libsignal.js';
