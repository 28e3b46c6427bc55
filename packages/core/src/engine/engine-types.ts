// The plain objects the Engine hands out. Like the model's views they are frozen data without
// Yjs types, so they cross postMessage/comlink unchanged.
import type { ConversationId, DeviceId, MessageId, UserId } from '../ids.js'
import type { ConversationMeta, MemberView, MessageStatus, MessageView } from '../message-view.js'
import type { ConversationKind } from '../schema.js'

/**
 * A message's status as the engine shows it: the model's {@link MessageStatus}, or `failed` when
 * the change could not be made durable locally (e.g. quota exceeded) or was rejected for good.
 */
export type DeliveryStatus = MessageStatus | 'failed'

/** Why a message is `failed`. */
export interface MessageFailure {
  /** A machine-readable reason: a `StorageErrorCode` or a server rejection code. */
  readonly code: string
  /** A human-readable description. */
  readonly message: string
}

/** One message as the engine shows it: the model view with the engine's delivery status. */
export interface MessageItem extends Omit<MessageView, 'status'> {
  readonly status: DeliveryStatus
  /** Set when `status` is `failed`. */
  readonly failure?: MessageFailure
}

/** A page of messages, oldest first. */
export interface MessageItemPage {
  readonly messages: readonly MessageItem[]
  readonly hasBefore: boolean
  readonly hasAfter: boolean
}

/** One row of the conversation list (read from the index, without opening a document). */
export interface ConversationSummary {
  readonly id: ConversationId
  readonly title: string
  readonly kind: ConversationKind
  /** Preview of the last message, or empty. */
  readonly lastMessagePreview: string
  /** Author of the last message, if any. */
  readonly lastAuthor?: UserId
  /** Time of the last activity (ms since epoch). */
  readonly lastActivity: number
  /** Messages the local user has not read. */
  readonly unreadCount: number
}

/** A device's presence in a conversation, from awareness. */
export interface PresenceEntry {
  readonly user: UserId
  readonly device: DeviceId
  /** `online` while some tab of the device is open on the conversation. */
  readonly status: 'online' | 'away'
  /** Whether the device is typing in this conversation now. */
  readonly typing: boolean
}

/** Everything a UI needs for one conversation, as one snapshot. */
export interface ConversationState {
  readonly id: ConversationId
  readonly meta: ConversationMeta
  /** The newest page (see `EngineOptions.tailSize`), or the page the caller asked for. */
  readonly page: MessageItemPage
  readonly unreadCount: number
  /** Other devices present in the conversation (this device excluded). */
  readonly presence: readonly PresenceEntry[]
  /**
   * The members recorded in the document, with the display name each recorded when joining;
   * empty while the state comes from the tail record.
   */
  readonly members: readonly MemberView[]
  /** Whether the state came from the tail record (document not hydrated yet). */
  readonly fromTail: boolean
}

/** Sync state of the engine, for banners and `useSyncStatus`. */
export interface SyncStatus {
  /** `online` when a server transport is connected; `syncing` while catching up or pushing. */
  readonly state: 'online' | 'offline' | 'syncing'
  /** Local changes not yet acknowledged by the server (outbox entries). */
  readonly pending: number
  /** Changes made but not yet durable locally (normally 0 after one frame). */
  readonly unsaved: number
  /** Local changes that failed for good. */
  readonly failed: number
  /** Per conversation, the last time it was fully synced with the server (ms), if ever. */
  readonly lastSyncedAt: Readonly<Record<string, number>>
}

/** A message id paired with its conversation. */
export interface MessageRef {
  readonly conversationId: ConversationId
  readonly messageId: MessageId
}
