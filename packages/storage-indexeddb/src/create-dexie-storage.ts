// Parley's default StorageAdapter: one Dexie database holding few, large records — a snapshot per
// segment plus a bounded update log, a tail record and an index entry per conversation, the outbox,
// sync cursors, the device identity. Every write awaits its transaction's `complete`.
import { StorageError } from '@parley/core/ports'
import type {
  ConversationIndexEntry,
  DeviceId,
  DeviceIdentity,
  LogKey,
  OutboxEntry,
  StorageAdapter,
  StoredDoc,
} from '@parley/core/ports'
import { createAdapterRuntime } from './adapter-runtime.js'
import type { AdapterRuntime } from './adapter-runtime.js'
import { commitDexieWrites } from './commit-dexie-writes.js'
import { TABLES, createParleyDexie } from './dexie-schema.js'
import type { OutboxRow, ParleyDexie } from './dexie-schema.js'
import type { DexieStorageOptions } from './dexie-storage-options.js'
import { toStorageError } from './to-storage-error.js'

// Re-exported: the package index and callers take the options type from this module.
export type { DexieStorageOptions } from './dexie-storage-options.js'

const DEVICE_KEY = 'device'

/** The Dexie adapter plus its internals, for adapters built on top of it (y-indexeddb). */
export interface DexieStorageInternals {
  storage: StorageAdapter
  db: ParleyDexie
  runtime: AdapterRuntime
}

function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array || (ArrayBuffer.isView(value) && !(value instanceof DataView))
}

function corrupt(operation: string, what: string): StorageError {
  return new StorageError('corrupt', `${operation}: malformed ${what} record`, { operation })
}

function isDevice(value: unknown): value is DeviceIdentity {
  if (typeof value !== 'object' || value === null) return false
  const device = value as Partial<DeviceIdentity>
  return typeof device.deviceId === 'string' && typeof device.createdAt === 'number'
}

function toOutboxEntry(row: OutboxRow, operation: string): OutboxEntry {
  if (typeof row.seq !== 'number' || typeof row.id !== 'string' || !isBytes(row.update)) {
    throw corrupt(operation, 'outbox')
  }
  return row as OutboxEntry
}

/** Builds the Dexie adapter and returns its internals. Prefer {@link createDexieStorage}. */
export function createDexieStorageInternals(
  options: DexieStorageOptions = {},
): DexieStorageInternals {
  const name = options.name ?? 'parley'
  const now = options.now ?? Date.now
  const createDeviceId = options.createDeviceId ?? (() => crypto.randomUUID())
  const blockedTimeoutMs = options.blockedTimeoutMs ?? 10_000
  const db = createParleyDexie(name, {
    indexedDB: options.indexedDB,
    IDBKeyRange: options.IDBKeyRange,
    durability: options.durability,
  })
  let blockedTimer: ReturnType<typeof setTimeout> | undefined
  // Dexie fires its 'close' event for every close, ours included; only the browser's counts.
  let closingOnPurpose = false
  const closeOnPurpose = (options?: { disableAutoOpen: boolean }) => {
    closingOnPurpose = true
    try {
      db.close(options)
    } finally {
      closingOnPurpose = false
    }
  }

  const runtime = createAdapterRuntime({
    onError: options.onError,
    reconnect: async () => {
      closeOnPurpose({ disableAutoOpen: false })
      // A failing reopen closes the database again; that close is ours too.
      closingOnPurpose = true
      try {
        await db.open()
      } finally {
        closingOnPurpose = false
      }
    },
    closeDatabase: () => {
      clearTimeout(blockedTimer)
      closeOnPurpose()
      return Promise.resolve()
    },
  })

  // Another tab upgrades or deletes the database: let it, and stop (our schema may be stale).
  db.on('versionchange', (event: IDBVersionChangeEvent) => {
    closeOnPurpose()
    const action = event.newVersion === null ? 'deleted' : `upgraded to ${event.newVersion / 10}`
    runtime.fail(
      new StorageError('version-change', `database ${name} was ${action} by another connection`),
    )
    return false // We closed it ourselves; skip Dexie's default handler.
  })
  db.on('blocked', () => {
    runtime.report(new StorageError('blocked', `opening ${name} is blocked by another connection`))
    clearTimeout(blockedTimer)
    blockedTimer = setTimeout(() => {
      if (db.isOpen() || runtime.closed) return
      closeOnPurpose()
      runtime.fail(
        new StorageError('blocked', `opening ${name} stayed blocked for ${blockedTimeoutMs} ms`),
      )
    }, blockedTimeoutMs)
  })
  // The browser closed the connection (storage cleared, disk error). Dexie reopens on next use.
  db.on('close', () => {
    if (closingOnPurpose || runtime.closed) return
    runtime.report(new StorageError('connection-lost', `the browser closed database ${name}`))
  })
  // Open eagerly so the first call does not pay for it. A failure rejects every call made
  // meanwhile with the same error, so this handler only has to keep the rejection handled.
  db.open().then(
    () => clearTimeout(blockedTimer),
    (error: unknown) => {
      clearTimeout(blockedTimer)
      if (!runtime.closed) runtime.report(toStorageError(error, 'open'))
    },
  )

  const allConversationRows = (conversationId: string) =>
    [
      [conversationId, -Infinity, -Infinity],
      [conversationId, Infinity, Infinity],
    ] as const

  const storage: StorageAdapter = {
    kind: 'dexie',
    capabilities: { atomicCommit: true },
    get closed() {
      return runtime.closed
    },

    loadDoc(conversationId) {
      return runtime.run('loadDoc', () =>
        db.transaction('r', [TABLES.snapshots, TABLES.log], async (): Promise<StoredDoc> => {
          const [from, to] = allConversationRows(conversationId)
          const snapshotRows = db.snapshots
            .where('[conversationId+segment]')
            .between([conversationId, -Infinity], [conversationId, Infinity], true, true)
            .toArray()
          const logRows = db.log
            .where('[conversationId+segment+key]')
            .between(from, to, true, true)
            .toArray()
          const [snapshots, log] = await Promise.all([snapshotRows, logRows])
          return {
            snapshots: snapshots.map((row) => {
              if (!isBytes(row.update)) throw corrupt('loadDoc', 'snapshot')
              return { segment: row.segment, update: row.update }
            }),
            log: log.map((row) => {
              if (!isBytes(row.update) || typeof row.key !== 'number')
                throw corrupt('loadDoc', 'log')
              return { key: row.key as LogKey, segment: row.segment, update: row.update }
            }),
          }
        }),
      )
    },

    compact(conversationId, compaction) {
      return runtime.run('compact', () =>
        db.transaction('rw', [TABLES.snapshots, TABLES.log], async () => {
          const segment = compaction.segment ?? 0
          const put = db.snapshots.put({
            conversationId,
            segment,
            update: compaction.snapshot,
            updatedAt: now(),
          })
          const trim =
            compaction.upTo === null
              ? Promise.resolve(0)
              : db.log
                  .where('[conversationId+segment+key]')
                  .between(
                    [conversationId, segment, -Infinity],
                    [conversationId, segment, compaction.upTo],
                    true,
                    true,
                  )
                  .delete()
          await Promise.all([put, trim])
        }),
      )
    },

    commit(writes) {
      return runtime.run('commit', () => commitDexieWrites(db, writes))
    },

    getTail(conversationId) {
      return runtime.run('getTail', async () => (await db.tails.get(conversationId))?.value)
    },

    listIndex(listOptions = {}) {
      return runtime.run('listIndex', async () => {
        // The list is at most a few thousand small rows; sorting here keeps ties deterministic.
        const entries: ConversationIndexEntry[] = await db.conversations.toArray()
        entries.sort(
          (a, b) => b.lastActivity - a.lastActivity || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
        )
        return listOptions.limit === undefined ? entries : entries.slice(0, listOptions.limit)
      })
    },

    listOutbox(listOptions = {}) {
      return runtime.run('listOutbox', async () => {
        let collection =
          listOptions.conversationId === undefined
            ? db.outbox.toCollection()
            : db.outbox.where('conversationId').equals(listOptions.conversationId)
        if (listOptions.limit !== undefined) collection = collection.limit(listOptions.limit)
        const rows = await collection.toArray()
        return rows.map((row) => toOutboxEntry(row, 'listOutbox'))
      })
    },
    updateOutbox(id, patch) {
      return runtime.run('updateOutbox', () =>
        db.transaction('rw', [TABLES.outbox], async () => {
          const row = await db.outbox.where('id').equals(id).first()
          if (row === undefined) return false
          const next: OutboxRow = { ...row }
          if (patch.attempts !== undefined) next.attempts = patch.attempts
          if (patch.status !== undefined) next.status = patch.status
          if (patch.error === null) delete next.error
          else if (patch.error !== undefined) next.error = patch.error
          if (patch.nextAttemptAt === null) delete next.nextAttemptAt
          else if (patch.nextAttemptAt !== undefined) next.nextAttemptAt = patch.nextAttemptAt
          if (patch.meta !== undefined) next.meta = patch.meta
          await db.outbox.put(next)
          return true
        }),
      )
    },
    removeOutbox(ids) {
      return runtime.run('removeOutbox', async () => {
        if (ids.length === 0) return
        await db.outbox
          .where('id')
          .anyOf([...ids])
          .delete()
      })
    },

    getCursor(conversationId) {
      return runtime.run('getCursor', async () => (await db.cursors.get(conversationId))?.value)
    },

    getOrCreateDevice() {
      return runtime.run('getOrCreateDevice', () =>
        db.transaction('rw', [TABLES.meta], async () => {
          const row = await db.meta.get(DEVICE_KEY)
          if (row !== undefined) {
            if (!isDevice(row.value)) throw corrupt('getOrCreateDevice', 'device')
            return row.value
          }
          const device: DeviceIdentity = {
            deviceId: createDeviceId() as DeviceId,
            createdAt: now(),
          }
          await db.meta.put({ key: DEVICE_KEY, value: device })
          return device
        }),
      )
    },

    kvGet(key) {
      return runtime.run('kvGet', async () => (await db.kv.get(key))?.value)
    },
    kvPut(key, value) {
      return runtime.run('kvPut', async () => {
        if (value === undefined) await db.kv.delete(key)
        else await db.kv.put({ key, value })
      })
    },

    deleteConversation(conversationId) {
      return runtime.run('deleteConversation', () =>
        db.transaction('rw', Object.values(TABLES), async () => {
          const [from, to] = allConversationRows(conversationId)
          await Promise.all([
            db.snapshots
              .where('[conversationId+segment]')
              .between([conversationId, -Infinity], [conversationId, Infinity], true, true)
              .delete(),
            db.log.where('[conversationId+segment+key]').between(from, to, true, true).delete(),
            db.tails.delete(conversationId),
            db.conversations.delete(conversationId),
            db.cursors.delete(conversationId),
            db.outbox.where('conversationId').equals(conversationId).delete(),
          ])
        }),
      )
    },

    on(event, listener) {
      return runtime.on(event, listener)
    },
    close() {
      return runtime.close()
    },
  }
  return { storage, db, runtime }
}

/**
 * Creates Parley's default {@link StorageAdapter} on Dexie (`kind: 'dexie'`, `atomicCommit: true`).
 * The database opens in the background; errors of the open reject the first calls.
 *
 * @example
 * const storage = createDexieStorage({ name: 'parley' })
 * const { lastKeys } = await storage.commit([{ conversationId, updates: [update], outbox: [entry] }])
 */
export function createDexieStorage(options: DexieStorageOptions = {}): StorageAdapter {
  return createDexieStorageInternals(options).storage
}
