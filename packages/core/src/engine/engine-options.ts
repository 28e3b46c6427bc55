import type { ConversationId, UserId } from '../ids.js'
import type { RemoteLog } from './remote-log.js'
import type { ServerSyncOptions } from './server-sync.js'
import type { StorageAdapter } from './storage-adapter.js'
import type { Transport } from './transport.js'

/** Options of `Engine.open`. */
export interface EngineOptions {
  /** Where everything is kept. The engine is its only writer (one engine per browser). */
  storage: StorageAdapter
  /** The signed-in user; author of every local change. */
  user: UserId | string
  /**
   * Live transports: other tabs (BroadcastChannel), other devices (Supabase Realtime). Updates
   * that arrive on one are relayed to the others. Default: none (a single-tab, offline engine).
   */
  transports?: readonly Transport[]
  /**
   * The server's durable log (e.g. `createSupabaseRemoteLog`): the outbox is pushed to it and
   * conversations catch up from it. The engine closes it. Default: none (local only).
   */
  remote?: RemoteLog
  /** Push backoff and pull paging. */
  serverSync?: ServerSyncOptions
  /** Delay before a device marks newly received messages delivered (batches receipts). Default 100 ms. */
  deliveredDelayMs?: number
  /** The user's display name, recorded with the user's membership so other devices can show it. */
  displayName?: string
  /** Conversations kept hydrated in memory; the least recently used idle one is closed beyond it. Default 16. */
  maxOpenConversations?: number
  /** Log rows after which a conversation is compacted into its snapshot (PERFORMANCE T18). Default 500. */
  compactAfter?: number
  /** Messages in the tail record and in `ConversationState.page`. Default 50. */
  tailSize?: number
  /** Wall clock (ms). Default `Date.now`. */
  wallClock?: () => number
  /** Bound on how far ahead of local time a remote clock stamp is trusted. Default 60 s. */
  maxDriftMs?: number
  /** How long a `setTyping(true)` lasts without being renewed. Default 5,000 ms. */
  typingTimeoutMs?: number
  /** New conversation ids. Default `crypto.randomUUID()`. */
  newConversationId?: () => ConversationId
  /** Non-fatal errors (invalid input from peers, failed compaction…). Default: ignored after logging nothing. */
  onError?: (error: unknown) => void
}
