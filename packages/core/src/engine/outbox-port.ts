// The outbox as ServerSync sees it: a durable queue of local changes waiting for the server. The
// engine's `Outbox` implements it over the storage adapter; tests may implement it in memory.
import type { MessageFailure } from './engine-types.js'
import type { OutboxEntry } from '../ports/storage-records.js'

/**
 * The outbox port of {@link ServerSync}.
 *
 * Contract: `list` returns entries oldest first (`seq` ascending), failed ones included (the
 * caller skips them). `acknowledge`, `reject` and `postpone` resolve once every entry they name is
 * durably changed, and reject with the storage's error otherwise (each entry is changed
 * atomically; several may be changed in separate transactions, so a failure can leave some
 * changed — harmless, as every change is idempotent). An entry acknowledged is gone from later
 * `list` results; one rejected is kept with `status: 'failed'` and the failure; one postponed keeps
 * its place with new delivery fields.
 */
export interface OutboxPort {
  /** The oldest `limit` entries. */
  list(options: { limit: number }): Promise<OutboxEntry[]>
  /** The server holds these entries now: remove them. */
  acknowledge(entries: readonly OutboxEntry[]): Promise<void>
  /** The server refused these entries for good: keep them, failed with `failure`. */
  reject(entries: readonly OutboxEntry[], failure: MessageFailure): Promise<void>
  /** A retryable failure: record the attempt and the earliest time of the next one. */
  postpone(
    entries: readonly OutboxEntry[],
    next: { attempts: number; nextAttemptAt: number },
  ): Promise<void>
}
