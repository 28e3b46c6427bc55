// The log half of the memory server: push, pull, snapshots and compaction, with the Supabase
// RPCs' rules (gapless per-conversation seqs, idempotent push by clientUpdateId, all-or-nothing
// batches, every row signed by one of the pusher's devices, snapshots that never destroy history
// and come only from the trusted compactor).
import { isClientUpdateId } from '@parley/core/ports'
import type {
  ClientUpdateId,
  ConversationId,
  RemoteCompactionResult,
  RemoteGetSnapshotOptions,
  RemotePullOptions,
  RemotePullPage,
  RemotePushEntry,
  RemotePushResult,
  RemotePutSnapshotResult,
  RemoteSnapshot,
  UserId,
} from '@parley/core/ports'
import { failRemoteLog } from './fail-remote-log.js'
import { devicesOfConversation, isMemoryDeviceId } from './memory-device-handlers.js'
import { copyUpdate, listMembers } from './memory-remote-conversation.js'
import type { StoredConversation, StoredUpdate } from './memory-remote-conversation.js'
import { checkConversationId, notify, requireMember } from './memory-remote-log-server-state.js'
import type { MemoryRemoteLogServerState } from './memory-remote-log-server-state.js'

const KEPT_SNAPSHOTS = 3
/** Bytes of an Ed25519 signature. */
const SIGNATURE_BYTES = 64

const equalBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.byteLength === b.byteLength && a.every((value, i) => value === b[i])

const isSeq = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0

/** The log handlers of a memory server, see {@link createMemoryLogHandlers}. */
export type MemoryLogHandlers = ReturnType<typeof createMemoryLogHandlers>

/**
 * The server-side work of `push`, `pull`, `getSnapshot` and `requestCompaction` on `state`, each
 * for the calling `userId`, and the trusted `putSnapshot` of the service role. Each runs
 * synchronously and validates everything before it writes anything.
 */
export function createMemoryLogHandlers(state: MemoryRemoteLogServerState) {
  /** `put_snapshot` (service role only): stores a snapshot of `1..uptoSeq` unless not newer. */
  const storeSnapshot = (
    conversation: StoredConversation,
    snapshot: Uint8Array,
    uptoSeq: number,
    op: string,
  ): RemotePutSnapshotResult => {
    if (!Number.isSafeInteger(uptoSeq) || uptoSeq < 1)
      failRemoteLog('invalid', 'uptoSeq must be >= 1', op, 'PARLEY_INVALID_ARGUMENT')
    if (uptoSeq > conversation.lastSeq)
      failRemoteLog('invalid', 'uptoSeq is beyond the log', op, 'PARLEY_SNAPSHOT_AHEAD', {
        uptoSeq,
        lastSeq: conversation.lastSeq,
      })
    if (!(snapshot instanceof Uint8Array) || snapshot.byteLength === 0)
      failRemoteLog('invalid', 'empty snapshot', op, 'PARLEY_INVALID_SNAPSHOT')
    if (snapshot.byteLength > state.limits.maxSnapshotBytes)
      failRemoteLog('too-large', 'snapshot too large', op, 'PARLEY_SNAPSHOT_TOO_LARGE', {
        size: snapshot.byteLength,
        limit: state.limits.maxSnapshotBytes,
      })
    const newest = conversation.snapshots.at(-1)
    if (newest && uptoSeq <= newest.uptoSeq) return { stored: false, uptoSeq: newest.uptoSeq }
    conversation.snapshots.push({
      uptoSeq,
      state: snapshot.slice(),
      createdBy: null,
      updatedAt: state.now(),
    })
    // Keep the newest few and the one the log was pruned against (the anchor).
    const keep = new Set(conversation.snapshots.slice(-KEPT_SNAPSHOTS).map((s) => s.uptoSeq))
    conversation.snapshots = conversation.snapshots.filter(
      (s) => keep.has(s.uptoSeq) || s.uptoSeq === conversation.prunedUptoSeq,
    )
    return { stored: true, uptoSeq }
  }

  return {
    push(
      userId: UserId,
      id: ConversationId,
      entries: readonly RemotePushEntry[],
    ): RemotePushResult[] {
      const op = 'push'
      const conversation = requireMember(state, userId, id, op)
      if (!Array.isArray(entries))
        failRemoteLog('invalid', 'entries must be an array', op, 'PARLEY_INVALID_ARGUMENT')
      if (entries.length > state.limits.maxBatchUpdates)
        failRemoteLog(
          'too-large',
          `more than ${state.limits.maxBatchUpdates} updates`,
          op,
          'PARLEY_BATCH_TOO_LARGE',
          {
            count: entries.length,
            limit: state.limits.maxBatchUpdates,
          },
        )
      // Validate everything before writing anything: all or nothing.
      let total = 0
      const seen = new Map<string, RemotePushEntry>()
      entries.forEach((entry, index) => {
        const { update, device, signature } = (entry ?? {}) as Partial<RemotePushEntry>
        if (
          !isClientUpdateId(entry?.clientUpdateId) ||
          !(update instanceof Uint8Array) ||
          !isMemoryDeviceId(state, device) ||
          !(signature instanceof Uint8Array)
        )
          failRemoteLog(
            'invalid',
            'each entry needs a UUID clientUpdateId, bytes, a device id and a signature',
            op,
            'PARLEY_INVALID_UPDATE',
            { index },
          )
        const bytes = update as Uint8Array
        if (bytes.byteLength === 0)
          failRemoteLog('invalid', 'empty update', op, 'PARLEY_INVALID_UPDATE', { index })
        if (bytes.byteLength > state.limits.maxUpdateBytes)
          failRemoteLog('too-large', 'update too large', op, 'PARLEY_UPDATE_TOO_LARGE', {
            index,
            size: bytes.byteLength,
            limit: state.limits.maxUpdateBytes,
          })
        total += bytes.byteLength
        if (total > state.limits.maxBatchBytes)
          failRemoteLog('too-large', 'batch too large', op, 'PARLEY_BATCH_TOO_LARGE', {
            index,
            size: total,
            limit: state.limits.maxBatchBytes,
          })
        if (signature.byteLength !== SIGNATURE_BYTES)
          failRemoteLog('invalid', 'signature must be 64 bytes', op, 'PARLEY_INVALID_UPDATE', {
            index,
            size: signature.byteLength,
          })
        if (state.registeredDevices.get(device)?.user !== userId)
          failRemoteLog(
            'forbidden',
            'device is not a registered device of the caller',
            op,
            'PARLEY_UNKNOWN_DEVICE',
            { index, deviceId: device },
          )
        const key = entry.clientUpdateId.toLowerCase()
        const old = conversation.byClientId.get(key)
        const earlier = seen.get(key)
        const same = (other: { update: Uint8Array; device: string; signature: Uint8Array }) =>
          equalBytes(other.update, bytes) &&
          other.device === device &&
          equalBytes(other.signature, signature)
        if ((old && (!same(old) || old.author !== userId)) || (earlier && !same(earlier)))
          failRemoteLog(
            'conflict',
            'clientUpdateId already used for a different update',
            op,
            'PARLEY_CLIENT_UPDATE_ID_REUSED',
            {
              index,
              client_update_id: entry.clientUpdateId,
            },
          )
        seen.set(key, entry)
      })
      const createdAt = state.now()
      const results = entries.map((entry): RemotePushResult => {
        const key = entry.clientUpdateId.toLowerCase()
        const old = conversation.byClientId.get(key)
        if (old) return { clientUpdateId: entry.clientUpdateId, seq: old.seq, duplicate: true }
        const stored: StoredUpdate = {
          seq: ++conversation.lastSeq,
          update: entry.update.slice(),
          author: userId,
          device: entry.device,
          signature: entry.signature.slice(),
          clientUpdateId: key as ClientUpdateId,
          createdAt,
        }
        conversation.updates.push(stored)
        conversation.byClientId.set(key, stored)
        return { clientUpdateId: entry.clientUpdateId, seq: stored.seq, duplicate: false }
      })
      if (results.some((result) => !result.duplicate)) {
        conversation.lastUpdateAt = createdAt
        for (const member of conversation.members.keys())
          notify(state, member, 'conversation-updated', {
            conversationId: id,
            seq: conversation.lastSeq,
          })
      }
      return results
    },

    pull(
      userId: UserId,
      id: ConversationId,
      afterSeq: number,
      options?: RemotePullOptions,
    ): RemotePullPage {
      const op = 'pull'
      const conversation = requireMember(state, userId, id, op)
      const limit = options?.limit ?? 500
      if (!isSeq(afterSeq))
        failRemoteLog('invalid', 'afterSeq must be >= 0', op, 'PARLEY_INVALID_ARGUMENT')
      if (!Number.isSafeInteger(limit) || limit < 1)
        failRemoteLog('invalid', 'limit must be >= 1', op, 'PARLEY_INVALID_ARGUMENT')
      if (limit > state.limits.maxPullLimit)
        failRemoteLog(
          'too-large',
          `limit larger than ${state.limits.maxPullLimit}`,
          op,
          'PARLEY_PAGE_TOO_LARGE',
          {
            limit: state.limits.maxPullLimit,
            requested: limit,
          },
        )
      if (afterSeq < conversation.prunedUptoSeq)
        failRemoteLog(
          'history-pruned',
          'updates were compacted; load the snapshot first',
          op,
          'PARLEY_HISTORY_PRUNED',
          {
            prunedUptoSeq: conversation.prunedUptoSeq,
          },
        )
      const updates = conversation.updates
        .filter((u) => u.seq > afterSeq)
        .slice(0, limit)
        .map(copyUpdate)
      return {
        updates,
        hasMore: updates.length === limit,
        lastSeq: updates.at(-1)?.seq ?? afterSeq,
      }
    },

    getSnapshot(
      userId: UserId,
      id: ConversationId,
      options?: RemoteGetSnapshotOptions,
    ): RemoteSnapshot | null {
      const conversation = requireMember(state, userId, id, 'getSnapshot')
      const before = options?.beforeSeq
      const found = [...conversation.snapshots]
        .reverse()
        .find((s) => before === undefined || s.uptoSeq < before)
      return found ? { ...found, state: found.state.slice() } : null
    },

    requestCompaction(userId: UserId, id: ConversationId): RemoteCompactionResult {
      const op = 'requestCompaction'
      const conversation = requireMember(state, userId, id, op)
      const compactor = state.options.compactor
      if (compactor === undefined) return { started: false }
      const newest = conversation.snapshots.at(-1)
      const after = newest?.uptoSeq ?? 0
      let result: ReturnType<typeof compactor>
      try {
        result = compactor({
          conversationId: conversation.id,
          snapshot: newest ? newest.state.slice() : null,
          rows: conversation.updates.filter((u) => u.seq > after).map(copyUpdate),
          devices: devicesOfConversation(state, conversation),
          members: listMembers(conversation),
        })
      } catch (cause) {
        // The Edge Function failing answers 500.
        return failRemoteLog('unavailable', `the compactor threw: ${String(cause)}`, op)
      }
      if (result === null) return { started: false }
      storeSnapshot(conversation, result.state, result.uptoSeq, op)
      return { started: true }
    },

    /** The service role's `put_snapshot`: no membership, `createdBy: null`. */
    putTrustedSnapshot(
      id: ConversationId,
      snapshot: Uint8Array,
      uptoSeq: number,
    ): RemotePutSnapshotResult {
      const op = 'putSnapshot'
      const conversation = state.conversations.get(checkConversationId(state, id, op))
      if (!conversation)
        failRemoteLog('invalid', 'no such conversation', op, 'PARLEY_INVALID_ARGUMENT', {
          argument: 'p_conversation_id',
        })
      return storeSnapshot(conversation, snapshot, uptoSeq, op)
    },
  }
}
