// The commit of the in-memory StorageAdapter: validate and copy every write of the batch first,
// then apply them all, so a failing batch writes nothing (the contract's `atomicCommit: true`).
import { StorageError } from '@parley/core/ports'
import type {
  CommitResult,
  ConversationWrite,
  LogKey,
  NewOutboxEntry,
  OutboxEntry,
} from '@parley/core/ports'
import { cloneOutbox, cloneValue, copyBytes } from './memory-storage-copies.js'
import { memoryDocOf, type MemoryStorageData } from './memory-storage-data.js'

function prepareOutbox(
  data: MemoryStorageData,
  entries: readonly NewOutboxEntry[],
  operation: string,
): OutboxEntry[] {
  const ids = new Set<string>()
  const prepared: OutboxEntry[] = []
  for (const entry of entries) {
    if (data.outbox.has(entry.id) || ids.has(entry.id)) {
      throw new StorageError('unknown', `duplicate outbox id ${entry.id}`, { operation })
    }
    ids.add(entry.id)
    prepared.push(
      cloneOutbox({
        ...entry,
        attempts: entry.attempts ?? 0,
        status: entry.status ?? 'pending',
        seq: 0,
      }),
    )
  }
  return prepared
}

function appendPrepared(
  data: MemoryStorageData,
  conversationId: string,
  segment: number,
  updates: Uint8Array[],
): LogKey | null {
  let last: LogKey | null = null
  const doc = memoryDocOf(data, conversationId)
  for (const update of updates) {
    last = data.nextLogKey++ as LogKey
    doc.log.push({ key: last, segment, update })
  }
  return last
}

/**
 * Applies `writes` to `data` all or nothing; the body of the memory adapter's `commit`. Throws a
 * `StorageError('unknown')`, having written nothing, on an `indexEntry.id` that differs from its
 * `conversationId`, a duplicate outbox id or a value that cannot be cloned.
 */
export function commitMemoryWrites(
  data: MemoryStorageData,
  writes: readonly ConversationWrite[],
): CommitResult {
  // Prepare (copy, validate) everything first so a failure writes nothing.
  const prepared = writes.map((write) => {
    if (write.indexEntry !== undefined && write.indexEntry.id !== write.conversationId) {
      throw new StorageError('unknown', 'indexEntry.id differs from conversationId', {
        operation: 'commit',
      })
    }
    return {
      write,
      updates: (write.updates ?? []).map(copyBytes),
      outbox: prepareOutbox(data, write.outbox ?? [], 'commit'),
      tail: write.tail === undefined ? undefined : cloneValue(write.tail, 'commit'),
      indexEntry:
        write.indexEntry === undefined ? undefined : cloneValue(write.indexEntry, 'commit'),
      cursor: write.cursor === undefined ? undefined : cloneValue(write.cursor, 'commit'),
    }
  })
  const seen = new Set<string>()
  for (const p of prepared) {
    for (const entry of p.outbox) {
      if (seen.has(entry.id)) {
        throw new StorageError('unknown', `duplicate outbox id ${entry.id}`, {
          operation: 'commit',
        })
      }
      seen.add(entry.id)
    }
  }
  const lastKeys = prepared.map((p) => {
    const id = p.write.conversationId
    const last = appendPrepared(data, id, p.write.segment ?? 0, p.updates)
    for (const entry of p.outbox) {
      entry.seq = data.nextOutboxSeq++
      data.outbox.set(entry.id, entry)
    }
    if (p.tail !== undefined) data.tails.set(id, p.tail)
    if (p.indexEntry !== undefined) data.index.set(id, p.indexEntry)
    if (p.cursor !== undefined) data.cursors.set(id, p.cursor)
    return last
  })
  return { lastKeys }
}
