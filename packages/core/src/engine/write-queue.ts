// Group commit for the engine's writes. Changes made in the same task are written in one storage
// transaction (PERFORMANCE.md: one IDB transaction ≈ 0.45 ms; 100 records per transaction give
// ~8× the throughput of one each), and while a commit is in flight the next batch gathers. Every
// caller's promise settles with its own batch's commit: resolved when durable, rejected with the
// storage error otherwise.
import type { ConversationId } from '../ids.js'
import type { CommitResult, ConversationWrite, StorageAdapter } from './storage-adapter.js'
import type { LogKey, NewOutboxEntry } from './storage-records.js'

/** One change handed to the queue. */
export interface QueuedChange {
  conversationId: ConversationId
  /** Yjs updates for the conversation's log. */
  updates: readonly Uint8Array[]
  /** Outbox entries (local changes only). */
  outbox?: readonly NewOutboxEntry[]
  /** A new sync cursor, written with the updates so it never passes an update not stored. */
  cursor?: unknown
}

/** Builds the derived records (tail, index entry) of a conversation at commit time. */
export type DerivedRecords = (
  conversationId: ConversationId,
) => Pick<ConversationWrite, 'tail' | 'indexEntry'>

/** What a committed batch reports back per conversation. */
export interface CommittedBatch {
  /** Per conversation: how many updates were appended and the key of the last one. */
  appended: Map<ConversationId, { count: number; lastKey: LogKey | null }>
}

interface Pending {
  changes: Map<
    ConversationId,
    { updates: Uint8Array[]; outbox: NewOutboxEntry[]; cursor?: { value: unknown } }
  >
  waiters: { resolve: () => void; reject: (error: unknown) => void }[]
}

/**
 * Coalesces changes into storage commits. `enqueue` resolves when the change is durable. Commits
 * run one at a time, in order, so the log order equals the enqueue order.
 */
export class WriteQueue {
  readonly #storage: StorageAdapter
  readonly #derive: DerivedRecords
  readonly #onCommitted: (batch: CommittedBatch) => void
  #pending: Pending | undefined
  #inFlight: Promise<void> | undefined
  #scheduled = false

  constructor(
    storage: StorageAdapter,
    derive: DerivedRecords,
    onCommitted: (batch: CommittedBatch) => void,
  ) {
    this.#storage = storage
    this.#derive = derive
    this.#onCommitted = onCommitted
  }

  /** Number of changes waiting for a commit (not yet durable). */
  get waiting(): number {
    return this.#pending?.waiters.length ?? 0
  }

  /** Queues a change; resolves once it is durable, rejects with the storage error otherwise. */
  enqueue(change: QueuedChange): Promise<void> {
    const pending: Pending = (this.#pending ??= { changes: new Map(), waiters: [] })
    let entry = pending.changes.get(change.conversationId)
    if (!entry) pending.changes.set(change.conversationId, (entry = { updates: [], outbox: [] }))
    entry.updates.push(...change.updates)
    if (change.outbox) entry.outbox.push(...change.outbox)
    if (change.cursor !== undefined) entry.cursor = { value: change.cursor }
    const done = new Promise<void>((resolve, reject) => pending.waiters.push({ resolve, reject }))
    this.#schedule()
    return done
  }

  /** Resolves when everything queued so far has been committed (or failed). */
  async drain(): Promise<void> {
    while (this.#pending !== undefined || this.#inFlight !== undefined) {
      if (this.#inFlight) await this.#inFlight
      else await new Promise<void>((resolve) => queueMicrotask(resolve))
    }
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight) return
    this.#scheduled = true
    // A microtask, not a timer: a lone send pays no delay, and sends made in the same task
    // (a burst, a Promise.all) share one transaction.
    queueMicrotask(() => {
      this.#scheduled = false
      this.#flush()
    })
  }

  #flush(): void {
    const batch = this.#pending
    if (!batch || this.#inFlight) return
    this.#pending = undefined
    const order = [...batch.changes.keys()]
    const writes: ConversationWrite[] = order.map((conversationId) => {
      const change = batch.changes.get(conversationId)!
      return {
        conversationId,
        ...(change.updates.length > 0 ? { updates: change.updates } : {}),
        ...(change.outbox.length > 0 ? { outbox: change.outbox } : {}),
        ...(change.cursor !== undefined ? { cursor: change.cursor.value } : {}),
        ...this.#derive(conversationId),
      }
    })
    this.#inFlight = this.#storage
      .commit(writes)
      .then(
        (result: CommitResult) => {
          const appended = new Map<ConversationId, { count: number; lastKey: LogKey | null }>()
          order.forEach((id, i) => {
            appended.set(id, {
              count: batch.changes.get(id)!.updates.length,
              lastKey: result.lastKeys[i] ?? null,
            })
          })
          this.#onCommitted({ appended })
          for (const waiter of batch.waiters) waiter.resolve()
        },
        (error: unknown) => {
          for (const waiter of batch.waiters) waiter.reject(error)
        },
      )
      .finally(() => {
        this.#inFlight = undefined
        if (this.#pending) this.#schedule()
      })
  }
}
