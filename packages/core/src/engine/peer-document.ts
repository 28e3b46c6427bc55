// A conversation as PeerSync sees it: a document it can read and apply updates to, and the
// awareness it relays. `ConversationSession` is one; tests may build one over a plain document.
import type { Awareness } from 'y-protocols/awareness'
import type { ConversationDoc } from '../conversation-doc.js'
import type { ConversationId } from '../ids.js'

/** What PeerSync reads and writes of a joined conversation. */
export interface PeerDocument {
  readonly id: ConversationId
  /** Applies validated remote updates (never throws) and encodes state for sync replies. */
  readonly doc: Pick<ConversationDoc, 'applyUpdate' | 'encodeStateAsUpdate' | 'encodeStateVector'>
  readonly awareness: Awareness
}

/** Events of `PeerSync`: kebab-case names, one payload object each. */
export interface PeerSyncEvents {
  /** A peer's update was applied to a joined document: it is to be stored. */
  received: { conversationId: ConversationId; update: Uint8Array }
  /** Presence or typing changed in a joined conversation (local or remote awareness). */
  'presence-changed': { conversationId: ConversationId }
  /** A transport failed, or a peer sent an awareness update that could not be applied. */
  error: { error: unknown }
}
