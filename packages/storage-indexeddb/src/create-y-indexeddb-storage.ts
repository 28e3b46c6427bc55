// The y-indexeddb adapter: documents live where y-indexeddb keeps them (one database per document,
// named after it), so apps that already use `IndexeddbPersistence` keep their data; everything
// y-indexeddb has no place for (tail, index, outbox, cursors, device, kv) goes into a small Dexie
// side database. It is also the baseline the benchmarks run beside. Weaker than the Dexie adapter:
// a commit spans several databases (see `capabilities.atomicCommit`), and opening a conversation
// never written creates its (empty) database, as y-indexeddb does.
import { StorageError } from '@parley/core/ports'
import type {
  ConversationWrite,
  LogKey,
  StorageAdapter,
  StoredDoc,
  StoredLogRow,
  StoredSnapshot,
} from '@parley/core/ports'
import { createAdapterRuntime } from './adapter-runtime.js'
import { createDexieStorageInternals } from './create-dexie-storage.js'
import { TABLES } from './dexie-schema.js'
import { createYDocStore } from './y-indexeddb-doc-store.js'

/** Options of {@link createYIndexeddbStorage}. */
export interface YIndexeddbStorageOptions {
  /** Name of the side database (tail, index, outbox, cursors, device, kv). Default `'parley-y'`. */
  name?: string
  /**
   * Name of the y-indexeddb database of a conversation segment. Default: the conversation id for
   * segment 0 — what `new IndexeddbPersistence(conversationId, doc)` opens — and
   * `${conversationId}#${segment}` for other segments.
   */
  docName?: (conversationId: string, segment: number) => string
  /** The IndexedDB factory. Default: the global `indexedDB`. */
  indexedDB?: IDBFactory
  /** The key-range class matching `indexedDB`. Default: the global `IDBKeyRange`. */
  IDBKeyRange?: typeof IDBKeyRange
  /** How long a blocked open or delete may wait before failing with `blocked`. Default 10 s. */
  blockedTimeoutMs?: number
  /** Receives asynchronous errors (the same as the `error` event). */
  onError?: (error: StorageError) => void
  /** Clock for `createdAt` fields. Default `Date.now`. */
  now?: () => number
  /** Device id factory. Default `crypto.randomUUID`. */
  createDeviceId?: () => string
}

const defaultDocName = (conversationId: string, segment: number) =>
  segment === 0 ? conversationId : `${conversationId}#${segment}`

const segmentsKey = (conversationId: string) => `segments:${conversationId}`

function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array || (ArrayBuffer.isView(value) && !(value instanceof DataView))
}

/** Splits a write into its side part (no updates) and says whether anything is left in it. */
function sidePart(write: ConversationWrite, include: 'outbox' | 'records'): ConversationWrite {
  const { conversationId } = write
  if (include === 'outbox') {
    return write.outbox === undefined
      ? { conversationId }
      : { conversationId, outbox: write.outbox }
  }
  return {
    conversationId,
    ...(write.tail === undefined ? {} : { tail: write.tail }),
    ...(write.indexEntry === undefined ? {} : { indexEntry: write.indexEntry }),
    ...(write.cursor === undefined ? {} : { cursor: write.cursor }),
  }
}

const hasSideRecords = (write: ConversationWrite) => Object.keys(write).length > 1

/**
 * Creates the y-indexeddb {@link StorageAdapter} (`kind: 'y-indexeddb'`, `atomicCommit: false`).
 *
 * A `commit` writes, in this order: (1) the outbox entries of the whole batch in one transaction,
 * (2) the updates, one transaction per document database, (3) tails, index entries and cursors in
 * one transaction. A crash after (1) leaves updates only in the outbox — the engine re-applies
 * pending outbox updates on load; after (2), a stale tail or cursor, which the engine rebuilds or
 * re-fetches. No order loses a write.
 */
export function createYIndexeddbStorage(options: YIndexeddbStorageOptions = {}): StorageAdapter {
  const docName = options.docName ?? defaultDocName
  const blockedTimeoutMs = options.blockedTimeoutMs ?? 10_000
  const side = createDexieStorageInternals({
    name: options.name ?? 'parley-y',
    blockedTimeoutMs,
    ...(options.indexedDB === undefined ? {} : { indexedDB: options.indexedDB }),
    ...(options.IDBKeyRange === undefined ? {} : { IDBKeyRange: options.IDBKeyRange }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.createDeviceId === undefined ? {} : { createDeviceId: options.createDeviceId }),
  })
  const docs = createYDocStore({
    indexedDB: options.indexedDB ?? indexedDB,
    IDBKeyRange: options.IDBKeyRange ?? IDBKeyRange,
    blockedTimeoutMs,
    report: (error) => runtime.report(error),
  })
  const runtime = createAdapterRuntime({
    onError: options.onError,
    // Retries happen below: the doc store per transaction, the side store per call.
    reconnect: () => Promise.resolve(),
    closeDatabase: async () => {
      docs.closeAll()
      await side.storage.close()
    },
  })
  side.storage.on('error', ({ error }) => runtime.report(error))
  side.storage.on('closed', ({ error }) => {
    if (error !== undefined) {
      docs.closeAll()
      runtime.fail(error)
    }
  })

  const noRetry = { retry: false }

  async function segmentsOf(conversationId: string): Promise<number[]> {
    const row = await side.db.meta.get(segmentsKey(conversationId))
    const extra = Array.isArray(row?.value) ? (row.value as unknown[]) : []
    return [0, ...extra.filter((s): s is number => typeof s === 'number' && s !== 0)]
  }

  async function ensureSegment(conversationId: string, segment: number): Promise<void> {
    if (segment === 0) return
    await side.db.transaction('rw', [TABLES.meta], async () => {
      const known = await segmentsOf(conversationId)
      if (known.includes(segment)) return
      await side.db.meta.put({
        key: segmentsKey(conversationId),
        value: [...known.slice(1), segment],
      })
    })
  }

  async function append(conversationId: string, segment: number, updates: readonly Uint8Array[]) {
    if (updates.length === 0) return null
    await ensureSegment(conversationId, segment)
    return (await docs.append(docName(conversationId, segment), updates)) as LogKey | null
  }

  const storage: StorageAdapter = {
    kind: 'y-indexeddb',
    capabilities: { atomicCommit: false },
    get closed() {
      return runtime.closed
    },

    loadDoc(conversationId) {
      return runtime.run(
        'loadDoc',
        async (): Promise<StoredDoc> => {
          const segments = await segmentsOf(conversationId)
          const loaded = await Promise.all(
            segments.map((segment) => docs.load(docName(conversationId, segment))),
          )
          const snapshots: StoredSnapshot[] = []
          const log: StoredLogRow[] = []
          loaded.forEach(({ rows, snapshotKey }, i) => {
            const segment = segments[i] ?? 0
            for (const row of rows) {
              if (!isBytes(row.update)) {
                throw new StorageError('corrupt', 'loadDoc: malformed update row', {
                  operation: 'loadDoc',
                })
              }
              if (row.key === snapshotKey) snapshots.push({ segment, update: row.update })
              else log.push({ key: row.key as LogKey, segment, update: row.update })
            }
          })
          return { snapshots, log }
        },
        noRetry,
      )
    },

    compact(conversationId, compaction) {
      return runtime.run(
        'compact',
        async () => {
          const segment = compaction.segment ?? 0
          await ensureSegment(conversationId, segment)
          await docs.compact(docName(conversationId, segment), compaction.snapshot, compaction.upTo)
        },
        noRetry,
      )
    },

    commit(writes) {
      return runtime.run(
        'commit',
        async () => {
          for (const write of writes) {
            if (write.indexEntry !== undefined && write.indexEntry.id !== write.conversationId) {
              throw new StorageError(
                'unknown',
                'commit: indexEntry.id differs from conversationId',
                {
                  operation: 'commit',
                },
              )
            }
          }
          const outbox = writes.map((w) => sidePart(w, 'outbox')).filter(hasSideRecords)
          if (outbox.length > 0) await side.storage.commit(outbox)
          const lastKeys: (LogKey | null)[] = []
          for (const write of writes) {
            lastKeys.push(
              await append(write.conversationId, write.segment ?? 0, write.updates ?? []),
            )
          }
          const records = writes.map((w) => sidePart(w, 'records')).filter(hasSideRecords)
          if (records.length > 0) await side.storage.commit(records)
          return { lastKeys }
        },
        noRetry,
      )
    },

    getTail: (id) => runtime.run('getTail', () => side.storage.getTail(id), noRetry),
    listIndex: (o) => runtime.run('listIndex', () => side.storage.listIndex(o), noRetry),
    listOutbox: (o) => runtime.run('listOutbox', () => side.storage.listOutbox(o), noRetry),
    updateOutbox: (id, patch) =>
      runtime.run('updateOutbox', () => side.storage.updateOutbox(id, patch), noRetry),
    removeOutbox: (ids) =>
      runtime.run('removeOutbox', () => side.storage.removeOutbox(ids), noRetry),
    getCursor: (id) => runtime.run('getCursor', () => side.storage.getCursor(id), noRetry),
    getOrCreateDevice: () =>
      runtime.run('getOrCreateDevice', () => side.storage.getOrCreateDevice(), noRetry),
    kvGet: (key) => runtime.run('kvGet', () => side.storage.kvGet(key), noRetry),
    kvPut: (key, value) => runtime.run('kvPut', () => side.storage.kvPut(key, value), noRetry),

    deleteConversation(conversationId) {
      return runtime.run(
        'deleteConversation',
        async () => {
          const segments = await segmentsOf(conversationId)
          await Promise.all(segments.map((s) => docs.remove(docName(conversationId, s))))
          await side.storage.deleteConversation(conversationId)
          await side.db.meta.delete(segmentsKey(conversationId))
        },
        noRetry,
      )
    },

    on: (event, listener) => runtime.on(event, listener),
    close: () => runtime.close(),
  }
  return storage
}
