// The backing data of the in-memory StorageAdapter. It lives apart from the adapter so that several
// adapters can share one object, the way several connections share one IndexedDB database.
import type {
  ConversationIndexEntry,
  DeviceIdentity,
  OutboxEntry,
  StoredLogRow,
} from '@parley/core/ports'

/** The stored snapshots (by segment) and log rows of one conversation. */
export interface MemoryDocRecord {
  snapshots: Map<number, Uint8Array>
  log: StoredLogRow[]
}

/**
 * The contents of a memory storage. Pass the same object to several `createMemoryStorage` calls to
 * simulate closing and reopening one database.
 */
export interface MemoryStorageData {
  docs: Map<string, MemoryDocRecord>
  tails: Map<string, unknown>
  index: Map<string, ConversationIndexEntry>
  cursors: Map<string, unknown>
  outbox: Map<string, OutboxEntry>
  kv: Map<string, unknown>
  device: DeviceIdentity | undefined
  nextLogKey: number
  nextOutboxSeq: number
}

/** An empty {@link MemoryStorageData}. */
export function createMemoryStorageData(): MemoryStorageData {
  return {
    docs: new Map(),
    tails: new Map(),
    index: new Map(),
    cursors: new Map(),
    outbox: new Map(),
    kv: new Map(),
    device: undefined,
    nextLogKey: 1,
    nextOutboxSeq: 1,
  }
}

/** The record of `conversationId` in `data`, created empty on first use. */
export function memoryDocOf(data: MemoryStorageData, conversationId: string): MemoryDocRecord {
  let doc = data.docs.get(conversationId)
  if (doc === undefined) {
    doc = { snapshots: new Map(), log: [] }
    data.docs.set(conversationId, doc)
  }
  return doc
}
