// The shared types of a conversation's Y.Doc (docs/LAYOUT.md explains the choice):
//
//   chunks     Y.Array<Y.Array<MessageRecord>>  append-only chunks of plain message records
//   edits      Y.Map<EditRecord>                message id → its latest edit
//   deleted    Y.Map<TombstoneRecord>           message id → tombstone (the record left its chunk)
//   reactions  Y.Map<ReactionRecord>            `messageId/userId/reaction` → { at }
//   receipts   Y.Map<ReceiptRecord>             `userId/deviceId` → { delivered, read }
//   members    Y.Map<MemberRecord>              user id → { role, addedBy, addedAt }
//   meta       Y.Map<unknown>                   title, kind, createdBy, createdAt
import * as Y from 'yjs'
import type { MessageRecord } from './schema.js'

/** Records per chunk before a new chunk is started. Appends cost O(chunk size), not O(messages). */
export const CHUNK_SIZE = 1000

/** The shared types of one conversation document. */
export interface DocRoots {
  readonly chunks: Y.Array<Y.Array<unknown>>
  readonly edits: Y.Map<unknown>
  readonly deleted: Y.Map<unknown>
  readonly reactions: Y.Map<unknown>
  readonly receipts: Y.Map<unknown>
  readonly members: Y.Map<unknown>
  readonly meta: Y.Map<unknown>
}

/** Gets (creating if needed) the shared types of `doc`. */
export function docRoots(doc: Y.Doc): DocRoots {
  return {
    chunks: doc.getArray<Y.Array<unknown>>('chunks'),
    edits: doc.getMap('edits'),
    deleted: doc.getMap('deleted'),
    reactions: doc.getMap('reactions'),
    receipts: doc.getMap('receipts'),
    members: doc.getMap('members'),
    meta: doc.getMap('meta'),
  }
}

/**
 * Appends `record` to the last chunk, starting a new chunk when it is full (or is not a
 * Y.Array, which only a malformed remote update could cause). Call inside a transaction.
 * Concurrent appends by two replicas may overfill a chunk or start two; order does not depend
 * on positions, so both are harmless.
 */
export function appendRecord(chunks: Y.Array<Y.Array<unknown>>, record: MessageRecord): void {
  const last: unknown = chunks.length > 0 ? chunks.get(chunks.length - 1) : undefined
  let chunk: Y.Array<unknown>
  if (last instanceof Y.Array && last.length < CHUNK_SIZE) chunk = last
  else {
    chunk = new Y.Array<unknown>()
    chunks.insert(chunks.length, [chunk])
  }
  // `insert(length)` rather than `push`: see PERFORMANCE.md §7.2.
  chunk.insert(chunk.length, [record])
}

/**
 * Deletes the chunk entries that are `record` (by identity, else by id and stamp), scanning
 * from the newest chunk since recent messages are the likeliest to be deleted. Call inside a
 * transaction. Returns how many entries were deleted.
 */
export function deleteRecord(chunks: Y.Array<Y.Array<unknown>>, record: MessageRecord): number {
  let deleted = 0
  for (let c = chunks.length - 1; c >= 0; c--) {
    const chunk: unknown = chunks.get(c)
    if (!(chunk instanceof Y.Array)) continue
    const entries = chunk.toArray()
    for (let k = entries.length - 1; k >= 0; k--) {
      const entry: unknown = entries[k]
      if (
        entry === record ||
        (isRecordLike(entry) && entry.i === record.i && entry.h === record.h)
      ) {
        chunk.delete(k, 1)
        deleted++
      }
    }
    if (deleted > 0) return deleted
  }
  return deleted
}

function isRecordLike(value: unknown): value is { i: unknown; h: unknown } {
  return typeof value === 'object' && value !== null && 'i' in value && 'h' in value
}
