// "Delivered" receipts: a device marks a conversation delivered shortly after messages from others
// arrive, debounced so a burst costs one receipt (one write, one update to every peer).
import type { ConversationId } from '../ids.js'

/** The debounce timers of delivered receipts. */
export class DeliveredReceipts {
  readonly #delayMs: number
  readonly #mark: (id: ConversationId) => Promise<void>
  readonly #onError: (error: unknown) => void
  readonly #timers = new Map<ConversationId, ReturnType<typeof setTimeout>>()
  #closed = false

  /**
   * @param delayMs - `EngineOptions.deliveredDelayMs`.
   * @param mark - writes the receipt (the engine's `markDelivered`).
   */
  constructor(
    delayMs: number,
    mark: (id: ConversationId) => Promise<void>,
    onError: (error: unknown) => void,
  ) {
    this.#delayMs = delayMs
    this.#mark = mark
    this.#onError = onError
  }

  /** Messages from others arrived in `id`: mark it delivered after the delay (once per burst). */
  schedule(id: ConversationId): void {
    if (this.#timers.has(id) || this.#closed) return
    const timer = setTimeout(() => {
      this.#timers.delete(id)
      if (!this.#closed) this.#mark(id).catch(this.#onError)
    }, this.#delayMs)
    this.#timers.set(id, timer)
  }

  /** Cancels every pending receipt. Idempotent. */
  close(): void {
    this.#closed = true
    for (const timer of this.#timers.values()) clearTimeout(timer)
    this.#timers.clear()
  }
}
