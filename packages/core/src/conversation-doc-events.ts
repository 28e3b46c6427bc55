import type { ClockDriftEvent } from './hlc.js'
import type { MessageId, UserId } from './ids.js'
import type { ConversationMeta } from './message-view.js'
import type { RejectReason } from './schema.js'
import type { TransactionOrigin } from './transaction-origin.js'
import type { UpdateValidationFailure } from './update-validator.js'

/** Which part of the document a rejected record belongs to. */
export type RecordKind =
  'message' | 'edit' | 'tombstone' | 'reaction' | 'receipt' | 'member' | 'meta' | 'chunk'

/** Why `applyUpdate` refused or could not fully apply bytes. */
export type InvalidUpdateReason = UpdateValidationFailure | 'not-bytes' | 'apply-failed'

/** Payload of `rejected-record`. */
export interface RejectedRecordEvent {
  readonly kind: RecordKind
  /** The key (map key, or message id for chunk entries) of the record. */
  readonly key: string
  readonly reason: RejectReason
  readonly origin: TransactionOrigin
}

/** Payload of `invalid-update`. */
export interface InvalidUpdateEvent {
  readonly reason: InvalidUpdateReason
  readonly origin: TransactionOrigin
  /** Byte offset where validation failed, when known. */
  readonly offset?: number
  /** The error Yjs threw, for `apply-failed`. */
  readonly error?: unknown
}

/**
 * Events of a `ConversationDoc`. Every listener gets one plain payload object; a listener that
 * throws is reported to `onError` and does not disturb the document.
 */
export interface ConversationDocEvents {
  /**
   * A local write produced Yjs update bytes: persist them and send them (this is the outbox's
   * input). Emitted only for `local` transactions — bytes given to `applyUpdate` are the
   * caller's already. `messageIds` lists messages the update created or changed.
   */
  update: {
    readonly update: Uint8Array
    readonly origin: TransactionOrigin
    readonly messageIds: readonly MessageId[]
  }
  /** The view of some messages changed (content, deletion, edits, reactions). */
  'messages-changed': {
    readonly added: readonly MessageId[]
    readonly updated: readonly MessageId[]
    readonly removed: readonly MessageId[]
    readonly origin: TransactionOrigin
  }
  /** Receipt cursors of these users changed, or the members did: statuses may have changed. */
  'receipts-changed': { readonly users: readonly UserId[]; readonly origin: TransactionOrigin }
  /** The member list recorded in the document changed, or the external member set was replaced. */
  'members-changed': { readonly origin: TransactionOrigin }
  /** Title, kind or creation metadata changed. */
  'meta-changed': { readonly meta: ConversationMeta; readonly origin: TransactionOrigin }
  /** Messages were acknowledged by the server (`acknowledge`): their status may have changed. */
  'status-changed': { readonly ids: readonly MessageId[] }
  /** A record in the document failed validation or authorship and is ignored by the view. */
  'rejected-record': RejectedRecordEvent
  /** Bytes given to `applyUpdate` were refused (nothing applied) or failed half-way. */
  'invalid-update': InvalidUpdateEvent
  /** A remote stamp was too far ahead of the wall clock; the local clock was bounded. */
  'clock-drift': ClockDriftEvent
}
