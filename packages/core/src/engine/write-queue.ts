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

/**
 * Optional batching hooks. Without them every queued update is its own log row and every outbox
 * entry its own record; with them a commit writes one log row and one outbox entry per
 * conversation (PERFORMANCE.md §8.3: few large records; per-record cost dominates a burst).
 */
export interface WriteQueueHooks {
  /** The log rows for a conversation's queued updates, and what to do once they are durable. */
  collapse?: (
    conversationId: ConversationId,
    updates: readonly Uint8Array[],
  ) => { rows: Uint8Array[]; committed?: () => void }
  /** One outbox entry standing for a commit's entries of a conversation, and what to do once durable. */
  mergeOutbox?: (
    conversationId: ConversationId,
    entries: readonly NewOutboxEntry[],
  ) => { entry: NewOutboxEntry; committed?: () => void }
}

/** What a committed batch reports back per conversation. */
export interface CommittedBatch {
  /** Per conversation: how many updates were appended and the key of the last one. */
  appended: Map<ConversationId, { count: number; lastKey: LogKey | null }>
  /** Per conversation, how many outbox entries the commit wrote. */
  outboxWritten: Map<ConversationId, number>
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
  readonly #hooks: WriteQueueHooks
  #pending: Pending | undefined
  #inFlight: Promise<void> | undefined
  #scheduled = false

  constructor(
    storage: StorageAdapter,
    derive: DerivedRecords,
    onCommitted: (batch: CommittedBatch) => void,
    hooks: WriteQueueHooks = {},
  ) {
    this.#storage = storage
    this.#derive = derive
    this.#onCommitted = onCommitted
    this.#hooks = hooks
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
      else this.#flush()
    }
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight) return
    this.#scheduled = true
    // A task, not a microtask and not a timer: a lone send pays no clamped timer delay, the
    // change notifications of the current task (tabs' views) go out before the commit is built,
    // and sends made in back-to-back tasks (a burst of tab messages) share one transaction.
    nextTask(() => {
      this.#scheduled = false
      this.#flush()
    })
  }

  #flush(): void {
    const batch = this.#pending
    if (!batch || this.#inFlight) return
    this.#pending = undefined
    const order = [...batch.changes.keys()]
    const rowCounts = new Map<ConversationId, number>()
    const outboxCounts = new Map<ConversationId, number>()
    const committed: (() => void)[] = []
    const writes: ConversationWrite[] = order.map((conversationId) => {
      const change = batch.changes.get(conversationId)!
      let rows: readonly Uint8Array[] = change.updates
      if (this.#hooks.collapse && change.updates.length > 0) {
        const collapsed = this.#hooks.collapse(conversationId, change.updates)
        rows = collapsed.rows
        if (collapsed.committed) committed.push(collapsed.committed)
      }
      rowCounts.set(conversationId, rows.length)
      let outbox: readonly NewOutboxEntry[] = change.outbox
      if (this.#hooks.mergeOutbox && change.outbox.length > 0) {
        const merged = this.#hooks.mergeOutbox(conversationId, change.outbox)
        outbox = [merged.entry]
        if (merged.committed) committed.push(merged.committed)
      }
      outboxCounts.set(conversationId, outbox.length)
      return {
        conversationId,
        ...(rows.length > 0 ? { updates: rows } : {}),
        ...(outbox.length > 0 ? { outbox } : {}),
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
            appended.set(id, { count: rowCounts.get(id) ?? 0, lastKey: result.lastKeys[i] ?? null })
          })
          for (const done of committed) done()
          this.#onCommitted({ appended, outboxWritten: outboxCounts })
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

/** Runs `fn` in a new task: MessageChannel where it exists (no timer clamping), else setTimeout. */
function nextTask(fn: () => void): void {
  channel ??= createTaskChannel()
  if (channel === null) {
    setTimeout(fn, 0)
    return
  }
  tasks.push(fn)
  channel.port2.postMessage(null)
}

/** The part of MessageChannel used here (core has no DOM types; Node and browsers both have it). */
interface TaskPort {
  onmessage: ((event: unknown) => void) | null
  postMessage(message: unknown): void
  unref?: () => void
}
interface TaskChannel {
  port1: TaskPort
  port2: TaskPort
}

const tasks: (() => void)[] = []
let channel: TaskChannel | null | undefined

function createTaskChannel(): TaskChannel | null {
  const Channel = (globalThis as unknown as { MessageChannel?: new () => TaskChannel })
    .MessageChannel
  if (Channel === undefined) return null
  const created = new Channel()
  created.port1.onmessage = () => tasks.shift()?.()
  // Node keeps a process alive while a port listens; the queue must not.
  created.port1.unref?.()
  created.port2.unref?.()
  return created
}
