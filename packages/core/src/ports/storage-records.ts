// The records a StorageAdapter keeps. Values typed `unknown` are structured-clone-able data whose
// shape the engine owns; the engine validates them when it reads them back (a record may have been
// written by an older version of the engine).
import type { ConversationId, DeviceId } from '../ids.js'

/**
 * Key of one row of a conversation's update log. Keys strictly increase in append order within
 * one (conversation, segment); compare them with `<`. They are not dense and not comparable across
 * conversations or segments.
 */
export type LogKey = number & { readonly __brand: 'LogKey' }

/** One stored snapshot: the encoded state (`Y.encodeStateAsUpdate`) of one segment. */
export interface StoredSnapshot {
  /** Segment number; a conversation that is one Y.Doc uses segment 0 only. */
  segment: number
  /** The encoded state. */
  update: Uint8Array
}

/** One row of the update log: a Yjs update not yet folded into a snapshot. */
export interface StoredLogRow {
  /** The row's key, to pass to `compact` as `upTo`. */
  key: LogKey
  /** Segment the update belongs to (default 0). */
  segment: number
  /** The Yjs update, byte for byte as appended. */
  update: Uint8Array
}

/**
 * Everything stored for one conversation's document. Applying every snapshot and every log row
 * (in any order — Yjs updates commute) rebuilds the document.
 */
export interface StoredDoc {
  /** At most one snapshot per segment, ascending by segment. */
  snapshots: StoredSnapshot[]
  /** Log rows ascending by key within each segment, segment 0 first. */
  log: StoredLogRow[]
}

/** Delivery state of an outbox entry. */
export type OutboxStatus = 'pending' | 'sending' | 'failed'

/** Why an outbox entry failed, as the engine wants to show it. */
export interface OutboxError {
  /** A machine-readable reason, e.g. `'rls'`, `'validation'`. */
  code: string
  /** A human-readable description. */
  message: string
}

/** A durable pending push: one Yjs update waiting to reach the server. */
export interface OutboxEntry {
  /** Unique id chosen by the engine (e.g. a UUID). */
  id: string
  /** Insertion order, assigned by the adapter; strictly increasing across the whole outbox. */
  seq: number
  /** Conversation the update belongs to. */
  conversationId: ConversationId
  /** The Yjs update to push. */
  update: Uint8Array
  /** When the entry was created (ms since epoch, engine clock). */
  createdAt: number
  /** Push attempts so far. Default 0. */
  attempts: number
  /** Delivery state. Default `'pending'`. */
  status: OutboxStatus
  /** Why the last attempt failed or why the entry was rejected. */
  error?: OutboxError
  /** Earliest time of the next attempt (backoff), ms since epoch. */
  nextAttemptAt?: number
  /** Engine data, e.g. the message ids the update carries. */
  meta?: unknown
}

/** An outbox entry to add: `seq` is assigned by the adapter; `attempts`/`status` default. */
export type NewOutboxEntry = Omit<OutboxEntry, 'seq' | 'attempts' | 'status'> &
  Partial<Pick<OutboxEntry, 'attempts' | 'status'>>

/** Fields of an outbox entry that `updateOutbox` may change; `error: null` removes the error. */
export interface OutboxPatch {
  attempts?: number
  status?: OutboxStatus
  error?: OutboxError | null
  nextAttemptAt?: number | null
  meta?: unknown
}

/**
 * One row of the conversation index, so the conversation list renders without opening any
 * document.
 */
export interface ConversationIndexEntry {
  /** The conversation. */
  id: ConversationId
  /** Title, if the conversation has one. */
  title?: string
  /** A short preview of the last message (plain text). */
  lastMessagePreview?: string
  /** Time of the last activity (ms since epoch); `listIndex` orders by it, newest first. */
  lastActivity: number
  /** Messages not yet read by this user. */
  unreadCount: number
  /** Anything else the engine wants in the list (kind, members, last author, …). */
  extra?: unknown
}

/** This browser profile's identity, created once and stable across reopen. */
export interface DeviceIdentity {
  /** A random UUID. */
  deviceId: DeviceId
  /** When it was created (ms since epoch). */
  createdAt: number
}
