// An in-memory RemoteLog for engine tests: the semantics of the Supabase RPCs (per-conversation
// gapless seqs, idempotent push signed by registered devices, per-user membership, invites,
// snapshots from a trusted compactor that never destroy history, trusted pruning, inbox notices)
// without a network. One server holds the data; each
// `connect(userId)` is one device of that user. Every call takes effect synchronously and
// settles on a microtask; notices are delivered on microtasks after the call took effect, so
// tests stay deterministic. Faults (offline, lost responses, refusals) are injected on the server.
import {
  RemoteLogError,
  type ConversationId,
  type RemoteLog,
  type RemotePutSnapshotResult,
  type UserId,
} from '@parley/core/ports'
import { createMemoryDeviceHandlers } from './memory-device-handlers.js'
import { createMemoryLogHandlers } from './memory-log-handlers.js'
import { createMemoryMembershipHandlers } from './memory-membership-handlers.js'
import { inspectConversation } from './memory-remote-conversation.js'
import type { MemoryRemoteConversationState } from './memory-remote-conversation.js'
import { connectMemoryRemoteLogDevice } from './memory-remote-log-device.js'
import { createMemoryRemoteLogFaults } from './memory-remote-log-faults.js'
import type { MemoryRemoteLogFault } from './memory-remote-log-faults.js'
import type { MemoryRemoteLogServerOptions } from './memory-remote-log-server-options.js'
import { createMemoryRemoteLogServerState } from './memory-remote-log-server-state.js'

// Re-exported so this module (and the package index's `export *`) keeps every name it had.
export type { MemoryRemoteConversationState } from './memory-remote-conversation.js'
export type { MemoryRemoteLogFault } from './memory-remote-log-faults.js'
export type {
  MemoryCompactor,
  MemoryCompactorInput,
  MemoryRemoteLogLimits,
  MemoryRemoteLogServerOptions,
} from './memory-remote-log-server-options.js'

/** A shared in-memory server; each {@link MemoryRemoteLogServer.connect} is one device. */
export interface MemoryRemoteLogServer {
  /** A RemoteLog for one device of `userId`. */
  connect(userId: UserId | string): MemoryRemoteLog
  /**
   * The trusted compaction (`prune_updates`, service_role only on Supabase): deletes log rows up
   * to `uptoSeq`, which must be a stored snapshot's `uptoSeq` (else throws). Returns the count.
   */
  prune(conversationId: ConversationId, uptoSeq: number): number
  /**
   * The trusted compactor's `put_snapshot` (service_role only on Supabase; members cannot write
   * snapshots): stores a snapshot of seqs `1..uptoSeq` with `createdBy: null`, unless one at
   * least as new exists (`stored: false`). Throws a `RemoteLogError` (`invalid`, `too-large`) for
   * a missing conversation, an `uptoSeq` beyond the log, empty or too large bytes.
   */
  putTrustedSnapshot(
    conversationId: ConversationId,
    state: Uint8Array,
    uptoSeq: number,
  ): RemotePutSnapshotResult
  /**
   * Takes the server off the network (every call rejects with `network`, every inbox goes
   * `offline` and notices are lost) or back on (inboxes go `online`).
   */
  setOffline(offline: boolean): void
  /** Makes the next matching calls fail (see {@link MemoryRemoteLogFault}). Faults queue up. */
  failNext(fault?: MemoryRemoteLogFault): void
  /** A copy of a conversation's stored state, or undefined if it does not exist. */
  inspect(conversationId: ConversationId): MemoryRemoteConversationState | undefined
  /** How many calls each method received (including failed ones). */
  readonly calls: Readonly<Record<string, number>>
}

/** A RemoteLog of a memory server, for one device of one user. */
export interface MemoryRemoteLog extends RemoteLog {
  /** The user this device is signed in as. */
  readonly userId: UserId
  /** The server it talks to. */
  readonly server: MemoryRemoteLogServer
}

/** Options of {@link createMemoryRemoteLog}. */
export interface MemoryRemoteLogOptions {
  /** The server; default a new one (with `serverOptions`). */
  server?: MemoryRemoteLogServer
  /** Options of the server created when `server` is absent. */
  serverOptions?: MemoryRemoteLogServerOptions
  /** The signed-in user. Default `'user-1'`. */
  userId?: UserId | string
}

/** A new memory server (see {@link MemoryRemoteLogServer}). */
export function createMemoryRemoteLogServer(
  options: MemoryRemoteLogServerOptions = {},
): MemoryRemoteLogServer {
  const state = createMemoryRemoteLogServerState(options)
  const faults = createMemoryRemoteLogFaults(state)
  const handlers = {
    ...createMemoryLogHandlers(state),
    ...createMemoryMembershipHandlers(state),
    ...createMemoryDeviceHandlers(state),
  }

  const server: MemoryRemoteLogServer = {
    calls: faults.calls,
    connect(userIdInput) {
      return connectMemoryRemoteLogDevice({ server, state, handlers, faults }, userIdInput)
    },

    prune(id, uptoSeq) {
      const conversation = state.conversations.get(id)
      if (!conversation || !conversation.snapshots.some((s) => s.uptoSeq === uptoSeq))
        throw new RemoteLogError('invalid', `prune: no snapshot with uptoSeq ${uptoSeq}`, {
          operation: 'prune',
          serverCode: 'PARLEY_INVALID_ARGUMENT',
        })
      conversation.prunedUptoSeq = Math.max(conversation.prunedUptoSeq, uptoSeq)
      const before = conversation.updates.length
      conversation.updates = conversation.updates.filter((u) => u.seq > uptoSeq)
      // A retried push of a pruned update is appended again under a new seq, as on Supabase.
      for (const [key, u] of conversation.byClientId)
        if (u.seq <= uptoSeq) conversation.byClientId.delete(key)
      return before - conversation.updates.length
    },

    putTrustedSnapshot(id, snapshot, uptoSeq) {
      return handlers.putTrustedSnapshot(id, snapshot, uptoSeq)
    },

    setOffline(value) {
      state.offline = value
      for (const device of state.devices) device.setInboxStatus(value ? 'offline' : 'online')
    },

    failNext(fault = {}) {
      faults.arm(fault)
    },

    inspect(id) {
      const c = state.conversations.get(id)
      return c === undefined ? undefined : inspectConversation(c)
    },
  }
  return server
}

/**
 * A {@link MemoryRemoteLog}: one device of `userId` on `server` (a new server by default). For
 * several users or devices, create one server and `connect` each.
 */
export function createMemoryRemoteLog(options: MemoryRemoteLogOptions = {}): MemoryRemoteLog {
  const server = options.server ?? createMemoryRemoteLogServer(options.serverOptions)
  return server.connect(options.userId ?? 'user-1')
}
