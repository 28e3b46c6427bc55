// What one memory server holds and the checks every handler shares. Handlers are free functions
// over this explicit state (after Yjs): each runs synchronously, so a call is one "transaction".
import {
  isUuid,
  isValidId,
  REMOTE_LOG_LIMITS,
  type ConversationId,
  type DeviceId,
  type RemoteLogEvents,
  type RemoteLogInboxStatus,
  type UserId,
} from '@parley/core/ports'
import { failRemoteLog } from './fail-remote-log.js'
import type { StoredConversation } from './memory-remote-conversation.js'
import type {
  MemoryRemoteLogLimits,
  MemoryRemoteLogServerOptions,
} from './memory-remote-log-server-options.js'

/** An invite code and what is left of it. */
export interface StoredInvite {
  code: string
  conversationId: ConversationId
  expiresAt: number | null
  maxUses: number | null
  uses: number
}

/** A registered device (`register_device`): whose it is, its key, its Yjs client ids. */
export interface StoredDevice {
  id: DeviceId
  user: UserId
  publicKey: Uint8Array
  /** Ascending, each bound to this device only. */
  clientIds: number[]
}

/** Failed invite codes of one user in the current window (the join rate limit). */
export interface JoinFailureWindow {
  /** When the window's first failure happened, ms since the epoch. */
  start: number
  count: number
}

/** The server's side of one connected device: where its notices and inbox status go. */
export interface MemoryRemoteDevice {
  userId: UserId
  deliver<E extends keyof RemoteLogEvents>(event: E, payload: RemoteLogEvents[E]): void
  setInboxStatus(status: RemoteLogInboxStatus): void
}

/** The whole state of one memory server. */
export interface MemoryRemoteLogServerState {
  readonly options: MemoryRemoteLogServerOptions
  readonly now: () => number
  readonly limits: MemoryRemoteLogLimits
  readonly conversations: Map<string, StoredConversation>
  readonly invites: Map<string, StoredInvite>
  /** The connected devices (`connect`), where notices go. */
  readonly devices: Set<MemoryRemoteDevice>
  /** The registered devices (`registerDevice`), by id. */
  readonly registeredDevices: Map<string, StoredDevice>
  /** Which device each Yjs client id is bound to, project-wide and forever. */
  readonly clientIdOwners: Map<number, DeviceId>
  /** Failed joins per user, for the rate limit of `join_conversation`. */
  readonly joinFailures: Map<UserId, JoinFailureWindow>
  /** Off the network: every call rejects with `network` and notices are lost. */
  offline: boolean
  /** The next member's join order, which picks the next owner when the last one leaves. */
  memberOrder: number
}

/** The empty state of a new server. */
export function createMemoryRemoteLogServerState(
  options: MemoryRemoteLogServerOptions,
): MemoryRemoteLogServerState {
  return {
    options,
    now: options.now ?? Date.now,
    limits: { ...REMOTE_LOG_LIMITS, ...options.limits },
    conversations: new Map(),
    invites: new Map(),
    devices: new Set(),
    registeredDevices: new Map(),
    clientIdOwners: new Map(),
    joinFailures: new Map(),
    offline: false,
    memberOrder: 0,
  }
}

/** `id` as a conversation id, or an `invalid` rejection (`22P02`, as Postgres casts a bad UUID). */
export function checkConversationId(
  state: MemoryRemoteLogServerState,
  id: unknown,
  operation: string,
): ConversationId {
  if (!isValidId(id) || (state.options.requireUuidIds === true && !isUuid(id)))
    failRemoteLog('invalid', `malformed conversation id ${JSON.stringify(id)}`, operation, '22P02')
  return id as ConversationId
}

/**
 * The conversation `id` if `userId` is a member, else a `forbidden` rejection; a missing
 * conversation is `forbidden` too, so a caller cannot probe which ids exist.
 */
export function requireMember(
  state: MemoryRemoteLogServerState,
  userId: UserId,
  id: unknown,
  operation: string,
): StoredConversation {
  const checked = checkConversationId(state, id, operation)
  const conversation = state.conversations.get(checked)
  if (!conversation || !conversation.members.has(userId))
    failRemoteLog(
      'forbidden',
      'not a member of this conversation',
      operation,
      'PARLEY_NOT_MEMBER',
      {
        conversation_id: checked,
      },
    )
  return conversation as StoredConversation
}

/** Delivers a notice to every online device of `userId`, on a microtask (after the call). */
export function notify<E extends keyof RemoteLogEvents>(
  state: MemoryRemoteLogServerState,
  userId: UserId,
  event: E,
  payload: RemoteLogEvents[E],
): void {
  if (state.offline) return
  const targets = [...state.devices].filter((device) => device.userId === userId)
  queueMicrotask(() => {
    // A notice in flight when the server went offline is lost, as on a real socket.
    if (state.offline) return
    for (const device of targets) device.deliver(event, payload)
  })
}
