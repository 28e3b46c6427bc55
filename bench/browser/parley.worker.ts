// The bench's engine worker: exactly an app's worker file (SharedWorker or dedicated), on its own
// database and lock namespace so it never meets the e2e harness's engine. Engine options are the
// defaults (16 hydrated conversations at most: the driver makes one cold again by opening 16
// others).
import { startParleyHost } from '@parley/worker/host'
import { createDexieStorage } from '@parley/storage-indexeddb'
import { BENCH } from './bench-api.js'

startParleyHost({
  name: BENCH.hostName,
  createStorage: () => createDexieStorage({ name: BENCH.dbName }),
})
