// The commit transaction of the Dexie adapter: every write of a batch lands in one readwrite
// transaction over the tables a ConversationWrite touches, so the batch is all or nothing.
import { StorageError } from '@parley/core/ports'
import type { CommitResult, ConversationWrite, LogKey, NewOutboxEntry } from '@parley/core/ports'
import { TABLES } from './dexie-schema.js'
import type { LogRow, OutboxRow, ParleyDexie } from './dexie-schema.js'

function newOutboxRow(entry: NewOutboxEntry): OutboxRow {
  return { ...entry, attempts: entry.attempts ?? 0, status: entry.status ?? 'pending' }
}

function checkIndexEntry(write: ConversationWrite): void {
  if (write.indexEntry !== undefined && write.indexEntry.id !== write.conversationId) {
    throw new StorageError('unknown', 'commit: indexEntry.id differs from conversationId', {
      operation: 'commit',
    })
  }
}

function issueWrite(db: ParleyDexie, write: ConversationWrite): Promise<LogKey | null>[] {
  const pending: Promise<LogKey | null>[] = []
  const id = write.conversationId
  const segment = write.segment ?? 0
  const updates = write.updates ?? []
  if (updates.length > 0) {
    const rows: LogRow[] = updates.map((update) => ({ conversationId: id, segment, update }))
    pending.push(db.log.bulkAdd(rows).then((key) => key as LogKey))
  }
  const outbox = write.outbox ?? []
  if (outbox.length > 0) pending.push(db.outbox.bulkAdd(outbox.map(newOutboxRow)).then(() => null))
  if (write.tail !== undefined) {
    pending.push(db.tails.put({ conversationId: id, value: write.tail }).then(() => null))
  }
  if (write.indexEntry !== undefined) {
    pending.push(db.conversations.put(write.indexEntry).then(() => null))
  }
  if (write.cursor !== undefined) {
    pending.push(db.cursors.put({ conversationId: id, value: write.cursor }).then(() => null))
  }
  return pending
}

/**
 * Applies `writes` to `db` in one transaction; the body of the Dexie adapter's `commit`. Throws
 * synchronously, before any request, when a write's `indexEntry.id` differs from its
 * `conversationId`; resolves with the last log key each write appended (null when it added none).
 */
export function commitDexieWrites(
  db: ParleyDexie,
  writes: readonly ConversationWrite[],
): Promise<CommitResult> {
  if (writes.length === 0) return Promise.resolve({ lastKeys: [] })
  writes.forEach(checkIndexEntry)
  const tables = [TABLES.log, TABLES.outbox, TABLES.tails, TABLES.conversations, TABLES.cursors]
  return db.transaction('rw', tables, async () => {
    // Issue every request before awaiting any: one transaction, no round trip per record.
    const perWrite = writes.map((write) => Promise.all(issueWrite(db, write)))
    const results = await Promise.all(perWrite)
    return {
      lastKeys: results.map((keys) => keys.reduce<LogKey | null>((a, k) => k ?? a, null)),
    }
  })
}
