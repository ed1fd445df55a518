import type { EventLog } from './event-log/event-log.js';
import type { Kirim } from './kirim.js';
import type { Dispatcher } from './outbox/dispatcher.js';
import type { SessionManager } from './sessions/session-manager.js';

/** The units an engine wires but does not publish: what tests and benchmarks look into. */
export interface EngineInternals {
  /** The sessions this process drives (leases, links). */
  sessionManager: SessionManager;
  /** The outbox's dispatcher in this process. */
  dispatcher: Dispatcher;
  /** The durable event log (recorder, relay and live streams). */
  eventLog: EventLog;
}

// Keyed by the engine, so an engine's internals go when it does.
const internals = new WeakMap<Kirim, EngineInternals>();

/** Records an engine's internals; createKirim calls it. */
export function registerEngineInternals(kirim: Kirim, parts: EngineInternals): void {
  internals.set(kirim, parts);
}

/** The internals of an engine built by createKirim: its session manager, dispatcher and event log. */
export function engineInternals(kirim: Kirim): EngineInternals {
  const parts = internals.get(kirim);
  if (!parts) throw new Error('engineInternals: not an engine built by createKirim');
  return parts;
}
