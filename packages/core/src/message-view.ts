// The plain, immutable objects the conversation model hands out. They are frozen, contain no
// Yjs types, functions or class instances, and survive structured clone (postMessage, comlink).
import type { ConversationKind, MemberRole, MessageKind } from './schema.js'
import type { HlcStamp, MessageId, UserId, DeviceId } from './ids.js'

/**
 * Delivery state of a message as its viewer sees it (DESIGN §3):
 * `sending` — not yet acknowledged by the server; `sent` — the server holds it;
 * `delivered` — every other member's device cursor passed it; `read` — every other member's read
 * cursor passed it. An edit resets `delivered`/`read` until the cursors pass the edit's stamp.
 */
export type MessageStatus = 'sending' | 'sent' | 'delivered' | 'read'

/** Attachment metadata of a message. */
export interface AttachmentView {
  readonly name: string
  readonly mime: string
  /** Size in bytes. */
  readonly size: number
  readonly url?: string
}

/** One message as the UI shows it. */
export interface MessageView {
  readonly id: MessageId
  readonly author: UserId
  /** Device that sent it (from its stamp). */
  readonly device: DeviceId
  /** Send stamp; the conversation is ordered by (`hlc`, `id`). */
  readonly hlc: HlcStamp
  readonly kind: MessageKind
  /** Current text (after the latest edit); empty when deleted. */
  readonly text: string
  readonly replyTo?: MessageId
  /** Current attachments; empty when deleted. */
  readonly attachments: readonly AttachmentView[]
  /** Stamp of the latest edit, if edited. */
  readonly editedAt?: HlcStamp
  /** Whether the author deleted it; only its place in the conversation remains. */
  readonly deleted: boolean
  /** Stamp of the deletion, if deleted. */
  readonly deletedAt?: HlcStamp
  /** Reactions: reaction → users who gave it, both sorted. Empty when deleted. */
  readonly reactions: Readonly<Record<string, readonly UserId[]>>
  /** Delivery state, computed when the view object was built. */
  readonly status: MessageStatus
}

/** A position in the conversation order, e.g. the first or last message of a page. */
export interface PageCursor {
  readonly hlc: HlcStamp
  readonly id: MessageId
}

/** A slice of the conversation in order, oldest first. */
export interface MessagePage {
  readonly messages: readonly MessageView[]
  /** Whether older messages exist before the first one. */
  readonly hasBefore: boolean
  /** Whether newer messages exist after the last one. */
  readonly hasAfter: boolean
}

/** A user's receipt cursors: the maximum over the user's devices. */
export interface ReceiptView {
  readonly user: UserId
  /** Every message stamped at or before this reached at least one of the user's devices. */
  readonly delivered?: HlcStamp
  /** The user read every message stamped at or before this. */
  readonly read?: HlcStamp
}

/** Conversation metadata; fields are absent until set (or when invalid). */
export interface ConversationMeta {
  readonly title?: string
  readonly kind?: ConversationKind
  readonly createdBy?: UserId
  readonly createdAt?: HlcStamp
}

/** A member as recorded in the document. */
export interface MemberView {
  readonly user: UserId
  readonly role: MemberRole
  readonly addedBy: UserId
  readonly addedAt: HlcStamp
  /** Display name the member recorded, if any. */
  readonly name?: string
}
