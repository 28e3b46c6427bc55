// The harness's worker: exactly what an app's worker file looks like, plus a test-only fault
// switch (a BroadcastChannel message makes IndexedDB writes throw QuotaExceededError).
import { startParleyHost } from '@parley/worker/host'
import { createDexieStorage } from '@parley/storage-indexeddb'

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

startParleyHost({ createStorage: () => createDexieStorage({ name: 'parley-harness' }) })
