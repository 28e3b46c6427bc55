// The engine's outbox: the stored queue of local changes for the server, and the counts the engine
// reports without reading storage (pending for `syncStatus`, per conversation so hydration can skip
// an outbox query). The write path adds entries (one per conversation per commit); ServerSync
// removes, refuses or postpones them through the OutboxPort, and this object keeps the counts.
import type { ConversationId } from '../ids.js'
import type { MessageFailure } from './engine-types.js'
import type { OutboxPort } from './outbox-port.js'
import type { StorageAdapter } from '../ports/storage-adapter.js'
import type { OutboxEntry } from '../ports/storage-records.js'

/** The outbox over a storage adapter. Create it with the entries stored when the engine opens. */
export class Outbox implements OutboxPort {
  readonly #storage: StorageAdapter
  /** Stored entries per conversation (refused ones included). */
  readonly #byConversation = new Map<ConversationId, number>()
  /** Entries the server refused for good: kept (they carry the failure), not pending. */
  #rejected = 0

  constructor(storage: StorageAdapter, stored: readonly OutboxEntry[]) {
    this.#storage = storage
    for (const entry of stored) {
      if (entry.status === 'failed') this.#rejected++
      this.#count(entry.conversationId, 1)
    }
  }

  /** Entries waiting for the server: every stored entry but the refused ones. */
  get pending(): number {
    let total = 0
    for (const count of this.#byConversation.values()) total += count
    return Math.max(0, total - this.#rejected)
  }

  /**
   * The stored entries of one conversation. An indexed outbox query can be slow after many
   * deletions (tombstones), so it is skipped when the counts say there is none.
   */
  forConversation(id: ConversationId): Promise<OutboxEntry[]> {
    if ((this.#byConversation.get(id) ?? 0) === 0) return Promise.resolve([])
    return this.#storage.listOutbox({ conversationId: id })
  }

  /** A commit wrote `count` entries of a conversation (the write path calls it once durable). */
  added(id: ConversationId, count: number): void {
    this.#count(id, count)
  }

  list(options: { limit: number }): Promise<OutboxEntry[]> {
    return this.#storage.listOutbox(options)
  }

  async acknowledge(entries: readonly OutboxEntry[]): Promise<void> {
    await this.#storage.removeOutbox(entries.map((e) => e.id))
    for (const entry of entries) this.#count(entry.conversationId, -1)
  }

  async reject(entries: readonly OutboxEntry[], failure: MessageFailure): Promise<void> {
    await Promise.all(
      entries.map((e) => this.#storage.updateOutbox(e.id, { status: 'failed', error: failure })),
    )
    this.#rejected += entries.length
  }

  async postpone(
    entries: readonly OutboxEntry[],
    next: { attempts: number; nextAttemptAt: number },
  ): Promise<void> {
    await Promise.all(entries.map((e) => this.#storage.updateOutbox(e.id, next)))
  }

  #count(id: ConversationId, delta: number): void {
    this.#byConversation.set(id, Math.max(0, (this.#byConversation.get(id) ?? 0) + delta))
  }
}
