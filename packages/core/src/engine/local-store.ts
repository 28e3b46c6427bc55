// The write path: every change of a hot conversation goes to storage through here. It owns the
// group commit (changes made in the same task share one storage transaction, and while a commit is
// in flight the next batch gathers: PERFORMANCE.md, one IDB transaction ≈ 0.45 ms, and 100 records
// per transaction give ~8× the throughput of one each), what storage holds of each conversation
// (ConversationPersistence), one log row and one outbox entry per conversation per commit, the
// derived records (tail, index entry), and compaction. Callers get the commit's promise; what the
// engine must react to (a commit, a failed commit) is reported as typed events.
import * as Y from 'yjs'
import { Emitter, type Listener } from '../emitter.js'
import type { ConversationId, MessageId } from '../ids.js'
import { indexEntryOf } from './conversation-index.js'
import { ConversationPersistence, type UnsavedChange } from './conversation-persistence.js'
import type { ConversationSession } from './conversation-session.js'
import { nextTask } from './next-task.js'
import type { Outbox } from './outbox.js'
import type { OutboxMeta } from './outbox-entry.js'
import type { ConversationWrite, StorageAdapter } from '../ports/storage-adapter.js'
import type { NewOutboxEntry, OutboxEntry, StoredDoc } from '../ports/storage-records.js'

/** Options of {@link LocalStore}. */
export interface LocalStoreOptions {
  storage: StorageAdapter
  /** The outbox the commits add to (its counts move when a commit is durable). */
  outbox: Outbox
  /** Messages in a conversation's tail record. */
  tailSize: number
  /** Log rows after which a conversation is compacted into its snapshot. */
  compactAfter: number
  /** Wall clock (ms), for outbox entries' `createdAt`. */
  wallClock: () => number
}

/** Events of {@link LocalStore}. */
export interface LocalStoreEvents {
  /** A commit is durable: these conversations' index entries changed; it added outbox entries. */
  committed: { conversationIds: readonly ConversationId[]; outboxEntries: number }
  /**
   * A commit with local changes of a conversation failed: they are kept as unsaved (see `retry`),
   * their messages are to be shown `failed`. Emitted before the commit's promise rejects.
   */
  'write-failed': {
    conversationId: ConversationId
    messageIds: readonly MessageId[]
    error: unknown
  }
  /** A failure that belongs to no caller (a compaction). */
  error: { error: unknown }
}

/** What storage holds of a conversation, as `load` reads it. */
export interface LoadedConversation {
  stored: StoredDoc
  /** The conversation's outbox entries (refused ones included). */
  outbox: OutboxEntry[]
}

/** The changes of one conversation gathered for the next commit. */
interface GatheredChanges {
  /** Every update, local or remote, in order (the log rows of a conversation not attached). */
  updates: Uint8Array[]
  /** New local changes and their message ids, in order (kept as unsaved if the commit fails). */
  local: Uint8Array[]
  localIds: (readonly MessageId[])[]
  /** Unsaved changes written again by `retry`. */
  retried: UnsavedChange[]
  /** `createdAt` of the outbox entry (the first local change's time). */
  createdAt: number | undefined
  cursor: { value: unknown } | undefined
}

interface Batch {
  changes: Map<ConversationId, GatheredChanges>
  /** Changes queued: `syncStatus().unsaved`. */
  size: number
  /** Settles with the batch's commit: one promise for every change in it. */
  done: Promise<void>
  resolve: () => void
  reject: (error: unknown) => void
}

/**
 * The engine's write path. `write` and `writeRemote` resolve when the change is durable and reject
 * with the storage's error otherwise. Commits run one at a time, in order, so the log order equals
 * the order of the calls.
 */
export class LocalStore {
  readonly #storage: StorageAdapter
  readonly #outbox: Outbox
  readonly #tailSize: number
  readonly #compactAfter: number
  readonly #wallClock: () => number
  readonly #events = new Emitter<LocalStoreEvents>()
  readonly #attached = new Map<ConversationId, ConversationPersistence>()
  #pending: Batch | undefined
  #inFlight: Promise<void> | undefined
  #scheduled = false

  constructor(options: LocalStoreOptions) {
    this.#storage = options.storage
    this.#outbox = options.outbox
    this.#tailSize = options.tailSize
    this.#compactAfter = options.compactAfter
    this.#wallClock = options.wallClock
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends keyof LocalStoreEvents>(
    event: E,
    listener: Listener<LocalStoreEvents, E>,
  ): () => void {
    return this.#events.on(event, listener)
  }

  /** Number of changes waiting for a commit (not yet durable). */
  get waiting(): number {
    return this.#pending?.size ?? 0
  }

  /** Reads what storage holds of a conversation: its document and its outbox entries. */
  async load(id: ConversationId): Promise<LoadedConversation> {
    const [stored, outbox] = await Promise.all([
      this.#storage.loadDoc(id),
      this.#outbox.forConversation(id),
    ])
    return { stored, outbox }
  }

  /**
   * Builds a new session's document from what `load` read and tracks it: from now on its changes
   * are written as one diff row and one outbox entry per commit, with its tail and index entry.
   */
  attach(session: ConversationSession, loaded: LoadedConversation): void {
    const updates = loaded.outbox.map((e) => e.update)
    this.#attached.set(session.id, ConversationPersistence.restore(session, loaded.stored, updates))
  }

  /** Stops tracking a conversation (evicted or left). Its queued changes are still committed. */
  detach(id: ConversationId): void {
    this.#attached.delete(id)
  }

  /** Whether closing the conversation now could lose a change (unsaved, or a commit gathering). */
  busy(id: ConversationId): boolean {
    return this.#attached.get(id)?.hasUnsaved === true || this.waiting > 0
  }

  /** Queues a local change (it goes to the log and to the outbox); resolves once durable. */
  write(id: ConversationId, update: Uint8Array, messageIds: readonly MessageId[]): Promise<void> {
    const change = this.#gather(id)
    change.updates.push(update)
    change.local.push(update)
    change.localIds.push(messageIds)
    change.createdAt ??= this.#wallClock()
    return this.#queued()
  }

  /**
   * Queues remote updates (log only, never the outbox) and, when given, a new sync cursor, written
   * in the same transaction so the cursor never passes an update that is not stored.
   */
  writeRemote(id: ConversationId, updates: readonly Uint8Array[], cursor?: unknown): Promise<void> {
    const change = this.#gather(id)
    for (const update of updates) change.updates.push(update)
    if (cursor !== undefined) change.cursor = { value: cursor }
    return this.#queued()
  }

  /**
   * The commit that will make the changes of `id` queued so far durable, or `undefined` when none
   * is queued. An intent awaits it after running on the document.
   */
  settled(id: ConversationId): Promise<void> | undefined {
    const batch = this.#pending
    return batch !== undefined && batch.changes.has(id) ? batch.done : undefined
  }

  /**
   * Writes again the unsaved changes of a conversation (those of `messageId`, when given). Returns
   * `undefined` when there is none, else their message ids and the commit's promise.
   */
  retry(
    id: ConversationId,
    messageId?: MessageId,
  ): { messageIds: MessageId[]; committed: Promise<void> } | undefined {
    const unsaved = this.#attached.get(id)?.unsaved(messageId) ?? []
    if (unsaved.length === 0) return undefined
    const change = this.#gather(id)
    for (const u of unsaved) {
      change.updates.push(u.update)
      change.retried.push(u)
    }
    change.createdAt ??= this.#wallClock()
    return { messageIds: unsaved.flatMap((u) => u.messageIds), committed: this.#queued() }
  }

  /** Resolves when everything queued so far has been committed (or failed). */
  async drain(): Promise<void> {
    while (this.#pending !== undefined || this.#inFlight !== undefined) {
      if (this.#inFlight) await this.#inFlight
      else this.#flush()
    }
  }

  #gather(id: ConversationId): GatheredChanges {
    const batch = (this.#pending ??= newBatch())
    let change = batch.changes.get(id)
    if (change === undefined) {
      change = {
        updates: [],
        local: [],
        localIds: [],
        retried: [],
        createdAt: undefined,
        cursor: undefined,
      }
      batch.changes.set(id, change)
    }
    return change
  }

  #queued(): Promise<void> {
    const batch = this.#pending!
    batch.size++
    this.#schedule()
    return batch.done
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight) return
    this.#scheduled = true
    nextTask(() => {
      this.#scheduled = false
      this.#flush()
    })
  }

  #flush(): void {
    const batch = this.#pending
    if (!batch || this.#inFlight) return
    this.#pending = undefined
    const ids = [...batch.changes.keys()]
    const attached = ids.map((id) => this.#attached.get(id))
    const rowCounts: number[] = []
    const committed: (() => void)[] = []
    const writes = ids.map((id, i): ConversationWrite => {
      const change = batch.changes.get(id)!
      const persistence = attached[i]
      let rows: readonly Uint8Array[] = change.updates
      if (persistence !== undefined && rows.length > 0) {
        const row = persistence.nextLogRow()
        rows = [row.value]
        committed.push(row.committed)
      }
      rowCounts.push(rows.length)
      const outbox = hasOutbox(change) ? [this.#outboxEntry(id, change)] : []
      return {
        conversationId: id,
        ...(rows.length > 0 ? { updates: rows } : {}),
        ...(outbox.length > 0 ? { outbox } : {}),
        ...(change.cursor !== undefined ? { cursor: change.cursor.value } : {}),
        ...(persistence !== undefined
          ? {
              tail: persistence.session.tail(this.#tailSize),
              indexEntry: indexEntryOf(persistence.session),
            }
          : {}),
      }
    })
    this.#inFlight = this.#storage
      .commit(writes)
      .then(
        (result) => {
          for (const done of committed) done()
          let outboxEntries = 0
          ids.forEach((id, i) => {
            const change = batch.changes.get(id)!
            const persistence = attached[i]
            if (hasOutbox(change)) {
              this.#outbox.added(id, 1)
              outboxEntries++
            }
            persistence?.saved(change.retried)
            if (persistence === undefined || rowCounts[i] === 0) return
            persistence.appended(rowCounts[i]!, result.lastKeys[i] ?? null)
            persistence
              .compactIfDue(this.#storage, this.#compactAfter)
              ?.catch((error: unknown) => this.#events.emit('error', { error }))
          })
          this.#events.emit('committed', { conversationIds: ids, outboxEntries })
          batch.resolve()
        },
        (error: unknown) => {
          ids.forEach((id, i) => {
            const change = batch.changes.get(id)!
            if (!hasOutbox(change)) return
            change.local.forEach((u, k) => attached[i]?.keepUnsaved(u, change.localIds[k]!))
            const messageIds = allMessageIds(change)
            this.#events.emit('write-failed', { conversationId: id, messageIds, error })
          })
          batch.reject(error)
        },
      )
      .finally(() => {
        this.#inFlight = undefined
        if (this.#pending) this.#schedule()
      })
  }

  /**
   * One outbox entry standing for a commit's local changes of a conversation: the merge of the
   * local transactions' own updates (never a diff of the document, whose delete set would carry
   * other members' deletions, which the trust rules refuse from us: docs/TRUST.md). A commit's
   * updates are a few hundred small ones at most, where mergeUpdates is cheap (PERFORMANCE.md
   * warns about thousands).
   */
  #outboxEntry(id: ConversationId, change: GatheredChanges): NewOutboxEntry {
    const update = Y.mergeUpdates([...change.local, ...change.retried.map((u) => u.update)])
    const meta: OutboxMeta = { messageIds: allMessageIds(change) }
    return {
      id: globalThis.crypto.randomUUID(),
      conversationId: id,
      update,
      createdAt: change.createdAt ?? this.#wallClock(),
      meta,
    }
  }
}

function newBatch(): Batch {
  let resolve!: () => void
  let reject!: (error: unknown) => void
  const done = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  // Awaited by the intents; when nobody does (a receipt, a remote update), failures are reported
  // through `write-failed` and the callers' own handlers, never as an unhandled rejection.
  done.catch(() => undefined)
  return { changes: new Map(), size: 0, done, resolve, reject }
}

function hasOutbox(change: GatheredChanges): boolean {
  return change.local.length > 0 || change.retried.length > 0
}

function allMessageIds(change: GatheredChanges): MessageId[] {
  const ids: MessageId[] = []
  for (const list of change.localIds) for (const m of list) ids.push(m)
  for (const u of change.retried) for (const m of u.messageIds) ids.push(m)
  return ids
}
