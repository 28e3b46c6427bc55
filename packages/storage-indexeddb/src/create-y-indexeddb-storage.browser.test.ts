// The contract in real Chromium, plus the round trip with y-indexeddb's own IndexeddbPersistence.
import { describe, expect, it } from 'vitest'
import { Dexie } from 'dexie'
import * as Y from 'yjs'
import { IndexeddbPersistence } from 'y-indexeddb'
import { runStorageAdapterContract } from '@parley/testing/contracts'
import { asConversationId } from '@parley/core/ports'
import { createYIndexeddbStorage } from './create-y-indexeddb-storage.js'
import { injectIdbFault } from './inject-idb-fault.js'

// Dexie's debug mode (on for localhost) console.traces every rejected call; the failures these
// tests provoke on purpose would flood the output.
Dexie.debug = false

const run = `${Date.now()}-${Math.random().toString(36).slice(2)}`
let counter = 0

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name)
    request.onsuccess = () => resolve()
    request.onerror = () => reject(request.error ?? new Error('delete failed'))
  })
}

async function deleteAll(prefix: string): Promise<void> {
  for (const { name } of await indexedDB.databases()) {
    if (name?.startsWith(prefix)) await deleteDatabase(name)
  }
}

runStorageAdapterContract(
  'y-indexeddb (Chromium)',
  () => {
    const prefix = `parley-y-browser-${run}-${++counter}-`
    return {
      open: () =>
        Promise.resolve(
          createYIndexeddbStorage({
            name: `${prefix}side`,
            docName: (id, segment) => `${prefix}${id}#${segment}`,
          }),
        ),
      teardown: () => deleteAll(prefix),
    }
  },
  {
    injectQuotaExceeded: () =>
      injectIdbFault(
        IDBObjectStore.prototype,
        ['put', 'add'],
        () => new DOMException('The quota has been exceeded.', 'QuotaExceededError'),
      ),
  },
)

describe('createYIndexeddbStorage with IndexeddbPersistence in Chromium', () => {
  it('round-trips a document both ways', async () => {
    const prefix = `parley-y-browser-${run}-compat-`
    const name = asConversationId(`${prefix}doc`)
    const source = new Y.Doc()
    const updates: Uint8Array[] = []
    source.on('update', (update: Uint8Array) => updates.push(update))
    for (let i = 0; i < 20; i++) source.getMap('messages').set(`m${i}`, { text: `message ${i}` })
    const storage = createYIndexeddbStorage({ name: `${prefix}side` })
    const { lastKeys } = await storage.commit([{ conversationId: name, updates }])
    const upTo = lastKeys[0] ?? null
    await storage.compact(name, { snapshot: Y.encodeStateAsUpdate(source), upTo })
    await storage.close()

    const target = new Y.Doc()
    const provider = new IndexeddbPersistence(name, target)
    await provider.whenSynced
    expect(target.getMap('messages').toJSON()).toEqual(source.getMap('messages').toJSON())
    await provider.destroy()

    const again = createYIndexeddbStorage({ name: `${prefix}side` })
    const doc = await again.loadDoc(name)
    // Our snapshot, plus the full-state row IndexeddbPersistence writes on every open.
    expect(doc.snapshots).toHaveLength(1)
    const replayed = new Y.Doc()
    for (const part of [...doc.snapshots, ...doc.log]) Y.applyUpdate(replayed, part.update)
    expect(replayed.getMap('messages').toJSON()).toEqual(source.getMap('messages').toJSON())
    await again.close()
    await deleteAll(prefix)
  })
})
