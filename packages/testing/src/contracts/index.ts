// @parley/testing/contracts: the shared acceptance suites every adapter, transport and remote
// log runs. They register Vitest tests (`describe`/`it`), so this entry needs vitest.
export * from './storage-adapter-contract.js'
export {
  transportContract,
  type TransportContractHarness,
  type TransportContractOptions,
} from './transport-contract.js'
export * from './remote-log-contract.js'
