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
export * from './contracts/storage-adapter-contract.js'
export {
  createMemoryTransportHub,
  createMemoryTransportPair,
  type MemoryTransportHub,
  type MemoryTransportHubOptions,
  type MemoryTransportOptions,
  type MemoryTransportPair,
} from './memory-transport-hub.js'
export {
  transportContract,
  type TransportContractHarness,
  type TransportContractOptions,
} from './contracts/transport-contract.js'
export * from './memory-remote-log.js'
export * from './contracts/remote-log-contract.js'
export { FakeLockManager } from './fake-lock-manager.js'
