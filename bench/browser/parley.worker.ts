import { startParleyHost } from '@parley/worker/host'
import { createDexieStorage } from '@parley/storage-indexeddb'
import { BENCH } from './bench-api.js'
const compactAfter = Number(new URLSearchParams((globalThis as unknown as { name: string }).name.split('?')[1] ?? '').get('compactAfter') ?? 500)
startParleyHost({
  name: BENCH.hostName,
  createStorage: () => createDexieStorage({ name: BENCH.dbName }),
  engine: { compactAfter },
})
