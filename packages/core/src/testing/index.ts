export { ManualClock } from './manual-clock.js';
export { runStorageConformance } from './conformance/run-storage-conformance.js';
export { aUser, type ConformanceContext } from './conformance/conformance-context.js';
