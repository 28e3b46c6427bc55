// What storage holds of one hot conversation, kept by the write path (LocalStore) beside the
// session: the state vector of the stored document (the next log row is the diff from it), the
// log's size since the snapshot (drives compaction), and the local changes whose commit failed (saved again by `retry` or, for the log, by the next commit).
import type { MessageId } from '../ids.js'
import { STORAGE_ORIGIN } from '../transaction-origin.js'
import type { ConversationSession } from './conversation-session.js'
import type { StorageAdapter } from '../ports/storage-adapter.js'
import type { LogKey, StoredDoc } from '../ports/storage-records.js'

/** A local change made in memory whose commit failed. */
export interface UnsavedChange {
  readonly update: Uint8Array
  readonly messageIds: readonly MessageId[]
}

/** A record computed for a commit, and what to remember once the commit is durable. */
export interface PendingRecord {
  readonly value: Uint8Array
  readonly committed: () => void
}

/** The durable state of one conversation. Create with {@link ConversationPersistence.restore}. */
export class ConversationPersistence {
  readonly session: ConversationSession
  /** State vector of what storage holds: the next log row is the document's diff from it. */
  #persistedSv: Uint8Array = new Uint8Array([0])
  /** Log rows written since the last snapshot, and their bytes (drive compaction). */
  #logRows = 0
  #logBytes = 0
  #snapshotBytes = 0
  /** Key of the newest log row known to be in the document. */
  #lastKey: LogKey | null = null
  #compacting = false
  readonly #unsaved: UnsavedChange[] = []

  private constructor(session: ConversationSession) {
    this.session = session
  }

  /**
   * Builds the session's document from what storage holds. Each row is applied on its own
   * (PERFORMANCE.md §8.3: never load a large log inside one Y transaction). Rows that fail
   * validation are skipped and reported by the document; they cannot take the rest down.
   */
  static restore(
    session: ConversationSession,
    stored: StoredDoc,
    outboxUpdates: readonly Uint8Array[],
  ): ConversationPersistence {
    const p = new ConversationPersistence(session)
    const { doc } = session
    for (const snapshot of stored.snapshots) doc.applyUpdate(snapshot.update, STORAGE_ORIGIN)
    for (const row of stored.log) doc.applyUpdate(row.update, STORAGE_ORIGIN)
    // Taken before the outbox is applied: a change found only in the outbox is then part of the
    // next log row, so it reaches the log too.
    p.#persistedSv = doc.encodeStateVector()
    // An adapter without atomic commits may hold a change only in the outbox (see
    // StorageCapabilities.atomicCommit); Yjs updates are idempotent, so applying them is safe.
    for (const update of outboxUpdates) doc.applyUpdate(update, STORAGE_ORIGIN)
    p.#logRows = stored.log.length
    p.#snapshotBytes = stored.snapshots.reduce((n, s) => n + s.update.byteLength, 0)
    p.#logBytes = stored.log.reduce((n, r) => n + r.update.byteLength, 0)
    p.#lastKey = stored.log.at(-1)?.key ?? null
    return p
  }

  /** Whether some local change failed to commit and was not saved again. */
  get hasUnsaved(): boolean {
    return this.#unsaved.length > 0
  }

  /** The unsaved changes (those carrying `messageId`, when given), oldest first. */
  unsaved(messageId?: MessageId): UnsavedChange[] {
    return this.#unsaved.filter((u) => messageId === undefined || u.messageIds.includes(messageId))
  }

  /** Keeps a local change whose commit failed. */
  keepUnsaved(update: Uint8Array, messageIds: readonly MessageId[]): void {
    this.#unsaved.push({ update, messageIds })
  }

  /** These unsaved changes are durable now. */
  saved(changes: readonly UnsavedChange[]): void {
    for (const change of changes) {
      const at = this.#unsaved.indexOf(change)
      if (at >= 0) this.#unsaved.splice(at, 1)
    }
  }

  /**
   * One log row per commit: the document's diff from what storage holds (every change applied
   * since, local or remote). A failed commit leaves the state vector behind, so the next commit
   * writes those changes again.
   */
  nextLogRow(): PendingRecord {
    const { doc } = this.session
    const value = doc.encodeStateAsUpdate(this.#persistedSv)
    const sv = doc.encodeStateVector()
    return {
      value,
      committed: () => {
        this.#persistedSv = sv
        this.#logBytes += value.byteLength
      },
    }
  }

  /** A commit appended `count` log rows, the last with `lastKey`. */
  appended(count: number, lastKey: LogKey | null): void {
    this.#logRows += count
    if (lastKey !== null) this.#lastKey = lastKey
  }

  /**
   * Folds the log into the snapshot when it is due: re-encode the document (never
   * `Y.mergeUpdates` over thousands of updates, PERFORMANCE.md §8.4) and trim the rows it
   * contains, in one transaction. Re-encoding a large document costs ~17 ms per MB, so a big
   * snapshot is rewritten only once the log is a fair share of it (or far past the row bound).
   * Returns the compaction's promise, or `undefined` when none is due or one is running.
   */
  compactIfDue(storage: StorageAdapter, compactAfter: number): Promise<void> | undefined {
    const rowsDue = this.#logRows >= compactAfter
    const bytesDue = this.#logBytes * 8 >= this.#snapshotBytes
    const due = (rowsDue && bytesDue) || this.#logRows >= compactAfter * 4
    if (!due || this.#compacting || this.#lastKey === null) return undefined
    this.#compacting = true
    const rows = this.#logRows
    const snapshot = this.session.doc.encodeStateAsUpdate()
    return storage
      .compact(this.session.id, { snapshot, upTo: this.#lastKey })
      .then(() => {
        this.#logRows -= rows
        this.#logBytes = 0
        this.#snapshotBytes = snapshot.byteLength
      })
      .finally(() => {
        this.#compacting = false
      })
  }
}
