// The contract in the environment the adapter ships to: real IndexedDB in Chromium.
import { describe, expect, it } from 'vitest'
import { Dexie } from 'dexie'
import { runStorageAdapterContract } from '@parley/testing/contracts'
import { asConversationId, isStorageError } from '@parley/core/ports'
import { createDexieStorage } from './create-dexie-storage.js'
import { injectIdbFault } from './inject-idb-fault.js'

// Dexie's debug mode (on for localhost) console.traces every rejected call; the failures these
// tests provoke on purpose would flood the output.
Dexie.debug = false

const run = `${Date.now()}-${Math.random().toString(36).slice(2)}`
let counter = 0
const C = asConversationId('c')

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name)
    request.onsuccess = () => resolve()
    request.onerror = () => reject(request.error ?? new Error('delete failed'))
  })
}

const quotaExceeded = () =>
  injectIdbFault(
    IDBObjectStore.prototype,
    ['put', 'add'],
    () => new DOMException('The quota has been exceeded.', 'QuotaExceededError'),
  )

runStorageAdapterContract(
  'dexie (Chromium)',
  () => {
    const name = `parley-dexie-browser-${run}-${++counter}`
    return {
      open: () => Promise.resolve(createDexieStorage({ name })),
      teardown: () => deleteDatabase(name),
    }
  },
  { injectQuotaExceeded: quotaExceeded },
)

describe('createDexieStorage in Chromium', () => {
  it('turns a quota error into quota-exceeded and keeps an 1 MB snapshot written before', async () => {
    const name = `parley-dexie-browser-${run}-quota`
    const storage = createDexieStorage({ name })
    const snapshot = new Uint8Array(1 << 20).map((_, i) => i % 251)
    await storage.compact(C, { snapshot, upTo: null })
    const restore = quotaExceeded()
    const error: unknown = await storage
      .compact(C, { snapshot: new Uint8Array(8), upTo: null })
      .catch((e: unknown) => e)
    restore()
    expect(isStorageError(error) && error.code).toBe('quota-exceeded')
    await storage.close()
    const reopened = createDexieStorage({ name })
    const [stored] = (await reopened.loadDoc(C)).snapshots
    expect(stored?.update.byteLength).toBe(1 << 20)
    expect(stored?.update[1000]).toBe(1000 % 251)
    await reopened.close()
    await deleteDatabase(name)
  })
})
