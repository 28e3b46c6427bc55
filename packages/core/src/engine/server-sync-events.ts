// What ServerSync reports to its owner. The engine turns these into message statuses, channel
// joins and sync-status events; ServerSync never calls into the engine.
import type { ConversationId } from '../ids.js'
import type { MessageFailure } from './engine-types.js'
import type { OutboxEntry } from '../ports/storage-records.js'

/** Events of `ServerSync`: kebab-case names, one payload object each. */
export interface ServerSyncEvents {
  /** The server holds these entries now (they are gone from the outbox). */
  acknowledged: { conversationId: ConversationId; entries: readonly OutboxEntry[] }
  /** The server refused these entries for good (kept in the outbox, failed with `failure`). */
  rejected: {
    conversationId: ConversationId
    entries: readonly OutboxEntry[]
    failure: MessageFailure
  }
  /** The server has just created a conversation made here: live channels may be joined now. */
  created: { conversationId: ConversationId }
  /** A push or pull started or stopped, or connectivity changed. */
  'status-changed': { online: boolean; busy: boolean }
  /** A non-fatal failure (a push to retry, a pull that failed, the remote log's own errors). */
  error: { error: unknown }
}
