// The engine's SyncDocuments: ServerSync's view of the hot sessions and the write path. Server
// updates are applied to the session's document and stored with the cursor in one commit.
import type { ConversationId } from '../ids.js'
import type { TransactionOrigin } from '../transaction-origin.js'
import type { StorageAdapter } from '../ports/storage-adapter.js'
import type { ConversationSession } from './conversation-session.js'
import type { HotSessions } from './hot-sessions.js'
import type { LocalStore } from './local-store.js'
import type { SyncDocuments } from './sync-documents.js'

/** The origin of every update that came from the server's log. */
const SERVER_ORIGIN: TransactionOrigin = Object.freeze({ source: 'remote', peer: 'server' })

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
): SyncDocuments {
  const session = (id: ConversationId): Promise<ConversationSession> | ConversationSession =>
    hot.get(id) ?? open(id)
  const documents: SyncDocuments = {
    open,
    meta: async (id) => (await session(id)).doc.meta(),
    encodeState: async (id) => (await session(id)).doc.encodeStateAsUpdate(),
    applyRemote(id, updates, cursor) {
      const hotSession = hot.get(id)
      // Evicted since the pull began: hydrate it again rather than lose the page.
      if (hotSession === undefined)
        return open(id).then(() => documents.applyRemote(id, updates, cursor))
      const { doc } = hotSession
      const applied = updates.filter((u) => doc.applyUpdate(u, SERVER_ORIGIN).ok)
      return store.writeRemote(id, applied, cursor)
    },
    saveCursor: (id, cursor) => store.writeRemote(id, [], cursor),
    loadCursor: (id) => storage.getCursor(id),
  }
  return documents
}
