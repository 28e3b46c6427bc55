// The durable server side of sync. A RemoteLog is dumb I/O over a per-conversation, append-only
// log of Yjs updates plus snapshots and membership (on Supabase: the RPCs of
// supabase/migrations, see docs/SCHEMA.md). The policy — the outbox, when to push, pull and
// compact, how long to back off — lives in the engine. Implementations: `createSupabaseRemoteLog`
// (@parley/transport-supabase) and `createMemoryRemoteLog` (@parley/testing); both pass
// `remoteLogContract` from @parley/testing.
//
// Guarantees every implementation gives:
//
// - Settles: every returned promise settles; failures reject with a `RemoteLogError` whose
//   `code` says whether a retry can help (`isRetryableRemoteLogError`). Nothing throws
//   synchronously except programming errors (an invalid id or empty update → `invalid`, as a
//   rejected promise).
// - Atomic: each call is all-or-nothing. A call rejected with a permanent code wrote nothing. A
//   call rejected with `network` may or may not have been applied — which is why every write is
//   idempotent and safe to repeat with the same arguments.
// - Idempotent writes: `push` by `clientUpdateId` (a repeat returns the original seq with
//   `duplicate: true`), `createConversation` by id, `joinConversation` by code (joining again
//   returns the conversation without using up the invite), `leaveConversation`, and
//   `registerDevice` (same device, same key), and `requestCompaction`.
// - Ordered log: seqs are per conversation, start at 1 and have no gaps. A push assigns
//   consecutive seqs in input order. A seq becomes visible to `pull` only after every smaller
//   one is, so paging by `afterSeq` never skips an update. `pull` returns updates in ascending
//   seq order.
// - Isolated: byte arrays are copied in and out.
// - Access control: a caller sees and writes only conversations it is a member of; a
//   conversation that does not exist answers `forbidden` like one the caller is not in.
// - Snapshots never destroy history and come only from the trusted compactor (an Edge Function
//   with the service role, asked for by `requestCompaction`); the log is pruned only by it, and a pull below the pruned point fails with `history-pruned` instead of
//   silently skipping.
//
// NOT guaranteed — the engine must cope:
//
// - Order between concurrent calls of one client (they are independent HTTP requests).
// - Inbox notices (`conversation-updated`, …) are best effort: they may be lost while offline,
//   duplicated or reordered. After `inbox-status` goes back to `online`, call
//   `listConversations()` and compare `lastSeq` with the local cursors.
// - Liveness: a call may take as long as the network does; implementations time out eventually
//   with `network`.
import type { Brand, ConversationId, DeviceId, UserId } from '../ids.js'
import type { RemoteLogError } from './remote-log-error.js'

/**
 * Id of one pushed update, chosen by the client when the update enters the outbox and kept
 * across retries: it is what makes `push` idempotent. A UUID (the server stores it as one).
 */
export type ClientUpdateId = Brand<string, 'ClientUpdateId'>

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Whether `value` is a UUID string (any version, case-insensitive). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value)
}

/** Whether `value` is a valid {@link ClientUpdateId} (a UUID). */
export function isClientUpdateId(value: unknown): value is ClientUpdateId {
  return isUuid(value)
}

/** A fresh random {@link ClientUpdateId} (`crypto.randomUUID()`). */
export function newClientUpdateId(): ClientUpdateId {
  return globalThis.crypto.randomUUID() as ClientUpdateId
}

/**
 * Server-side limits every implementation enforces (the values of `get_limits()` in the
 * migrations). The engine batches its pushes within them.
 */
export const REMOTE_LOG_LIMITS = {
  /** Largest single update, in bytes. */
  maxUpdateBytes: 262_144,
  /** Most updates in one `push`. */
  maxBatchUpdates: 100,
  /** Largest total of update bytes in one `push`. */
  maxBatchBytes: 2_097_152,
  /** Largest `limit` of one `pull`. */
  maxPullLimit: 1_000,
  /** Largest snapshot, in bytes. */
  maxSnapshotBytes: 16_777_216,
  /** Longest conversation title, in characters. */
  maxTitleLength: 200,
} as const

/** One update handed to {@link RemoteLog.push}. */
export interface RemotePushEntry {
  /** The idempotency key; keep it across retries of the same update. */
  clientUpdateId: ClientUpdateId
  /** The Yjs update (v1), 1 to `maxUpdateBytes` bytes. */
  update: Uint8Array
  /** The caller's registered device that made it (`registerDevice`); the server refuses others. */
  device: DeviceId
  /** The device's Ed25519 signature over `signedUpdateBytes(conversationId, update)` (64 bytes). */
  signature: Uint8Array
}

/** The outcome of one {@link RemotePushEntry}, in input order. */
export interface RemotePushResult {
  clientUpdateId: ClientUpdateId
  /** The update's seq in the conversation's log. */
  seq: number
  /** True when the log already held this `clientUpdateId` (a retry): nothing was appended. */
  duplicate: boolean
}

/** One update of the log, as `pull` returns it. */
export interface RemoteUpdate {
  seq: number
  /** The Yjs update (a copy). */
  update: Uint8Array
  /** The user who pushed it (set by the server, not claimed by the client). */
  author: UserId
  /**
   * The device it was pushed with: a device of `author` (checked by the server at push). `null`
   * when the device is gone with its deleted user (or the row predates devices): replicas refuse
   * such a row.
   */
  device: DeviceId | null
  /** The device's signature, as pushed (64 bytes); `null` with `device`. */
  signature: Uint8Array | null
  clientUpdateId: ClientUpdateId
  /** When the server appended it, in ms since the epoch. */
  createdAt: number
}

/** One page of {@link RemoteLog.pull}. */
export interface RemotePullPage {
  /** Updates with `seq > afterSeq`, ascending, at most `limit`. */
  updates: RemoteUpdate[]
  /**
   * True when the page is full (`updates.length === limit`): pull again from `lastSeq`. It may be
   * true when exactly `limit` updates remained; the next page is then empty with `hasMore: false`.
   */
  hasMore: boolean
  /** The seq of the last update of the page, or `afterSeq` when it is empty: the next cursor. */
  lastSeq: number
}

/** Options of {@link RemoteLog.pull}. */
export interface RemotePullOptions {
  /** Most updates in the page, 1 to `maxPullLimit` (larger → `too-large`). Default 500. */
  limit?: number
}

/** A compacted state of a conversation, covering seqs `1..uptoSeq`. */
export interface RemoteSnapshot {
  /** `Y.encodeStateAsUpdate` bytes (a copy). */
  state: Uint8Array
  uptoSeq: number
  /** Always null now: snapshots are written by the trusted compactor (service role) only. */
  createdBy: UserId | null
  /** When it was stored, in ms since the epoch. */
  updatedAt: number
}

/** Options of {@link RemoteLog.getSnapshot}. */
export interface RemoteGetSnapshotOptions {
  /**
   * Only a snapshot with `uptoSeq < beforeSeq`: to step back past one that fails to load. The
   * server keeps the newest 3 and the one the log was pruned against. Default: the newest.
   */
  beforeSeq?: number
}

/** The outcome of {@link RemoteLog.requestCompaction}. */
export interface RemoteCompactionResult {
  /** Whether a compaction was started (false: rate-limited, or nothing worth compacting). */
  started: boolean
}

/** The outcome of the trusted compactor's `put_snapshot` (service role only). */
export interface RemotePutSnapshotResult {
  /** False when a snapshot at least as new already existed (nothing changed). */
  stored: boolean
  /** The newest snapshot's `uptoSeq` after the call. */
  uptoSeq: number
}

/** A member's role in a conversation. */
export type RemoteMemberRole = 'owner' | 'member'

/**
 * A device as the server knows it: whose it is, its Ed25519 public key, and the Yjs client ids
 * bound to it. A client id is bound to at most one device project-wide, forever.
 */
export interface RemoteDevice {
  id: DeviceId
  user: UserId
  /** Raw Ed25519 public key, 32 bytes. */
  publicKey: Uint8Array
  clientIds: readonly number[]
}

/** Arguments of {@link RemoteLog.registerDevice}. */
export interface RemoteDeviceRegistration {
  id: DeviceId
  /** Raw Ed25519 public key, 32 bytes. */
  publicKey: Uint8Array
  /** Yjs client ids to bind to the device (added to those already bound). Each 1 to 2^53 − 1. */
  clientIds: readonly number[]
}

/** A member of a conversation, as the server's membership says. */
export interface RemoteMember {
  user: UserId
  role: RemoteMemberRole
  /** ms since the epoch. */
  joinedAt: number
}

/** A conversation the caller is a member of, as the server sees it. */
export interface RemoteConversation {
  id: ConversationId
  title: string
  /** Free-form kind (`^[a-z][a-z0-9_-]{0,31}$`), default `'chat'`. */
  kind: string
  createdBy: UserId | null
  /** ms since the epoch. */
  createdAt: number
  /** The caller's role. */
  role: RemoteMemberRole
  /** When the caller joined, ms since the epoch. */
  joinedAt: number
  /** The seq of the newest update in the log (0 when empty). */
  lastSeq: number
  /** When the last update was pushed (ms since the epoch), or null when never. */
  lastUpdateAt: number | null
  /** Seqs up to this were pruned from the log (0 = none): pull below it needs the snapshot. */
  prunedUptoSeq: number
  /** The newest snapshot's `uptoSeq`, or null when there is none. */
  snapshotUptoSeq: number | null
}

/** Arguments of {@link RemoteLog.createConversation}. */
export interface RemoteCreateConversation {
  /** The conversation id, chosen by the client (so one created offline syncs later). A UUID. */
  id: ConversationId
  /** ≤ `maxTitleLength` characters. Default `''`. */
  title?: string
  /** Default `'chat'`. */
  kind?: string
}

/** Options of {@link RemoteLog.createInvite}. */
export interface RemoteCreateInviteOptions {
  /** Lifetime in seconds, 60 to 31,536,000, or null for never. Default 604,800 (7 days). */
  ttlSeconds?: number | null
  /** How many joins it allows, 1 to 100,000, or null for unlimited. Default null. */
  maxUses?: number | null
}

/** An invite to a conversation. */
export interface RemoteInvite {
  /** 8 characters of `ABCDEFGHJKLMNPQRSTUVWXYZ23456789`; join accepts any case and dashes. */
  code: string
  conversationId: ConversationId
  /** A join link, when the remote log was configured with a way to build one. */
  url?: string
  /** ms since the epoch, or null for never. */
  expiresAt: number | null
  maxUses: number | null
  uses: number
}

/** The state of a remote log's notice channel (its inbox). */
export type RemoteLogInboxStatus = 'connecting' | 'online' | 'offline' | 'closed'

/** Events of a {@link RemoteLog}: kebab-case names, one payload object each. Best effort. */
export interface RemoteLogEvents {
  /** A conversation's log grew to `seq` (possibly by this device's own push). */
  'conversation-updated': { conversationId: ConversationId; seq: number }
  /** The caller became a member (created or joined, possibly on another device). */
  'conversation-joined': { conversationId: ConversationId }
  /** The caller left (possibly on another device). */
  'conversation-left': { conversationId: ConversationId }
  /** Someone joined, left or was removed, or a role changed: read `members()` again. */
  'members-changed': { conversationId: ConversationId }
  /**
   * The notice channel changed state. Notices sent while it was not `online` are lost: on
   * `online`, reconcile with `listConversations()`.
   */
  'inbox-status': { status: RemoteLogInboxStatus }
  /** A non-fatal failure outside a call (an invalid notice, the inbox refused). */
  error: { error: RemoteLogError }
}

/** A listener of a {@link RemoteLogEvents} event. */
export type RemoteLogListener<E extends keyof RemoteLogEvents> = (
  payload: RemoteLogEvents[E],
) => void

/**
 * The durable server side of sync: a per-conversation log of Yjs updates with snapshots and
 * membership. See the header of this file for the guarantees (settling, atomicity, idempotent
 * writes, gapless ordered seqs, access control) and what is not guaranteed.
 */
export interface RemoteLog {
  /** A short name for diagnostics, e.g. `'supabase'`, `'memory'`. */
  readonly kind: string
  /** The state of the notice channel; changes are announced by `inbox-status`. */
  readonly inboxStatus: RemoteLogInboxStatus

  /**
   * Appends updates to a conversation's log, all or nothing, and resolves with one result per
   * entry in input order. Idempotent per `clientUpdateId`: an entry already in the log gets its
   * original seq with `duplicate: true`. At most `maxBatchUpdates` entries and `maxBatchBytes`
   * bytes; an empty array resolves `[]`.
   *
   * Fails with `forbidden` (not a member), `too-large` (`details.index`), `invalid`, `conflict`
   * (a `clientUpdateId` reused with other bytes), or a retryable code.
   */
  push(
    conversationId: ConversationId,
    entries: readonly RemotePushEntry[],
  ): Promise<RemotePushResult[]>

  /**
   * One page of the log after `afterSeq` (0 for the start), ascending. Fails with `forbidden`,
   * `history-pruned` (`afterSeq` is below the pruned point: load the snapshot and pull from its
   * `uptoSeq`), `too-large` (limit), `invalid`, or a retryable code.
   */
  pull(
    conversationId: ConversationId,
    afterSeq: number,
    options?: RemotePullOptions,
  ): Promise<RemotePullPage>

  /** The newest snapshot (or the newest below `beforeSeq`), or null when there is none. */
  getSnapshot(
    conversationId: ConversationId,
    options?: RemoteGetSnapshotOptions,
  ): Promise<RemoteSnapshot | null>

  /**
   * Asks the server's trusted compactor to fold the log into a snapshot (members cannot write
   * snapshots). Best effort and rate-limited per conversation: resolves `{ started: false }` when
   * a compaction ran recently or the log is short. Fails with `forbidden`, `not-authenticated`,
   * `unknown` (no compactor deployed), or a retryable code.
   */
  requestCompaction(conversationId: ConversationId): Promise<RemoteCompactionResult>

  /**
   * Registers (or extends) one of the caller's devices. Idempotent. Fails with `conflict` when a
   * client id is bound to another device or the device id belongs to another user, `invalid`
   * (key or ids malformed, more than 64 ids in one call or 4,096 on one device), or a retryable
   * code.
   */
  registerDevice(device: RemoteDeviceRegistration): Promise<void>

  /**
   * The devices that may have written a conversation's updates: those of its members and of
   * every author in its log. Fails with `forbidden` (not a member) or a retryable code.
   */
  conversationDevices(conversationId: ConversationId): Promise<RemoteDevice[]>

  /** The conversation's members with their roles. Fails with `forbidden` or a retryable code. */
  members(conversationId: ConversationId): Promise<RemoteMember[]>

  /** The caller's conversations, most recently active first. */
  listConversations(): Promise<RemoteConversation[]>

  /**
   * Creates a conversation with the caller as owner. Idempotent on `id`: if the caller is already
   * a member, resolves with the existing conversation (title and kind unchanged). Fails with
   * `forbidden` when another conversation the caller is not in holds the id — the same answer as
   * for any conversation the caller is not in, so ids cannot be probed.
   */
  createConversation(conversation: RemoteCreateConversation): Promise<RemoteConversation>

  /** Creates an invite code to a conversation (any member may). */
  createInvite(
    conversationId: ConversationId,
    options?: RemoteCreateInviteOptions,
  ): Promise<RemoteInvite>

  /**
   * Joins the conversation of an invite code (case, dashes and spaces ignored) and resolves with
   * it. Joining one the caller is already in uses nothing up. Fails with `invite-not-found`,
   * `invite-expired`, `invite-exhausted`, or `rate-limited` (`details.retryAfterS`) after 10
   * failed codes in 10 minutes.
   */
  joinConversation(code: string): Promise<RemoteConversation>

  /** Leaves a conversation. Idempotent; the log stays for the other members. */
  leaveConversation(conversationId: ConversationId): Promise<void>

  /** Subscribes to an event; returns the function that unsubscribes. */
  on<E extends keyof RemoteLogEvents>(event: E, listener: RemoteLogListener<E>): () => void

  /**
   * Releases the notice channel and listeners. Idempotent. Calls made afterwards reject with
   * `closed`; calls already under way settle normally.
   */
  close(): void
}
