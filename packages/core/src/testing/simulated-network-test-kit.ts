import type { Connection, IncomingMessage, StoredMessage } from '../transport/transport.js';
import { ManualClock } from './manual-clock.js';
import { memoryAuthStore, type MemoryAuthStore } from './memory-auth-store.js';
import { recordingListener, type RecordingListener } from './recording-listener.js';
import { createSimulatedNetwork, type SimulatedNetworkOptions } from './simulated-network.js';

// What the simulated network's tests share: three phones, a network on a manual clock, and sessions opened or
// linked on it. Test support only.

export const ALICE = '6281100000001';
export const BUDI = '6281100000002';
export const CITRA = '6281100000003';

export const stateNames = (r: RecordingListener) => r.states.map((s) => s.state);
export const lastState = (r: RecordingListener) => r.states[r.states.length - 1];

/** A simulated network on a manual clock, with helpers to open and link sessions on it. */
export function simulate(options: SimulatedNetworkOptions = {}) {
  const clock = new ManualClock();
  const network = createSimulatedNetwork({ clock, ...options });
  /** Lets every pending step run without moving time. */
  const settle = () => clock.advance(0);

  async function open(
    sessionId: string,
    auth: MemoryAuthStore = memoryAuthStore(),
    getMessage: (id: string) => Promise<StoredMessage | undefined> = async () => undefined,
  ): Promise<{ connection: Connection; events: RecordingListener; auth: MemoryAuthStore }> {
    const events = recordingListener();
    const connection = await network.transport.connect({ sessionId, auth, listener: events, getMessage });
    // Connecting takes one hop of latency before the QR or the resumed link.
    await clock.advance(options.latencyMs ?? 0);
    return { connection, events, auth };
  }

  async function linked(
    sessionId: string,
    phone: string,
    getMessage?: (id: string) => Promise<StoredMessage | undefined>,
  ) {
    const session = await open(sessionId, memoryAuthStore(), getMessage);
    await network.link(sessionId, phone);
    await settle();
    return session;
  }

  return { clock, network, settle, open, linked };
}

/** What the engine would store for an incoming message, to quote it later. */
export const stored = (m: IncomingMessage): StoredMessage => ({
  messageId: m.messageId,
  chat: m.chat,
  fromMe: false,
  raw: m.raw,
});
