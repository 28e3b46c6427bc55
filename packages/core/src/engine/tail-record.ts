// The tail record: the newest page of a conversation, stored as plain data so a conversation of
// any length paints from one small read, before (or without) hydrating its document.
import type { ConversationId } from '../ids.js'
import type { ConversationMeta } from '../message-view.js'
import type { ConversationState, MessageItem } from './engine-types.js'

/** Version of {@link TailRecord}; a record of another version is ignored (the doc is hydrated). */
export const TAIL_RECORD_VERSION = 1

/** What the engine stores as a conversation's tail. */
export interface TailRecord {
  v: typeof TAIL_RECORD_VERSION
  meta: ConversationMeta
  messages: MessageItem[]
  hasBefore: boolean
  unreadCount: number
}

/**
 * Reads a stored tail back. Storage is local but may have been written by another version of
 * Parley, so the shape is checked; anything unexpected yields `undefined` (the caller hydrates).
 */
export function readTailRecord(value: unknown): TailRecord | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const record = value as Partial<TailRecord>
  if (record.v !== TAIL_RECORD_VERSION || !Array.isArray(record.messages)) return undefined
  if (typeof record.hasBefore !== 'boolean' || typeof record.unreadCount !== 'number')
    return undefined
  if (typeof record.meta !== 'object' || record.meta === null) return undefined
  const wellFormed = record.messages.every(
    (m: unknown) =>
      typeof m === 'object' &&
      m !== null &&
      typeof (m as MessageItem).id === 'string' &&
      typeof (m as MessageItem).hlc === 'string' &&
      typeof (m as MessageItem).text === 'string',
  )
  return wellFormed ? (record as TailRecord) : undefined
}

/** The state of a cold conversation painted from its tail (no presence or members until hydrated). */
export function stateFromTail(id: ConversationId, tail: TailRecord): ConversationState {
  return Object.freeze({
    id,
    meta: tail.meta,
    page: Object.freeze({ messages: tail.messages, hasBefore: tail.hasBefore, hasAfter: false }),
    unreadCount: tail.unreadCount,
    presence: [],
    members: [],
    fromTail: true,
  })
}
