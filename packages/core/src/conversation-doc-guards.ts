// The checks a local intent passes before it touches the document: local misuse throws a typed
// ParleyError (arriving bytes never do; they are validated and reported instead).
import { ParleyError } from './errors.js'
import type { MessageId, UserId } from './ids.js'
import { isTombstone, type MessageStore } from './message-store.js'
import { MAX_TITLE_LENGTH, isReaction, type MessageRecord } from './schema.js'

/** The record of one of `user`'s own live messages (edit and delete need one). */
export function ownRecord(messages: MessageStore, id: MessageId, user: UserId): MessageRecord {
  if (messages.validTombstone(id) !== undefined)
    throw new ParleyError('message-deleted', `message ${id} was deleted`)
  const record = messages.record(id)
  if (record === undefined) throw new ParleyError('not-found', `no message ${id}`)
  if (record.a !== user)
    throw new ParleyError('not-author', `message ${id} is by ${record.a}, not ${user}`)
  return record
}

/** A reaction must be valid and its message live. */
export function checkReactionTarget(messages: MessageStore, id: MessageId, reaction: string): void {
  if (!isReaction(reaction))
    throw new ParleyError('invalid-argument', `bad reaction ${JSON.stringify(reaction)}`)
  const anchor = messages.anchorOf(id)
  if (anchor === undefined) throw new ParleyError('not-found', `no message ${id}`)
  if (isTombstone(anchor)) throw new ParleyError('message-deleted', `message ${id} was deleted`)
}

/** A title is a string of at most MAX_TITLE_LENGTH characters. */
export function checkTitle(title: string): void {
  if (typeof title !== 'string' || title.length > MAX_TITLE_LENGTH) {
    throw new ParleyError(
      'invalid-argument',
      `title must be a string of at most ${MAX_TITLE_LENGTH} characters`,
    )
  }
}
