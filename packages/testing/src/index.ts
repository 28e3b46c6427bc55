// @parley/testing: seeded simulated network, fuzz harness and in-memory doubles. This entry
// imports no test runner; the Vitest contract suites are in `@parley/testing/contracts`.
export { createRng, type Rng } from './rng.js'
export {
  SimNetwork,
  SimNetworkError,
  isSimNetworkError,
  type SimFlushOptions,
  type SimMessageHandler,
  type SimNetworkErrorCode,
  type SimNetworkEvents,
  type SimNetworkOptions,
  type SimNetworkStats,
  type SimPeer,
} from './sim-network.js'
export {
  runFuzz,
  FuzzFailureError,
  isFuzzFailureError,
  type FuzzFailureCode,
  type FuzzReport,
  type FuzzTrace,
  type RunFuzzOptions,
} from './run-fuzz.js'
export * from './memory-storage.js'
export {
  createMemoryTransportHub,
  createMemoryTransportPair,
  type MemoryTransportHub,
  type MemoryTransportHubOptions,
  type MemoryTransportOptions,
  type MemoryTransportPair,
} from './memory-transport-hub.js'
export * from './memory-remote-log.js'
export {
  randomClientId,
  registerTestDevice,
  type RegisterTestDeviceOptions,
  type TestDevice,
} from './register-test-device.js'
export { FakeLockManager } from './fake-lock-manager.js'
