// The log half of the memory server: push, pull and snapshots, with the Supabase RPCs' rules
// (gapless per-conversation seqs, idempotent push by clientUpdateId, all-or-nothing batches,
// snapshots that never destroy history).
import { isClientUpdateId } from '@parley/core/ports'
import type {
  ClientUpdateId,
  ConversationId,
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
import type { StoredUpdate } from './memory-remote-conversation.js'
import { notify, requireMember } from './memory-remote-log-server-state.js'
import type { MemoryRemoteLogServerState } from './memory-remote-log-server-state.js'

const KEPT_SNAPSHOTS = 3

const equalBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.byteLength === b.byteLength && a.every((value, i) => value === b[i])

const isSeq = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0

/** The log handlers of a memory server, see {@link createMemoryLogHandlers}. */
export type MemoryLogHandlers = ReturnType<typeof createMemoryLogHandlers>

/**
 * The server-side work of `push`, `pull`, `getSnapshot` and `putSnapshot` on `state`, each for the
 * calling `userId`. Each runs synchronously and validates everything before it writes anything.
 */
export function createMemoryLogHandlers(state: MemoryRemoteLogServerState) {
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
      const seen = new Map<string, Uint8Array>()
      entries.forEach((entry, index) => {
        const update = (entry as Partial<RemotePushEntry> | null)?.update
        if (!isClientUpdateId(entry?.clientUpdateId) || !(update instanceof Uint8Array))
          failRemoteLog(
            'invalid',
            'each entry needs a UUID clientUpdateId and bytes',
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
        const key = entry.clientUpdateId.toLowerCase()
        const old = conversation.byClientId.get(key)
        const earlier = seen.get(key)
        if (
          (old && (!equalBytes(old.update, bytes) || old.author !== userId)) ||
          (earlier && !equalBytes(earlier, bytes))
        )
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
        seen.set(key, bytes)
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
        .map((u) => ({ ...u, update: u.update.slice() }))
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

    putSnapshot(
      userId: UserId,
      id: ConversationId,
      snapshot: Uint8Array,
      uptoSeq: number,
    ): RemotePutSnapshotResult {
      const op = 'putSnapshot'
      const conversation = requireMember(state, userId, id, op)
      if (!Number.isSafeInteger(uptoSeq) || uptoSeq < 1)
        failRemoteLog('invalid', 'uptoSeq must be >= 1', op, 'PARLEY_INVALID_ARGUMENT')
      if (uptoSeq > conversation.lastSeq)
        failRemoteLog('invalid', 'uptoSeq is beyond the log', op, 'PARLEY_SNAPSHOT_AHEAD', {
          upto_seq: uptoSeq,
          last_seq: conversation.lastSeq,
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
        createdBy: userId,
        updatedAt: state.now(),
      })
      // Keep the newest few and the one the log was pruned against (the anchor).
      const keep = new Set(conversation.snapshots.slice(-KEPT_SNAPSHOTS).map((s) => s.uptoSeq))
      conversation.snapshots = conversation.snapshots.filter(
        (s) => keep.has(s.uptoSeq) || s.uptoSeq === conversation.prunedUptoSeq,
      )
      return { stored: true, uptoSeq }
    },
  }
}
