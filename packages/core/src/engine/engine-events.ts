import type { ConversationId, MessageId } from '../ids.js'
import type { MessageFailure, SyncStatus } from './engine-types.js'
import type { RejectedUpdate } from './replica-trust.js'

/** Events of the `Engine`: kebab-case names, one payload object each. */
export interface EngineEvents {
  /**
   * Something visible in a conversation changed (messages, statuses, receipts, meta, presence).
   * Coalesced per task: a burst of changes is one event.
   */
  'conversation-changed': { conversationId: ConversationId }
  /** The conversation list changed (a new conversation, a new last message, unread counts). */
  'index-changed': { conversationIds: readonly ConversationId[] }
  /** Local changes could not be made durable or were rejected; their messages are `failed`. */
  'message-failed': {
    conversationId: ConversationId
    messageIds: readonly MessageId[]
    failure: MessageFailure
  }
  /**
   * An update from another device was refused (docs/TRUST.md): bad signature, unknown device, not
   * a member, or a change its sender may not make. Nothing of it was applied.
   */
  rejected: RejectedUpdate
  /** Pending/unsaved/failed counts or connectivity changed. */
  'sync-status': { status: SyncStatus }
  /** A non-fatal error (also passed to `EngineOptions.onError`). */
  error: { error: unknown }
}
