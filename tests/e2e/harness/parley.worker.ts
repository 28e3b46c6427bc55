// The harness's worker: exactly what an app's worker file looks like, plus a test-only fault
// switch (a BroadcastChannel message makes IndexedDB writes throw QuotaExceededError). The page
// passes its configuration in the worker's `name` (JSON): a server URL and key make it sync
// through Supabase (the emulator); without them it is local-only.
import { startParleyHost } from '@parley/worker/host'
import { createDexieStorage } from '@parley/storage-indexeddb'
import { createSupabaseServer } from '@parley/transport-supabase'

interface HarnessWorkerConfig {
  server?: { url: string; anonKey: string }
}

const faults = new BroadcastChannel('parley-test-faults')
const originals = { put: IDBObjectStore.prototype.put, add: IDBObjectStore.prototype.add }
faults.onmessage = (event: MessageEvent<{ quota?: boolean }>) => {
  const on = event.data.quota === true
  for (const method of ['put', 'add'] as const) {
    IDBObjectStore.prototype[method] = on
      ? function () {
          throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
        }
      : originals[method]
  }
  faults.postMessage({ ack: on })
}

function readConfig(name: string): HarnessWorkerConfig {
  try {
    return JSON.parse(name || '{}') as HarnessWorkerConfig
  } catch {
    return {}
  }
}

const config = readConfig((self as unknown as { name: string }).name)
const server = config.server

startParleyHost({
  createStorage: ({ user }) => createDexieStorage({ name: `parley-harness:${user}` }),
  ...(server !== undefined
    ? { connect: () => createSupabaseServer({ url: server.url, key: server.anonKey }) }
    : {}),
})
