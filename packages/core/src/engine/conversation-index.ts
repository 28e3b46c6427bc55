// A conversation's row in the stored index (what the conversation list renders without opening a
// document), written with every commit, and the summary the engine hands out for it.
import { parseHlcStamp } from '../hlc-stamp.js'
import { asConversationId, type UserId } from '../ids.js'
import type { ConversationKind } from '../schema.js'
import type { ConversationSession } from './conversation-session.js'
import type { ConversationSummary } from './engine-types.js'
import type { ConversationIndexEntry } from '../ports/storage-records.js'

/** What the engine keeps in an index entry's `extra`. */
interface IndexExtra {
  kind?: ConversationKind
  lastAuthor?: UserId
}

/** The index entry of a hot conversation: title, last message, unread count, activity. */
export function indexEntryOf(session: ConversationSession): ConversationIndexEntry {
  const meta = session.doc.meta()
  const last = session.doc.lastPage(1).messages[0]
  const stamp = last?.hlc ?? meta.createdAt
  const parsed = stamp === undefined ? undefined : parseHlcStamp(stamp)
  const extra: IndexExtra = {
    ...(meta.kind !== undefined ? { kind: meta.kind } : {}),
    ...(last !== undefined ? { lastAuthor: last.author } : {}),
  }
  return {
    id: session.id,
    title: meta.title ?? '',
    lastMessagePreview: last === undefined || last.deleted ? '' : last.text.slice(0, 120),
    lastActivity: parsed?.ok ? parsed.value.ms : 0,
    unreadCount: session.unreadCount(),
    extra,
  }
}

/** The summary of a stored index entry (read back defensively: an older engine may have written it). */
export function toSummary(entry: ConversationIndexEntry): ConversationSummary {
  const extra = (
    typeof entry.extra === 'object' && entry.extra !== null ? entry.extra : {}
  ) as IndexExtra
  return Object.freeze({
    id: asConversationId(entry.id),
    title: entry.title ?? '',
    kind: extra.kind ?? 'group',
    lastMessagePreview: entry.lastMessagePreview ?? '',
    ...(typeof extra.lastAuthor === 'string' ? { lastAuthor: extra.lastAuthor } : {}),
    lastActivity: entry.lastActivity,
    unreadCount: entry.unreadCount,
  })
}
