export { ManualClock } from './manual-clock.js';
export { engineInternals, type EngineInternals } from '../engine-internals.js';
export { serveSimulatedNetwork } from './remote-network.js';
// Internals tests check against: event ids, token hashes, the template nesting limit.
export { newEventId } from '../events.js';
export { hashToken } from '../accounts/token.js';
export { MAX_TEMPLATE_NESTING } from '../templates/renderer.js';
export { runStorageConformance } from './conformance/run-storage-conformance.js';
export { aQueuedMessage, aSession, aUser, type ConformanceContext } from './conformance/conformance-context.js';
export { createSimulatedNetwork } from './simulated-network.js';
export type {
  CreateGroupInput,
  SimulatedNetwork,
  SimulatedNetworkOptions,
  SimulatedPresence,
  SimulatedSend,
  SimulatedSessionInfo,
} from './simulated-network.js';
export type {
  PhoneMessage,
  PhoneSendOptions,
  SimulatedPhone,
  SimulatedPhoneOptions,
} from './simulated-network-phone.js';
export type { SimulatedNumberCheck } from './simulated-network-profiles.js';
export type { MemberGroupChange } from './simulated-network-groups.js';
export type { SimulatedCall, SimulatedCalls } from './simulated-network-calls.js';
