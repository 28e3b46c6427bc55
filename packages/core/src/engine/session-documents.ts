// The engine's SyncDocuments: ServerSync's view of the hot sessions and the write path. Log rows
// pass the trust's gate (which applies and queues what is allowed) and are stored with the cursor
// in one commit; a snapshot comes from the trusted compactor and is applied as it is.
import type { ConversationId } from '../ids.js'
import type { TransactionOrigin } from '../transaction-origin.js'
import type { StorageAdapter } from '../ports/storage-adapter.js'
import type { ConversationSession } from './conversation-session.js'
import type { HotSessions } from './hot-sessions.js'
import type { LocalStore } from './local-store.js'
import type { ReplicaTrust } from './replica-trust.js'
import type { SyncDocuments } from './sync-documents.js'

/** The origin of every update that came from the server's log. */
export const SERVER_ORIGIN: TransactionOrigin = Object.freeze({ source: 'remote', peer: 'server' })

/**
 * SyncDocuments over the hot sessions (`open` hydrates a cold one) and the write path. `open`
 * hands back the hydration's own promise: a pull continues in the same microtask as before the
 * port existed, so a page applied right after hydration is seen by the next reader at once.
 */
export function createSessionDocuments(
  open: (id: ConversationId) => Promise<ConversationSession>,
  hot: HotSessions,
  store: LocalStore,
  storage: StorageAdapter,
  trust: ReplicaTrust,
): SyncDocuments {
  const session = (id: ConversationId): Promise<ConversationSession> | ConversationSession =>
    hot.get(id) ?? open(id)
  const documents: SyncDocuments = {
    open,
    meta: async (id) => (await session(id)).doc.meta(),
    encodeState: async (id) => (await session(id)).doc.encodeStateAsUpdate(),
    async applyRemote(id, rows, cursor) {
      // Evicted since the pull began: hydrate it again rather than lose the page.
      const hotSession = hot.get(id) ?? (await open(id))
      const limit = await trust.admitLog(hotSession, rows)
      const saved = limit < cursor.seq ? { ...cursor, seq: Math.max(0, limit) } : cursor
      // Accepted rows were queued for storage as they were applied; the cursor joins that commit.
      await store.writeRemote(id, [], saved)
      return saved
    },
    applySnapshot(id, state, cursor) {
      const hotSession = hot.get(id)
      if (hotSession === undefined)
        return open(id).then(() => documents.applySnapshot(id, state, cursor))
      const applied = hotSession.doc.applyUpdate(state, SERVER_ORIGIN).ok
      return store.writeRemote(id, applied ? [state] : [], cursor)
    },
    saveCursor: (id, cursor) => store.writeRemote(id, [], cursor),
    loadCursor: (id) => storage.getCursor(id),
  }
  return documents
}
