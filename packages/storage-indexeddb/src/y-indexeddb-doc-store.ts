// Reads and writes documents in y-indexeddb's on-disk format — one database per document, named
// after it, with an auto-incremented `updates` store and a `custom` store — so that a database the
// app wrote with `new IndexeddbPersistence(name, doc)` loads here and the other way round. It talks
// to IndexedDB directly instead of through y-indexeddb's `fetchUpdates`/`storeState`: those need a
// live Y.Doc, apply to it, and return before their transactions complete, so they can neither
// return bytes nor report a failure.
import { StorageError } from '@parley/core/ports'
import { toStorageError } from './to-storage-error.js'

const UPDATES = 'updates'
const CUSTOM = 'custom'
/** Key in the `custom` store of the row key that holds the Parley snapshot. */
export const SNAPSHOT_POINTER = 'parley:snapshot'

/** Rows of one document database. */
export interface YDocRows {
  /** Key of the snapshot row, if Parley compacted this database and the row still exists. */
  snapshotKey: number | undefined
  /** Every row of the `updates` store, ascending by key. */
  rows: { key: number; update: Uint8Array }[]
}

/** Options of {@link createYDocStore}. */
export interface YDocStoreOptions {
  indexedDB: IDBFactory
  IDBKeyRange: typeof IDBKeyRange
  /** How long a blocked delete may wait before it rejects with `blocked`. */
  blockedTimeoutMs: number
  /** Receives non-fatal asynchronous failures (another tab deleted a document database, …). */
  report: (error: StorageError) => void
}

/** Document databases in y-indexeddb's format, see {@link createYDocStore}. */
export interface YDocStore {
  load(name: string): Promise<YDocRows>
  append(name: string, updates: readonly Uint8Array[]): Promise<number | null>
  compact(name: string, snapshot: Uint8Array, upTo: number | null): Promise<void>
  remove(name: string): Promise<void>
  closeAll(): void
}

/**
 * Runs `body` in a new transaction and resolves with its result once the transaction completed.
 * A synchronous throw of `body` or of a request callback aborts the transaction and wins over the
 * resulting AbortError, so a QuotaExceededError keeps its name.
 */
function inTransaction<T>(
  db: IDBDatabase,
  stores: string[],
  mode: IDBTransactionMode,
  body: (tx: IDBTransaction, guard: (fn: () => void) => void) => () => T,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let thrown: unknown
    let failed = false
    const tx = db.transaction(stores, mode)
    const fail = (error: unknown) => {
      if (failed) return
      failed = true
      thrown = error
      try {
        tx.abort()
      } catch (abortError) {
        // The transaction already finished or aborted; the first error is the one to report.
        thrown ??= abortError
      }
    }
    const guard = (fn: () => void) => {
      try {
        fn()
      } catch (error) {
        fail(error)
      }
    }
    let result: (() => T) | undefined
    tx.oncomplete = () => {
      if (result === undefined) reject(thrown ?? new StorageError('unknown', 'no result'))
      else resolve(result())
    }
    tx.onabort = () => reject(thrown ?? tx.error ?? new DOMException('aborted', 'AbortError'))
    tx.onerror = (event) => {
      // Let onabort report; prevent the error from also surfacing as an uncaught event.
      event.preventDefault()
    }
    try {
      result = body(tx, guard)
    } catch (error) {
      fail(error)
    }
  })
}

/** Creates the store of y-indexeddb document databases; connections are opened on demand. */
export function createYDocStore(options: YDocStoreOptions): YDocStore {
  const { indexedDB, IDBKeyRange } = options
  const open = new Map<string, IDBDatabase>()
  const opening = new Map<string, Promise<IDBDatabase>>()

  function forget(name: string, db: IDBDatabase): void {
    if (open.get(name) === db) open.delete(name)
    db.close()
  }

  function connect(name: string): Promise<IDBDatabase> {
    const ready = open.get(name)
    if (ready !== undefined) return Promise.resolve(ready)
    let pending = opening.get(name)
    if (pending === undefined) {
      pending = new Promise<IDBDatabase>((resolve, reject) => {
        // No version: like y-indexeddb (lib0 `openDB`), so both open the same version 1 database.
        const request = indexedDB.open(name)
        request.onupgradeneeded = () => {
          const db = request.result
          if (!db.objectStoreNames.contains(UPDATES)) {
            db.createObjectStore(UPDATES, { autoIncrement: true })
          }
          if (!db.objectStoreNames.contains(CUSTOM)) db.createObjectStore(CUSTOM)
        }
        request.onsuccess = () => {
          const db = request.result
          db.onversionchange = () => {
            forget(name, db)
            options.report(
              new StorageError('version-change', `document database ${name} was changed elsewhere`),
            )
          }
          db.onclose = () => {
            forget(name, db)
            options.report(
              new StorageError('connection-lost', `the browser closed document database ${name}`),
            )
          }
          open.set(name, db)
          resolve(db)
        }
        request.onerror = () => reject(request.error ?? new StorageError('unknown', 'open failed'))
        request.onblocked = () => {
          options.report(new StorageError('blocked', `opening ${name} is blocked`))
        }
      }).finally(() => opening.delete(name))
      opening.set(name, pending)
    }
    return pending
  }

  /** Runs `work` on the connection; after a lost connection, reopens once and retries. */
  async function withConnection<T>(name: string, work: (db: IDBDatabase) => Promise<T>) {
    const db = await connect(name)
    try {
      return await work(db)
    } catch (error) {
      if (toStorageError(error).code !== 'connection-lost') throw error
      forget(name, db)
      return await work(await connect(name))
    }
  }

  return {
    load(name) {
      return withConnection(name, (db) =>
        inTransaction(db, [UPDATES, CUSTOM], 'readonly', (tx) => {
          const updates = tx.objectStore(UPDATES)
          const values = updates.getAll()
          const keys = updates.getAllKeys()
          const pointer = tx.objectStore(CUSTOM).get(SNAPSHOT_POINTER)
          return () => ({
            rows: keys.result.map((key, i) => ({
              key: key as number,
              update: values.result[i] as Uint8Array,
            })),
            snapshotKey: typeof pointer.result === 'number' ? pointer.result : undefined,
          })
        }),
      )
    },

    append(name, updates) {
      if (updates.length === 0) return Promise.resolve(null)
      return withConnection(name, (db) =>
        inTransaction(db, [UPDATES], 'readwrite', (tx) => {
          const store = tx.objectStore(UPDATES)
          let last: IDBRequest<IDBValidKey> | undefined
          for (const update of updates) last = store.add(update)
          return () => last?.result as number
        }),
      )
    },

    compact(name, snapshot, upTo) {
      return withConnection(name, (db) =>
        inTransaction(db, [UPDATES, CUSTOM], 'readwrite', (tx, guard) => {
          const updates = tx.objectStore(UPDATES)
          const custom = tx.objectStore(CUSTOM)
          if (upTo !== null) updates.delete(IDBKeyRange.upperBound(upTo))
          const previous = custom.get(SNAPSHOT_POINTER)
          previous.onsuccess = () =>
            guard(() => {
              if (typeof previous.result === 'number') updates.delete(previous.result)
              const added = updates.add(snapshot)
              added.onsuccess = () => guard(() => custom.put(added.result, SNAPSHOT_POINTER))
            })
          return () => undefined
        }),
      )
    },

    async remove(name) {
      // A failed open leaves nothing to close; the delete below reports its own failure.
      const db = open.get(name) ?? (await opening.get(name)?.catch(() => undefined))
      if (db !== undefined) forget(name, db)
      await new Promise<void>((resolve, reject) => {
        const request = indexedDB.deleteDatabase(name)
        let timer: ReturnType<typeof setTimeout> | undefined
        request.onsuccess = () => {
          clearTimeout(timer)
          resolve()
        }
        request.onerror = () => {
          clearTimeout(timer)
          reject(request.error ?? new StorageError('unknown', `deleting ${name} failed`))
        }
        request.onblocked = () => {
          // Another connection (e.g. the app's own IndexeddbPersistence) keeps it open; the
          // browser deletes it once that closes.
          timer = setTimeout(
            () => reject(new StorageError('blocked', `deleting ${name} is blocked`)),
            options.blockedTimeoutMs,
          )
        }
      })
    },

    closeAll() {
      for (const [name, db] of open) forget(name, db)
    },
  }
}
