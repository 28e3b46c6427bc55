// @parley/core: the conversation model (hybrid logical clock, Yjs conversation document, views)
// and the engine. Pure TypeScript on yjs; no DOM.
//
// A chosen list, written down in docs/MODEL.md ("Public surface"): what an app, the worker host
// and the React bindings use. The engine's parts (ServerSync, PeerSync, WriteQueue, sessions,
// stored-record codecs) and the schema validators stay inside. Adapter authors import from
// `@parley/core/ports`; this entry re-exports only the part of the ports an app wires or catches.

// ── ids ──────────────────────────────────────────────────────────────────────────────────────
export {
  asConversationId,
  asDeviceId,
  asMessageId,
  asUserId,
  isDeviceId,
  isMessageId,
  isUserId,
  isValidId,
  newMessageId,
  type ConversationId,
  type DeviceId,
  type HlcStamp,
  type MessageId,
  type UserId,
} from './ids.js'

// ── errors of the model and the engine ───────────────────────────────────────────────────────
export { ParleyError, isParleyError, type ParleyErrorCode } from './errors.js'

// ── clock ────────────────────────────────────────────────────────────────────────────────────
export {
  HybridLogicalClock,
  type ClockDriftEvent,
  type HybridLogicalClockEvents,
  type HybridLogicalClockOptions,
} from './hlc.js'
export {
  compareHlcStamps,
  isHlcStamp,
  parseHlcStamp,
  type HlcParseFailure,
  type HlcParseResult,
  type HlcParts,
} from './hlc-stamp.js'

// ── the conversation document ────────────────────────────────────────────────────────────────
export { ConversationDoc } from './conversation-doc.js'
export type {
  AckQuery,
  ApplyUpdateResult,
  ConversationDocOptions,
  EditInput,
  InitializeInput,
  SendInput,
} from './conversation-doc-options.js'
export type {
  ConversationDocEvents,
  InvalidUpdateEvent,
  InvalidUpdateReason,
  RecordKind,
  RejectedRecordEvent,
} from './conversation-doc-events.js'
export type { UpdateValidationFailure } from './update-validator.js'
export {
  LOCAL_ORIGIN,
  STORAGE_ORIGIN,
  remoteOrigin,
  type TransactionOrigin,
} from './transaction-origin.js'
export { attributionFromMap, trustClaims, type AuthorAttribution } from './author-attribution.js'
export { compactUpdates, type CompactResult } from './compact-updates.js'

// ── records in the document, and their limits ────────────────────────────────────────────────
export {
  MAX_ATTACHMENTS,
  MAX_ATTACHMENT_NAME,
  MAX_MEMBER_NAME,
  MAX_MIME_LENGTH,
  MAX_REACTION_LENGTH,
  MAX_TEXT_LENGTH,
  MAX_TITLE_LENGTH,
  MAX_URL_LENGTH,
  type AttachmentRecord,
  type ConversationKind,
  type EditRecord,
  type MemberRecord,
  type MemberRole,
  type MessageKind,
  type MessageRecord,
  type ReactionRecord,
  type ReceiptRecord,
  type RejectReason,
  type TombstoneRecord,
} from './schema.js'

// ── views (plain, frozen objects) ────────────────────────────────────────────────────────────
export type {
  AttachmentView,
  ConversationMeta,
  MemberView,
  MessagePage,
  MessageStatus,
  MessageView,
  PageCursor,
  ReceiptView,
} from './message-view.js'

// ── engine ───────────────────────────────────────────────────────────────────────────────────
export { Engine } from './engine/engine.js'
export type { EngineOptions } from './engine/engine-options.js'
export type { EngineEvents } from './engine/engine-events.js'
export type { RejectedUpdate } from './engine/replica-trust.js'
export {
  ENGINE_ACTIONS,
  type ActionKind,
  type CallSpec,
  type CreateConversationInput,
  type EngineActionName,
  type EngineActions,
  type EngineActionTable,
  type EngineSubscriptionName,
  type Invite,
  type PageQuery,
  type SubscriptionSpec,
} from './engine/engine-actions.js'
export type { ServerSyncOptions } from './engine/server-sync.js'
export type {
  ConversationState,
  ConversationSummary,
  DeliveryStatus,
  MessageFailure,
  MessageItem,
  MessageItemPage,
  PresenceEntry,
  SyncStatus,
} from './engine/engine-types.js'

// ── ports, for wiring the engine and catching its errors (the rest: @parley/core/ports) ────────
export {
  StorageError,
  TransportError,
  RemoteLogError,
  isRemoteLogError,
  isRetryableRemoteLogError,
  isStorageError,
  isTransportError,
  type PeerId,
  type RemoteInvite,
  type RemoteLog,
  type RemoteLogErrorCode,
  type StorageAdapter,
  type StorageErrorCode,
  type Transport,
  type TransportErrorCode,
  type TransportStatus,
} from './ports/index.js'

// ── trust: the rules every replica and the compactor run, device signatures (docs/TRUST.md) ───
export * from './trust/index.js'
