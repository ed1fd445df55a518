import type { SocketConfig } from 'baileys';

/** A Baileys logger that drops everything: for the simulated phones' Signal stores and quiet test sockets. */
export const silentLogger: SocketConfig['logger'] = {
  level: 'silent',
  child: () => silentLogger,
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
};
