// The storage contract of the engine. The adapter is dumb I/O; the policy (when to compact, what
// goes into the tail, how to retry the outbox) lives in the engine. See docs/STORAGE.md.
//
// Guarantees every adapter gives (the contract suite in @parley/testing checks them):
//
// - Settles: every returned promise settles. Failures reject with a `StorageError` (never a string,
//   never a platform error); nothing is dropped silently.
// - Durable on resolve: a write resolves only after it is committed (IndexedDB transaction
//   `complete`), so a tab killed after the promise resolved keeps the write.
// - Atomic: each method call is all-or-nothing — when it rejects, none of its writes is visible.
//   Adapters with `capabilities.atomicCommit === false` are the exception for `commit` across
//   records of different kinds; see `commit`.
// - Ordered: calls on one adapter take effect in call order; a read started after a write was
//   called sees that write (read-your-writes), even before the write's promise resolved.
// - Isolated: values are copied in and out; mutating an argument after the call settled, or a
//   result, does not change what is stored. Values must be structured-clone-able.
// - One writer: one adapter instance per database per browser (the engine's leader). Several
//   instances on the same database are safe for data but are not notified of each other's writes.
import type { ConversationId } from '../ids.js'
import type { StorageError } from './storage-error.js'
import type {
  ConversationIndexEntry,
  DeviceIdentity,
  LogKey,
  NewOutboxEntry,
  OutboxEntry,
  OutboxPatch,
  StoredDoc,
} from './storage-records.js'

/**
 * Everything one `commit` writes for one conversation. Every field but `conversationId` is
 * optional; the fields present are written together.
 */
export interface ConversationWrite {
  /** The conversation. */
  conversationId: ConversationId
  /** Yjs updates appended to the log of `segment`, in this order. */
  updates?: readonly Uint8Array[]
  /** Segment the `updates` belong to. Default 0. */
  segment?: number
  /**
   * Outbox entries added after every entry already in the outbox, in this order; `seq` and the
   * defaults (`attempts: 0`, `status: 'pending'`) are assigned. An id already in the outbox, or
   * twice in the batch, rejects the whole `commit` with `unknown`.
   */
  outbox?: readonly NewOutboxEntry[]
  /** Replaces the conversation's tail record (the last page of messages as plain data). */
  tail?: unknown
  /** Replaces the conversation's index entry; its `id` must equal `conversationId`. */
  indexEntry?: ConversationIndexEntry
  /** Replaces the conversation's sync cursor (opaque to the adapter). */
  cursor?: unknown
}

/** What `commit` resolves with. */
export interface CommitResult {
  /**
   * One per write, same order: the key of the last update that write appended, or `null` when it
   * appended none. The engine passes the highest key its document contains to `compact`.
   */
  lastKeys: (LogKey | null)[]
}

/** Arguments of `compact`. */
export interface Compaction {
  /** Segment whose snapshot is replaced. Default 0. */
  segment?: number
  /**
   * The new snapshot of the segment: the encoded state of a document that contains the old
   * snapshot and every log row up to `upTo` (it may contain more, never less).
   */
  snapshot: Uint8Array
  /**
   * Log rows of the segment with key ≤ `upTo` are deleted; later rows are kept. `null` deletes none
   * (e.g. the first snapshot of a document received from the server).
   */
  upTo: LogKey | null
}

/** Options of `listIndex`. */
export interface ListIndexOptions {
  /** At most this many entries. Default: all. */
  limit?: number
}

/** Options of `listOutbox`. */
export interface ListOutboxOptions {
  /** Only entries of this conversation. Default: all conversations. */
  conversationId?: ConversationId
  /** At most this many entries (the oldest). Default: all. */
  limit?: number
}

/** What an adapter can and cannot promise beyond the common contract. */
export interface StorageCapabilities {
  /**
   * True when `commit` writes every record of every conversation write in one transaction. False
   * (y-indexeddb keeps each document in its own database) means `commit` writes, in this order:
   * the outbox entries of the whole batch (one transaction), then the updates (one transaction per
   * document), then tails, index entries and cursors (one transaction). A crash in between leaves
   * an update only in the outbox, or a stale tail/cursor — never a lost write — so the engine must
   * apply pending outbox updates to a document it loads (harmless anyway: Yjs updates are
   * idempotent) and treat the tail and cursor as hints.
   */
  atomicCommit: boolean
}

/** Events of a {@link StorageAdapter}: asynchronous failures that belong to no call. */
export interface StorageAdapterEvents {
  /**
   * A failure outside any call: another tab upgraded the database (`version-change`), the browser
   * dropped the connection (`connection-lost`), a retry failed. Calls in flight reject on their own.
   */
  error: { error: StorageError }
  /** The adapter closed, by `close()` (no `error`) or because of a fatal failure (`error`). */
  closed: { error?: StorageError }
}

/** A listener of a {@link StorageAdapterEvents} event. Listeners must not throw. */
export type StorageAdapterListener<K extends keyof StorageAdapterEvents> = (
  payload: StorageAdapterEvents[K],
) => void

/**
 * Durable storage of one engine: per conversation a document (snapshots + bounded update log), a
 * tail record, an index entry and a sync cursor; plus the outbox, the device identity and a small
 * key-value store. See the header of this file for the guarantees every method gives.
 *
 * May fail: every method rejects with `StorageError` — `closed` after `close()` or after a fatal
 * `version-change`; `quota-exceeded` on writes; `connection-lost`, `blocked`, `corrupt`, `unknown`.
 */
export interface StorageAdapter {
  /** A short name for diagnostics and benchmarks, e.g. `'dexie'`, `'y-indexeddb'`, `'memory'`. */
  readonly kind: string
  /** What the adapter promises beyond the common contract. */
  readonly capabilities: StorageCapabilities
  /** True once the adapter is closed (by `close()` or by a fatal error). */
  readonly closed: boolean

  // ── documents ────────────────────────────────────────────────────────────────────────────────

  /**
   * Reads a conversation's snapshots and log. A conversation never written returns empty lists.
   * Reads one consistent state (one transaction per database).
   */
  loadDoc(conversationId: ConversationId): Promise<StoredDoc>

  /**
   * Atomically replaces the segment's snapshot and deletes its log rows with key ≤ `upTo`, in ONE
   * transaction: a crash leaves either the old snapshot and the whole log or the new snapshot and
   * the trimmed log. Rows appended after `upTo` are kept.
   */
  compact(conversationId: ConversationId, compaction: Compaction): Promise<void>

  // ── the atomic write path ────────────────────────────────────────────────────────────────────

  /**
   * Writes a batch of conversation writes — updates, outbox entries, tails, index entries, cursors
   * — in one transaction when `capabilities.atomicCommit` (then all or nothing), in array order.
   * The only way to add any of these records: the path of a local change ("durable before
   * `send()` resolves" costs one transaction) and of coalesced remote updates (updates + cursor
   * together, so the cursor never passes an update that is not stored). Batch many changes per
   * call for throughput.
   */
  commit(writes: readonly ConversationWrite[]): Promise<CommitResult>

  // ── tail and index (written by `commit`) ─────────────────────────────────────────────────────

  /** The conversation's tail record, or `undefined` if none was written. */
  getTail(conversationId: ConversationId): Promise<unknown>

  /** Index entries, newest `lastActivity` first (ties by id ascending). */
  listIndex(options?: ListIndexOptions): Promise<ConversationIndexEntry[]>

  // ── outbox (added by `commit`) ───────────────────────────────────────────────────────────────

  /** Entries in insertion order (`seq` ascending). */
  listOutbox(options?: ListOutboxOptions): Promise<OutboxEntry[]>
  /** Changes an entry's delivery fields; resolves `false` when no entry has that id. */
  updateOutbox(id: string, patch: OutboxPatch): Promise<boolean>
  /** Removes entries by id, atomically; unknown ids are ignored. */
  removeOutbox(ids: readonly string[]): Promise<void>

  // ── sync cursors (written by `commit`), device, kv ───────────────────────────────────────────

  /** The conversation's sync cursor, or `undefined`. */
  getCursor(conversationId: ConversationId): Promise<unknown>

  /**
   * This profile's device identity: created (random UUID) on the first call ever, then the same
   * value forever, across reopen. Concurrent first calls resolve with the same identity.
   */
  getOrCreateDevice(): Promise<DeviceIdentity>

  /** A small value of the engine's own (settings, leader bookkeeping), or `undefined`. */
  kvGet(key: string): Promise<unknown>
  /** Stores a small value; `undefined` deletes the key. */
  kvPut(key: string, value: unknown): Promise<void>

  // ── lifecycle ────────────────────────────────────────────────────────────────────────────────

  /**
   * Deletes everything of a conversation — document, tail, index entry, cursor and its outbox
   * entries — atomically when `capabilities.atomicCommit`.
   */
  deleteConversation(conversationId: ConversationId): Promise<void>

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof StorageAdapterEvents>(
    event: K,
    listener: StorageAdapterListener<K>,
  ): () => void

  /**
   * Closes the database after the calls already made settle. Idempotent: later calls resolve at
   * once. Every call made after `close()` rejects with `StorageError('closed')`.
   */
  close(): Promise<void>
}
