// A synchronous journal of sends, kept in localStorage until the engine confirms the message is
// durable. `client.send` crosses to the worker asynchronously; if the tab dies in that window the
// intent would exist nowhere. The journal is written before the call, in the same task as the
// key press, and replayed at the next start: `send` with the same message id is idempotent, so a
// replay of a message the engine already has changes nothing.
import type { MessageId } from '@parley/core'
import type { ParleyClientLike } from '@parley/react'

/** One journalled send. */
export interface JournalEntry {
  readonly conversationId: string
  readonly id: MessageId
  readonly text: string
  readonly replyTo?: MessageId
}

function storageKey(user: string): string {
  return `parley-chat:unconfirmed-sends:${user}`
}

function isJournalEntry(value: unknown): value is JournalEntry {
  if (typeof value !== 'object' || value === null) return false
  const entry = value as Record<string, unknown>
  return (
    typeof entry.conversationId === 'string' &&
    typeof entry.id === 'string' &&
    typeof entry.text === 'string' &&
    (entry.replyTo === undefined || typeof entry.replyTo === 'string')
  )
}

/** The journal's entries for a user (invalid content is dropped). */
export function journalEntries(user: string): JournalEntry[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(storageKey(user)) ?? '[]')
    return Array.isArray(parsed) ? parsed.filter(isJournalEntry) : []
  } catch (error) {
    console.warn('[parley] unreadable send journal, starting a new one', error)
    return []
  }
}

function write(user: string, entries: readonly JournalEntry[]): void {
  try {
    if (entries.length === 0) localStorage.removeItem(storageKey(user))
    else localStorage.setItem(storageKey(user), JSON.stringify(entries))
  } catch (error) {
    // Storage full or disabled: the send still goes to the engine, only the guard is lost.
    console.warn('[parley] could not write the send journal', error)
  }
}

/** Records a send before it is handed to the engine. */
export function journalAdd(user: string, entry: JournalEntry): void {
  write(user, [...journalEntries(user).filter((e) => e.id !== entry.id), entry])
}

/** Forgets a send the engine confirmed as durable. */
export function journalRemove(user: string, id: MessageId): void {
  const entries = journalEntries(user)
  const rest = entries.filter((e) => e.id !== id)
  if (rest.length !== entries.length) write(user, rest)
}

/**
 * Hands every journalled send to the engine again (idempotent by message id) and forgets those
 * it confirms. Resolves with the number replayed; failures stay in the journal for next time.
 */
export async function replayJournal(client: ParleyClientLike, user: string): Promise<number> {
  let replayed = 0
  for (const entry of journalEntries(user)) {
    try {
      await client.send(entry.conversationId, {
        id: entry.id,
        text: entry.text,
        ...(entry.replyTo !== undefined ? { replyTo: entry.replyTo } : {}),
      })
      journalRemove(user, entry.id)
      replayed++
    } catch (error) {
      console.warn('[parley] could not replay a journalled send', error)
    }
  }
  return replayed
}
