// @parley/core/ports: the three interfaces an adapter implements — StorageAdapter, Transport,
// RemoteLog — with their records, events, options, typed errors and the helpers adapters share
// (message validation and codec, the transport's event plumbing, retry backoff). It imports
// nothing of the engine or the conversation document, so an adapter that imports only this
// entry does not pull them in. The engine uses these same files; see docs/MODEL.md "Public
// surface" for what the root entry re-exports.

// ── ids the contracts carry ──────────────────────────────────────────────────────────────────
export {
  asConversationId,
  isValidId,
  type ConversationId,
  type DeviceId,
  type UserId,
} from '../ids.js'

// ── StorageAdapter ───────────────────────────────────────────────────────────────────────────
export type {
  CommitResult,
  Compaction,
  ConversationWrite,
  ListIndexOptions,
  ListOutboxOptions,
  StorageAdapter,
  StorageAdapterEvents,
  StorageAdapterListener,
  StorageCapabilities,
} from './storage-adapter.js'
export type {
  ConversationIndexEntry,
  DeviceIdentity,
  LogKey,
  NewOutboxEntry,
  OutboxEntry,
  OutboxError,
  OutboxPatch,
  OutboxStatus,
  StoredDoc,
  StoredLogRow,
  StoredSnapshot,
} from './storage-records.js'
export {
  STORAGE_ERROR_CODES,
  StorageError,
  isStorageError,
  type StorageErrorCode,
  type StorageErrorOptions,
} from './storage-error.js'

// ── Transport ────────────────────────────────────────────────────────────────────────────────
export type { Transport, TransportEvents, TransportListener, TransportStatus } from './transport.js'
export {
  TRANSPORT_PROTOCOL_VERSION,
  TRANSPORT_WIRE_MESSAGE_TYPES,
  asPeerId,
  isPeerId,
  isTransportControlMessage,
  isTransportMessage,
  isTransportWireMessage,
  validateTransportMessage,
  validateTransportWireMessage,
  type AwarenessMessage,
  type GoodbyeMessage,
  type HelloMessage,
  type OutgoingTransportMessage,
  type PeerId,
  type SyncReplyMessage,
  type SyncRequestMessage,
  type TransportControlMessage,
  type TransportMessage,
  type TransportMessageBase,
  type TransportMessageType,
  type TransportValidationResult,
  type TransportWireMessage,
  type UpdateMessage,
} from './transport-messages.js'
export { decodeTransportMessage, encodeTransportMessage } from './transport-message-codec.js'
export { TransportEmitter } from './transport-emitter.js'
export {
  TRANSPORT_ERROR_CODES,
  TransportError,
  isTransportError,
  type TransportErrorCode,
  type TransportErrorOptions,
} from './transport-error.js'

// ── RemoteLog ────────────────────────────────────────────────────────────────────────────────
export {
  REMOTE_LOG_LIMITS,
  isClientUpdateId,
  isUuid,
  newClientUpdateId,
  type ClientUpdateId,
  type RemoteConversation,
  type RemoteCreateConversation,
  type RemoteCreateInviteOptions,
  type RemoteGetSnapshotOptions,
  type RemoteInvite,
  type RemoteLog,
  type RemoteLogEvents,
  type RemoteLogInboxStatus,
  type RemoteLogListener,
  type RemoteMemberRole,
  type RemotePullOptions,
  type RemotePullPage,
  type RemotePushEntry,
  type RemoteCompactionResult,
  type RemoteDevice,
  type RemoteDeviceRegistration,
  type RemoteMember,
  type RemotePushResult,
  type RemotePutSnapshotResult,
  type RemoteSnapshot,
  type RemoteUpdate,
} from './remote-log.js'
export {
  REMOTE_LOG_ERROR_CODES,
  RETRYABLE_REMOTE_LOG_ERROR_CODES,
  RemoteLogError,
  isRemoteLogError,
  isRetryableRemoteLogError,
  type RemoteLogErrorCode,
  type RemoteLogErrorOptions,
} from './remote-log-error.js'
export { createRetryPolicy, type RetryPolicy, type RetryPolicyOptions } from './retry-policy.js'
