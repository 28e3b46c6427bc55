// An in-memory StorageAdapter for engine tests. It keeps the whole contract (ordering, atomicity,
// copies in and out, typed errors, close) and adds fault injection, so engine tests can exercise a
// full disk or a lost connection without a browser. Every call takes effect synchronously and
// settles on a microtask, which keeps tests deterministic.
import { StorageError } from '@parley/core/ports'
import type {
  DeviceId,
  Compaction,
  ConversationWrite,
  ListIndexOptions,
  ListOutboxOptions,
  OutboxEntry,
  OutboxPatch,
  StorageAdapter,
  StorageAdapterEvents,
  StorageAdapterListener,
  StorageErrorCode,
  StoredDoc,
} from '@parley/core/ports'
import { commitMemoryWrites } from './commit-memory-writes.js'
import { cloneOutbox, cloneValue, copyBytes } from './memory-storage-copies.js'
import { createMemoryStorageData, memoryDocOf } from './memory-storage-data.js'
import type { MemoryStorageData } from './memory-storage-data.js'

// Re-exported so this module (and the package index's `export *`) keeps every name it had.
export { createMemoryStorageData, type MemoryStorageData } from './memory-storage-data.js'

/** Options of {@link createMemoryStorage}. */
export interface MemoryStorageOptions {
  /** Backing data; share it between instances to simulate reopen. Default: a fresh, empty one. */
  data?: MemoryStorageData
  /** Clock for `createdAt` of the device identity. Default `Date.now`. */
  now?: () => number
  /** Device id factory. Default `crypto.randomUUID`. */
  createDeviceId?: () => string
}

/** A fault armed with {@link MemoryStorage.failNext}. */
export interface MemoryStorageFault {
  /** The code the failing call rejects with. */
  code: StorageErrorCode
  /** Only calls of this method fail; default: the next call of any method. */
  operation?: keyof StorageAdapter
  /** How many calls fail. Default 1. */
  times?: number
}

/** The in-memory adapter with its test controls. */
export interface MemoryStorage extends StorageAdapter {
  /** Makes the next matching call(s) reject with `StorageError(code)` and write nothing. */
  failNext(fault: MemoryStorageFault): void
  /** Disarms every fault armed with `failNext`. */
  clearFaults(): void
  /**
   * Simulates an asynchronous failure: emits `error`; for `version-change` and `connection-lost`
   * the adapter also closes (like the IndexedDB adapters do when recovery is impossible).
   */
  simulateFailure(code: StorageErrorCode): void
}

interface ArmedFault {
  code: StorageErrorCode
  times: number
  operation: keyof StorageAdapter | undefined
}

/**
 * Creates an in-memory {@link StorageAdapter} (`kind: 'memory'`, `atomicCommit: true`). Writes are
 * "durable" in the `data` object; nothing survives the process.
 */
export function createMemoryStorage(options: MemoryStorageOptions = {}): MemoryStorage {
  const data = options.data ?? createMemoryStorageData()
  const now = options.now ?? Date.now
  const createDeviceId = options.createDeviceId ?? (() => crypto.randomUUID())
  const listeners: { [K in keyof StorageAdapterEvents]: Set<StorageAdapterListener<K>> } = {
    error: new Set(),
    closed: new Set(),
  }
  const faults: ArmedFault[] = []
  let closed = false

  function emit<K extends keyof StorageAdapterEvents>(
    event: K,
    payload: StorageAdapterEvents[K],
  ): void {
    for (const listener of [...listeners[event]]) listener(payload)
  }

  function checkCall(operation: keyof StorageAdapter): void {
    if (closed) throw new StorageError('closed', 'storage is closed', { operation })
    const index = faults.findIndex((f) => f.operation === undefined || f.operation === operation)
    const fault = faults[index]
    if (fault === undefined) return
    fault.times -= 1
    if (fault.times <= 0) faults.splice(index, 1)
    throw new StorageError(fault.code, `injected ${fault.code}`, { operation })
  }

  /** Runs `body` synchronously (so calls apply in order) and settles on a microtask. */
  function run<T>(operation: keyof StorageAdapter, body: () => T): Promise<T> {
    try {
      checkCall(operation)
      return Promise.resolve(body())
    } catch (error) {
      return Promise.reject(
        error instanceof StorageError
          ? error
          : new StorageError('unknown', String(error), { cause: error, operation }),
      )
    }
  }

  const storage: MemoryStorage = {
    kind: 'memory',
    capabilities: { atomicCommit: true },
    get closed() {
      return closed
    },

    loadDoc(conversationId) {
      return run('loadDoc', (): StoredDoc => {
        const doc = data.docs.get(conversationId)
        if (doc === undefined) return { snapshots: [], log: [] }
        const snapshots = [...doc.snapshots.entries()]
          .sort(([a], [b]) => a - b)
          .map(([segment, update]) => ({ segment, update: copyBytes(update) }))
        const log = [...doc.log]
          .sort((a, b) => a.segment - b.segment || a.key - b.key)
          .map((row) => ({ ...row, update: copyBytes(row.update) }))
        return { snapshots, log }
      })
    },

    compact(conversationId, compaction: Compaction) {
      return run('compact', () => {
        const segment = compaction.segment ?? 0
        const doc = memoryDocOf(data, conversationId)
        doc.snapshots.set(segment, copyBytes(compaction.snapshot))
        const upTo = compaction.upTo
        if (upTo !== null) {
          doc.log = doc.log.filter((row) => row.segment !== segment || row.key > upTo)
        }
      })
    },

    commit(writes: readonly ConversationWrite[]) {
      return run('commit', () => commitMemoryWrites(data, writes))
    },

    getTail(conversationId) {
      return run('getTail', () => cloneValue(data.tails.get(conversationId), 'getTail'))
    },

    listIndex(listOptions: ListIndexOptions = {}) {
      return run('listIndex', () => {
        const entries = [...data.index.values()].sort(
          (a, b) => b.lastActivity - a.lastActivity || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
        )
        const limited =
          listOptions.limit === undefined ? entries : entries.slice(0, listOptions.limit)
        return cloneValue(limited, 'listIndex')
      })
    },

    listOutbox(listOptions: ListOutboxOptions = {}) {
      return run('listOutbox', () => {
        const entries = [...data.outbox.values()]
          .filter(
            (e) =>
              listOptions.conversationId === undefined ||
              e.conversationId === listOptions.conversationId,
          )
          .sort((a, b) => a.seq - b.seq)
        const limited =
          listOptions.limit === undefined ? entries : entries.slice(0, listOptions.limit)
        return limited.map(cloneOutbox)
      })
    },
    updateOutbox(id, patch: OutboxPatch) {
      return run('updateOutbox', () => {
        const entry = data.outbox.get(id)
        if (entry === undefined) return false
        const next: OutboxEntry = { ...entry }
        if (patch.attempts !== undefined) next.attempts = patch.attempts
        if (patch.status !== undefined) next.status = patch.status
        if (patch.error === null) delete next.error
        else if (patch.error !== undefined) next.error = cloneValue(patch.error, 'updateOutbox')
        if (patch.nextAttemptAt === null) delete next.nextAttemptAt
        else if (patch.nextAttemptAt !== undefined) next.nextAttemptAt = patch.nextAttemptAt
        if (patch.meta !== undefined) next.meta = cloneValue(patch.meta, 'updateOutbox')
        data.outbox.set(id, next)
        return true
      })
    },
    removeOutbox(ids) {
      return run('removeOutbox', () => {
        for (const id of ids) data.outbox.delete(id)
      })
    },

    getCursor(conversationId) {
      return run('getCursor', () => cloneValue(data.cursors.get(conversationId), 'getCursor'))
    },

    getOrCreateDevice() {
      return run('getOrCreateDevice', () => {
        data.device ??= { deviceId: createDeviceId() as DeviceId, createdAt: now() }
        return { ...data.device }
      })
    },

    kvGet(key) {
      return run('kvGet', () => cloneValue(data.kv.get(key), 'kvGet'))
    },
    kvPut(key, value) {
      return run('kvPut', () => {
        if (value === undefined) data.kv.delete(key)
        else data.kv.set(key, cloneValue(value, 'kvPut'))
      })
    },

    deleteConversation(conversationId) {
      return run('deleteConversation', () => {
        data.docs.delete(conversationId)
        data.tails.delete(conversationId)
        data.index.delete(conversationId)
        data.cursors.delete(conversationId)
        for (const [id, entry] of data.outbox) {
          if (entry.conversationId === conversationId) data.outbox.delete(id)
        }
      })
    },

    on(event, listener) {
      listeners[event].add(listener)
      return () => {
        listeners[event].delete(listener)
      }
    },

    close() {
      if (!closed) {
        closed = true
        emit('closed', {})
      }
      return Promise.resolve()
    },

    failNext(fault) {
      faults.push({ code: fault.code, times: fault.times ?? 1, operation: fault.operation })
    },

    clearFaults() {
      faults.length = 0
    },

    simulateFailure(code) {
      const error = new StorageError(code, `simulated ${code}`)
      emit('error', { error })
      if ((code === 'version-change' || code === 'connection-lost') && !closed) {
        closed = true
        emit('closed', { error })
      }
    },
  }
  return storage
}
