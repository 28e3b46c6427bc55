// What the engine keeps in an outbox entry's `meta`: the ids of the messages whose changes the
// entry carries, so a push can mark them `sent` and a refusal can mark them `failed`. Storage is
// untrusted across versions, so it is read back defensively.
import type { MessageId } from '../ids.js'
import type { MessageFailure } from './engine-types.js'
import type { OutboxEntry } from '../ports/storage-records.js'

/** The engine's `meta` of an outbox entry. */
export interface OutboxMeta {
  messageIds: MessageId[]
}

/** The message ids an outbox entry carries (none when `meta` is not the engine's). */
export function outboxMessageIds(meta: unknown): MessageId[] {
  if (typeof meta !== 'object' || meta === null) return []
  const ids = (meta as { messageIds?: unknown }).messageIds
  return Array.isArray(ids) ? ids.filter((x): x is MessageId => typeof x === 'string') : []
}

/** The message ids of several entries, in entry order. */
export function entriesMessageIds(entries: readonly OutboxEntry[]): MessageId[] {
  return entries.flatMap((e) => outboxMessageIds(e.meta))
}

/** What a conversation's stored outbox says of its messages: still sending, or refused for good. */
export interface OutboxState {
  /** Messages of this device the server does not hold yet (status `sending`). */
  pending: Set<MessageId>
  /** Messages the server refused for good, with its reason (status `failed`). */
  failures: Map<MessageId, MessageFailure>
}

/** Reads {@link OutboxState} from a conversation's stored outbox entries. */
export function readOutboxState(entries: readonly OutboxEntry[]): OutboxState {
  const pending = new Set<MessageId>()
  const failures = new Map<MessageId, MessageFailure>()
  for (const entry of entries) {
    const ids = outboxMessageIds(entry.meta)
    for (const m of ids) pending.add(m)
    if (entry.status !== 'failed') continue
    const failure = entry.error ?? { code: 'unknown', message: 'rejected by the server' }
    for (const m of ids) failures.set(m, failure)
  }
  return { pending, failures }
}
