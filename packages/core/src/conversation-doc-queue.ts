// What a finished Yjs transaction means for a ConversationDoc's listeners. Events are queued, not
// emitted: they run after Yjs's transaction cleanup (where a listener must not throw or write),
// in the order the document drains them.
import type { ConversationDocEvents } from './conversation-doc-events.js'
import type { TransactionSummary } from './doc-observer.js'
import type { Emitter } from './emitter.js'
import type { HlcStamp } from './ids.js'
import type { ConversationMeta } from './message-view.js'

/**
 * Queues the clock update and the events of one transaction's summary on `pending`: the newest
 * stamp seen goes to the clock first, then rejected records, message, receipt, member and meta
 * changes.
 */
export function queueTransactionEvents(
  s: TransactionSummary,
  pending: (() => void)[],
  events: Emitter<ConversationDocEvents>,
  meta: () => ConversationMeta,
  receiveStamp: (stamp: HlcStamp) => void,
): void {
  const { origin } = s
  if (s.maxStamp !== undefined) {
    const stamp = s.maxStamp
    pending.push(() => receiveStamp(stamp))
  }
  for (const r of s.rejections) pending.push(() => events.emit('rejected-record', r))
  const { added, updated, removed } = s.messages
  if (added.length + updated.length + removed.length > 0) {
    pending.push(() => events.emit('messages-changed', { added, updated, removed, origin }))
  }
  if (s.receiptUsers.length > 0 || s.membersChanged) {
    const users = s.receiptUsers
    pending.push(() => events.emit('receipts-changed', { users, origin }))
  }
  if (s.membersChanged) pending.push(() => events.emit('members-changed', { origin }))
  if (s.metaChanged) pending.push(() => events.emit('meta-changed', { meta: meta(), origin }))
}
