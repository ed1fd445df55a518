export { ManualClock } from './manual-clock.js';
export { engineInternals, type EngineInternals } from './engine-internals.js';
export { runStorageConformance } from './conformance/run-storage-conformance.js';
export { aUser, type ConformanceContext } from './conformance/conformance-context.js';
export { aQueuedMessage, aSession } from './conformance/outbox-conformance.js';
export { createSimulatedNetwork } from './simulated-network.js';
export type {
  CreateGroupInput,
  SimulatedNetwork,
  SimulatedNetworkOptions,
  SimulatedSend,
  SimulatedSessionInfo,
} from './simulated-network.js';
export type {
  PhoneMessage,
  PhoneSendOptions,
  SimulatedPhone,
  SimulatedPhoneOptions,
} from './simulated-network-phone.js';
