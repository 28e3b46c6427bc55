import { afterEach, describe, expect, it } from 'vitest'
import { IDBKeyRange, IDBObjectStore, indexedDB } from 'fake-indexeddb'
import * as Y from 'yjs'
import { runStorageAdapterContract } from '@parley/testing/contracts'
import { asConversationId, type StorageAdapter } from '@parley/core/ports'
import { createYIndexeddbStorage } from './create-y-indexeddb-storage.js'
import { injectIdbFault } from './inject-idb-fault.js'

let counter = 0

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name)
    request.onsuccess = () => resolve()
    request.onerror = () => reject(request.error ?? new Error('delete failed'))
  })
}

async function deleteAll(prefix: string): Promise<void> {
  const databases = await indexedDB.databases()
  for (const { name } of databases) {
    if (name?.startsWith(prefix)) await deleteDatabase(name)
  }
}

runStorageAdapterContract(
  'y-indexeddb (fake-indexeddb)',
  () => {
    const prefix = `parley-y-test-${++counter}-`
    return {
      open: () =>
        Promise.resolve(
          createYIndexeddbStorage({
            name: `${prefix}side`,
            docName: (id, segment) => `${prefix}${id}#${segment}`,
            indexedDB,
            IDBKeyRange,
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

// The point of this adapter: the same databases as y-indexeddb's own IndexeddbPersistence. The
// y-indexeddb package reads the global indexedDB, so these tests install fake-indexeddb globally.
describe('createYIndexeddbStorage compatibility with IndexeddbPersistence', () => {
  const adapters: StorageAdapter[] = []
  afterEach(async () => {
    for (const adapter of adapters.splice(0)) await adapter.close()
  })

  async function persistence(name: string, doc: Y.Doc) {
    Object.assign(globalThis, { indexedDB, IDBKeyRange })
    const { IndexeddbPersistence } = await import('y-indexeddb')
    const provider = new IndexeddbPersistence(name, doc)
    await provider.whenSynced
    return provider
  }

  function adapter(): StorageAdapter {
    const storage = createYIndexeddbStorage({
      name: `parley-y-compat-side-${++counter}`,
      indexedDB,
      IDBKeyRange,
    })
    adapters.push(storage)
    return storage
  }

  function replay(rows: { update: Uint8Array }[]): Y.Doc {
    const doc = new Y.Doc()
    Y.transact(doc, () => rows.forEach((row) => Y.applyUpdate(doc, row.update)))
    return doc
  }

  it('loads what IndexeddbPersistence wrote', async () => {
    const name = asConversationId(`compat-a-${++counter}`)
    const doc = new Y.Doc()
    const provider = await persistence(name, doc)
    doc.getMap('messages').set('m1', { text: 'written by y-indexeddb' })
    // IndexeddbPersistence does not await its writes; wait until its row is readable.
    const storage = adapter()
    let loaded = await storage.loadDoc(name)
    for (let i = 0; i < 50 && loaded.log.length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10))
      loaded = await storage.loadDoc(name)
    }
    await provider.destroy()
    const replayed = replay([...loaded.snapshots, ...loaded.log])
    expect(replayed.getMap('messages').get('m1')).toEqual({ text: 'written by y-indexeddb' })
  })

  it('writes what IndexeddbPersistence loads, snapshot and log alike', async () => {
    const name = asConversationId(`compat-b-${++counter}`)
    const source = new Y.Doc()
    const updates: Uint8Array[] = []
    source.on('update', (update: Uint8Array) => updates.push(update))
    const messages = source.getMap('messages')
    for (let i = 0; i < 5; i++) messages.set(`m${i}`, { text: `message ${i}` })
    const storage = adapter()
    const { lastKeys } = await storage.commit([
      { conversationId: name, updates: updates.slice(0, 3) },
      { conversationId: name, updates: updates.slice(3) },
    ])
    const upTo = lastKeys[1] ?? null
    const partial = new Y.Doc()
    Y.applyUpdate(partial, Y.encodeStateAsUpdate(source))
    await storage.compact(name, { snapshot: Y.encodeStateAsUpdate(partial), upTo })
    messages.set('m5', { text: 'after compaction' })
    await storage.commit([{ conversationId: name, updates: [updates.at(-1)!] }])
    await storage.close()

    const target = new Y.Doc()
    const provider = await persistence(name, target)
    expect(target.getMap('messages').toJSON()).toEqual(messages.toJSON())
    await provider.destroy()
  })
})
