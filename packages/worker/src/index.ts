// @parley/worker: `@parley/worker/host` runs in the worker, `@parley/worker/client` in tabs.
// The root entry exports only the shared contract, so importing it pulls in neither side.
export * from './host-api.js'
