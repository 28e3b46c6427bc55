// The engine's outward voice: its typed events, with the coalescing and counting they need. It
// owns the failed-message count and the per-task coalescing of `conversation-changed`, so the
// engine and its wiring only say what happened.
import { Emitter, type Listener } from '../emitter.js'
import type { ConversationId, MessageId } from '../ids.js'
import type { ConversationSession } from './conversation-session.js'
import type { EngineEvents } from './engine-events.js'
import type { MessageFailure, SyncStatus } from './engine-types.js'
import type { RejectedUpdate } from './replica-trust.js'

/** Emits an engine's events. */
export class EngineNotifier {
  readonly #events: Emitter<EngineEvents>
  readonly #onError: ((error: unknown) => void) | undefined
  readonly #status: () => SyncStatus
  readonly #dirty = new Set<ConversationId>()
  #failed = 0
  #closed = false

  /**
   * @param status - the engine's current sync status (read only when someone listens).
   * @param onError - `EngineOptions.onError`, called before the `error` event.
   */
  constructor(status: () => SyncStatus, onError?: (error: unknown) => void) {
    this.#status = status
    this.#onError = onError
    this.#events = new Emitter((error) => this.error(error))
  }

  /** Subscribes to an engine event; returns the unsubscribe function. */
  on<E extends keyof EngineEvents>(event: E, listener: Listener<EngineEvents, E>): () => void {
    return this.#events.on(event, listener)
  }

  /** Messages shown `failed` now (local changes that failed for good). */
  get failedCount(): number {
    return this.#failed
  }

  /** A non-fatal error: to `onError`, then the `error` event. */
  readonly error = (error: unknown): void => {
    this.#onError?.(error)
    if (this.#events.has('error')) this.#events.emit('error', { error })
  }

  /** Something visible in a conversation changed; one event per conversation per task. */
  changed(id: ConversationId): void {
    if (this.#dirty.size === 0) {
      queueMicrotask(() => {
        const ids = [...this.#dirty]
        this.#dirty.clear()
        if (this.#closed) return
        for (const conversationId of ids)
          this.#events.emit('conversation-changed', { conversationId })
      })
    }
    this.#dirty.add(id)
  }

  /** The conversation list changed. */
  indexChanged(conversationIds: readonly ConversationId[]): void {
    this.#events.emit('index-changed', { conversationIds })
  }

  /** Shows messages `failed` in `session` (when hot), and says so. */
  failed(
    id: ConversationId,
    session: ConversationSession | undefined,
    messageIds: readonly MessageId[],
    failure: MessageFailure,
  ): void {
    if (session) this.#failed += session.fail(messageIds, failure)
    if (messageIds.length > 0) {
      this.#events.emit('message-failed', { conversationId: id, messageIds, failure })
    }
    this.changed(id)
    this.status()
  }

  /** Failed messages whose changes are durable after all (a retry). */
  recovered(
    id: ConversationId,
    session: ConversationSession,
    messageIds: readonly MessageId[],
  ): void {
    this.#failed -= session.clearFailures(messageIds)
    this.changed(id)
    this.status()
  }

  /** An update from another device was refused. */
  rejected(event: RejectedUpdate): void {
    this.#events.emit('rejected', event)
  }

  /** Counts or connectivity may have changed. */
  status(): void {
    if (this.#events.has('sync-status'))
      this.#events.emit('sync-status', { status: this.#status() })
  }

  /** Stops every event. Idempotent. */
  close(): void {
    this.#closed = true
    this.#events.clear()
  }
}
