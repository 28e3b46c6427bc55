// The documents as ServerSync sees them: it reads a conversation's meta and state, applies what
// the server sends, and moves the cursor. The engine implements it over its sessions and the
// write path; tests may implement it over plain Y.Docs.
import type { ConversationId } from '../ids.js'
import type { ConversationMeta } from '../message-view.js'
import type { RemoteUpdate } from '../ports/remote-log.js'
import type { SyncCursor } from './sync-cursor.js'

/**
 * The documents port of {@link ServerSync}.
 *
 * Contract: `open` hydrates a cold conversation and resolves once it is in memory (it may reject
 * with the storage's error); the other document methods open it too when it is cold.
 * `applyRemote` and `applySnapshot` apply server updates to the document and store them with the
 * cursor in one commit, resolving once durable; refused updates are skipped (and reported) while
 * the cursor still moves, since the server will not send them again.
 * `saveCursor` is ordered after every write queued before it and resolves once durable;
 * `loadCursor` reads the stored cursor (`undefined` when none).
 */
export interface SyncDocuments {
  open(id: ConversationId): Promise<unknown>
  /** Title and kind, to create the conversation on the server. */
  meta(id: ConversationId): Promise<ConversationMeta>
  /** The whole state (`Y.encodeStateAsUpdate`), for a snapshot. */
  encodeState(id: ConversationId): Promise<Uint8Array>
  /**
   * Judges a page of log rows through the rules (docs/TRUST.md), applies what passes and stores
   * it with the cursor; resolves with the cursor stored, which stays below a row still waiting
   * for its dependencies (so it is pulled again).
   */
  applyRemote(
    id: ConversationId,
    rows: readonly RemoteUpdate[],
    cursor: SyncCursor,
  ): Promise<SyncCursor>
  /** Applies a snapshot of the trusted compactor and stores it with the cursor. */
  applySnapshot(id: ConversationId, state: Uint8Array, cursor: SyncCursor): Promise<void>
  saveCursor(id: ConversationId, cursor: SyncCursor): Promise<void>
  loadCursor(id: ConversationId): Promise<unknown>
}
