import { afterEach, describe, expect, it, vi } from 'vitest'
import { IDBKeyRange, IDBObjectStore, forceCloseDatabase, indexedDB } from 'fake-indexeddb'
import {
  asConversationId,
  isStorageError,
  type StorageAdapter,
  type StorageError,
  type StorageErrorCode,
} from '@parley/core/ports'
import { runStorageAdapterContract } from '@parley/testing/contracts'
import { createDexieStorage, createDexieStorageInternals } from './create-dexie-storage.js'
import { DEXIE_SCHEMA_VERSION } from './dexie-schema.js'
import { injectIdbFault } from './inject-idb-fault.js'

let counter = 0
const A = asConversationId('a')
const uniqueName = () => `parley-dexie-test-${++counter}`
const putTail = (storage: StorageAdapter, tail: unknown) =>
  storage.commit([{ conversationId: A, tail }])

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name)
    request.onsuccess = () => resolve()
    request.onerror = () => reject(request.error ?? new Error('delete failed'))
  })
}

runStorageAdapterContract(
  'dexie (fake-indexeddb)',
  () => {
    const name = uniqueName()
    return {
      open: () => Promise.resolve(createDexieStorage({ name, indexedDB, IDBKeyRange })),
      teardown: () => deleteDatabase(name),
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

async function codeOf(promise: Promise<unknown>): Promise<StorageErrorCode | undefined> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  return isStorageError(error) ? error.code : undefined
}

describe('createDexieStorage failure handling (fake-indexeddb)', () => {
  const cleanups: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  function open(name = uniqueName()) {
    const errors: StorageError[] = []
    const internals = createDexieStorageInternals({
      name,
      indexedDB,
      IDBKeyRange,
      onError: (error) => errors.push(error),
    })
    cleanups.push(
      () => internals.storage.close(),
      () => deleteDatabase(name),
    )
    return { ...internals, errors, name }
  }

  it('declares schema version 1', async () => {
    const { db, storage } = open()
    await storage.kvGet('x')
    expect(db.verno).toBe(DEXIE_SCHEMA_VERSION)
  })

  it('closes with version-change when another connection upgrades the database', async () => {
    const { storage, errors, name } = open()
    await putTail(storage, 1)
    const closed = new Promise<StorageError | undefined>((resolve) =>
      storage.on('closed', ({ error }) => resolve(error)),
    )
    const upgraded = await new Promise<globalThis.IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name, 1000)
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error ?? new Error('open failed'))
    })
    upgraded.close()
    expect((await closed)?.code).toBe('version-change')
    expect(errors.map((e) => e.code)).toEqual(['version-change'])
    expect(storage.closed).toBe(true)
    expect(await codeOf(storage.getTail(A))).toBe('closed')
  })

  const connectionLost = () =>
    new DOMException(
      'Connection to Indexed Database server lost. Refresh the page to try again',
      'UnknownError',
    )

  it('reconnects once after a lost connection and retries the call', async () => {
    const { storage, errors, db } = open()
    await putTail(storage, 'before')
    // Safari breaks the connection object; a reopened connection works again. Dexie binds
    // `IDBDatabase.transaction` when it opens, so the fault goes into this connection's core.
    injectIdbFault(db.core, ['transaction'], connectionLost)
    await putTail(storage, 'after')
    expect(await storage.getTail(A)).toBe('after')
    expect(errors).toEqual([])
  })

  it('surfaces connection-lost when the retry fails too, and keeps the data', async () => {
    const { storage, errors, db } = open()
    await putTail(storage, 'before')
    injectIdbFault(db.core, ['transaction'], connectionLost)
    const restoreOpen = injectIdbFault(indexedDB, ['open'], connectionLost)
    cleanups.push(restoreOpen)
    expect(await codeOf(putTail(storage, 'after'))).toBe('connection-lost')
    restoreOpen()
    expect(errors.map((e) => [e.code, e.operation])).toEqual([['connection-lost', 'commit']])
    expect(storage.closed).toBe(false)
    expect(await storage.getTail(A)).toBe('before')
  })

  it('reports a connection the browser closed and reopens on the next call', async () => {
    const { storage, errors, db } = open()
    await putTail(storage, 1)
    forceCloseDatabase(db.backendDB() as never)
    await vi.waitFor(() => expect(errors.map((e) => e.code)).toEqual(['connection-lost']))
    await putTail(storage, 2)
    expect(await storage.getTail(A)).toBe(2)
  })

  it('rejects a malformed stored record with corrupt', async () => {
    const { storage, db } = open()
    await storage.commit([{ conversationId: A, updates: [Uint8Array.of(1)] }])
    await db.log.add({ conversationId: 'a', segment: 0, update: 'not bytes' as never })
    expect(await codeOf(storage.loadDoc(A))).toBe('corrupt')
  })
})
