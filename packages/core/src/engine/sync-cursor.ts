// A conversation's sync cursor: how far this device holds the server's log, and whether the server
// knows the conversation. Stored with the updates it covers (one commit), cached in memory.
import type { ConversationId } from '../ids.js'
import type { SyncDocuments } from './sync-documents.js'

/** What the engine stores as a conversation's sync cursor. */
export interface SyncCursor {
  /** Highest server seq applied locally. */
  seq: number
  /** Whether the server knows the conversation (created by us, or joined). */
  known: boolean
}

/** Reads a stored cursor back (storage is untrusted across versions). */
export function readSyncCursor(value: unknown): SyncCursor {
  if (typeof value !== 'object' || value === null) return { seq: 0, known: false }
  const v = value as Partial<SyncCursor>
  return {
    seq: typeof v.seq === 'number' && v.seq >= 0 ? v.seq : 0,
    known: v.known === true,
  }
}

/** ServerSync's cursors: read once from storage, then kept in memory and written through. */
export class SyncCursors {
  readonly #documents: SyncDocuments
  readonly #cursors = new Map<ConversationId, SyncCursor>()

  constructor(documents: SyncDocuments) {
    this.#documents = documents
  }

  /** The cursor in memory, without reading storage. */
  peek(id: ConversationId): SyncCursor | undefined {
    return this.#cursors.get(id)
  }

  /** The cursor, read from storage the first time. */
  async get(id: ConversationId): Promise<SyncCursor> {
    const cached = this.#cursors.get(id)
    if (cached) return cached
    const stored = readSyncCursor(await this.#documents.loadCursor(id))
    // Another call may have filled it meanwhile; keep the newer one.
    const again = this.#cursors.get(id)
    if (again) return again
    this.#cursors.set(id, stored)
    return stored
  }

  /** Remembers a cursor already stored (with the updates it covers). */
  set(id: ConversationId, cursor: SyncCursor): void {
    this.#cursors.set(id, cursor)
  }

  /** Remembers a cursor and stores it, after every write queued before it. */
  async save(id: ConversationId, cursor: SyncCursor): Promise<void> {
    this.#cursors.set(id, cursor)
    await this.#documents.saveCursor(id, cursor)
  }
}
