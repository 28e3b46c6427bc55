// An in-memory RemoteLog for engine tests: the semantics of the Supabase RPCs (per-conversation
// gapless seqs, idempotent push, per-user membership, invites, snapshots that never destroy
// history, trusted pruning, inbox notices) without a network. One server holds the data; each
// `connect(userId)` is one device of that user. Every call takes effect synchronously and
// settles on a microtask; notices are delivered on microtasks after the call took effect, so
// tests stay deterministic. Faults (offline, lost responses, refusals) are injected on the server.
import {
  isClientUpdateId,
  isUuid,
  isValidId,
  REMOTE_LOG_LIMITS,
  RemoteLogError,
  type ClientUpdateId,
  type ConversationId,
  type RemoteConversation,
  type RemoteCreateConversation,
  type RemoteCreateInviteOptions,
  type RemoteGetSnapshotOptions,
  type RemoteInvite,
  type RemoteLog,
  type RemoteLogErrorCode,
  type RemoteLogEvents,
  type RemoteLogInboxStatus,
  type RemoteLogListener,
  type RemoteMemberRole,
  type RemotePullOptions,
  type RemotePullPage,
  type RemotePushEntry,
  type RemotePushResult,
  type RemotePutSnapshotResult,
  type RemoteSnapshot,
  type UserId,
} from '@parley/core/ports'

/** The limits a memory server enforces; override some to test `too-large` with small data. */
export type MemoryRemoteLogLimits = { -readonly [K in keyof typeof REMOTE_LOG_LIMITS]: number }

/** Options of {@link createMemoryRemoteLogServer}. */
export interface MemoryRemoteLogServerOptions {
  /** The clock for `createdAt` and invite expiry, ms since the epoch. Default `Date.now`. */
  now?: () => number
  /** Limit overrides. Default {@link REMOTE_LOG_LIMITS}. */
  limits?: Partial<MemoryRemoteLogLimits>
  /**
   * Require UUIDs for conversation ids, as the Supabase schema does (else `invalid`). Default
   * false: any valid id (`isValidId`) is accepted, so engine tests may use readable ids.
   */
  requireUuidIds?: boolean
  /** The invite link for a code (sets `RemoteInvite.url`). Default: none. */
  inviteUrl?: (code: string) => string
}

/** A fault to inject on the next matching calls, see {@link MemoryRemoteLogServer.failNext}. */
export interface MemoryRemoteLogFault {
  /** The error code the call rejects with. Default `'network'`. */
  code?: RemoteLogErrorCode
  /** Only calls of this method (`'push'`, `'pull'`…). Default: any method. */
  operation?: keyof RemoteLog
  /**
   * Apply the call first, then reject: a response lost on the way back (the server did the
   * work, the client saw a failure). Default false: rejected before it takes effect.
   */
  applied?: boolean
  /** How many calls fail. Default 1. */
  count?: number
}

/** The stored log of one conversation, for assertions. */
export interface MemoryRemoteConversationState {
  id: ConversationId
  title: string
  kind: string
  lastSeq: number
  prunedUptoSeq: number
  /** Log rows (pruned ones are gone), ascending. */
  updates: { seq: number; update: Uint8Array; author: UserId; clientUpdateId: ClientUpdateId }[]
  /** Kept snapshots' `uptoSeq`, ascending. */
  snapshots: number[]
  members: { userId: UserId; role: RemoteMemberRole }[]
}

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

interface StoredUpdate {
  seq: number
  update: Uint8Array
  author: UserId
  clientUpdateId: ClientUpdateId
  createdAt: number
}

interface StoredSnapshot {
  uptoSeq: number
  state: Uint8Array
  createdBy: UserId
  updatedAt: number
}

interface StoredConversation {
  id: ConversationId
  title: string
  kind: string
  createdBy: UserId
  createdAt: number
  lastSeq: number
  lastUpdateAt: number | null
  prunedUptoSeq: number
  updates: StoredUpdate[]
  byClientId: Map<string, StoredUpdate>
  snapshots: StoredSnapshot[]
  members: Map<UserId, { role: RemoteMemberRole; joinedAt: number; order: number }>
}

interface StoredInvite {
  code: string
  conversationId: ConversationId
  expiresAt: number | null
  maxUses: number | null
  uses: number
}

interface Device {
  userId: UserId
  deliver<E extends keyof RemoteLogEvents>(event: E, payload: RemoteLogEvents[E]): void
  setInboxStatus(status: RemoteLogInboxStatus): void
}

const INVITE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'
const KIND_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/
const KEPT_SNAPSHOTS = 3

function fail(
  code: RemoteLogErrorCode,
  message: string,
  operation: string,
  serverCode?: string,
  details?: Record<string, unknown>,
): never {
  throw new RemoteLogError(code, `${operation}: ${message}`, {
    operation,
    ...(serverCode !== undefined && { serverCode }),
    ...(details !== undefined && { details }),
  })
}

const equalBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.byteLength === b.byteLength && a.every((value, i) => value === b[i])

const isSeq = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0

/** A new memory server (see {@link MemoryRemoteLogServer}). */
export function createMemoryRemoteLogServer(
  options: MemoryRemoteLogServerOptions = {},
): MemoryRemoteLogServer {
  const now = options.now ?? Date.now
  const limits: MemoryRemoteLogLimits = { ...REMOTE_LOG_LIMITS, ...options.limits }
  const conversations = new Map<string, StoredConversation>()
  const invites = new Map<string, StoredInvite>()
  const devices = new Set<Device>()
  const faults: {
    code: RemoteLogErrorCode
    operation?: string
    applied: boolean
    count: number
  }[] = []
  const calls: Record<string, number> = {}
  let offline = false
  let memberOrder = 0

  const checkConversationId = (id: unknown, operation: string): ConversationId => {
    if (!isValidId(id) || (options.requireUuidIds === true && !isUuid(id)))
      fail('invalid', `malformed conversation id ${JSON.stringify(id)}`, operation, '22P02')
    return id as ConversationId
  }

  const requireMember = (userId: UserId, id: unknown, operation: string): StoredConversation => {
    const checked = checkConversationId(id, operation)
    const conversation = conversations.get(checked)
    if (!conversation || !conversation.members.has(userId))
      fail('forbidden', 'not a member of this conversation', operation, 'PARLEY_NOT_MEMBER', {
        conversation_id: checked,
      })
    return conversation as StoredConversation
  }

  const summary = (conversation: StoredConversation, userId: UserId): RemoteConversation => {
    const member = conversation.members.get(userId)
    const newest = conversation.snapshots.at(-1)
    return {
      id: conversation.id,
      title: conversation.title,
      kind: conversation.kind,
      createdBy: conversation.createdBy,
      createdAt: conversation.createdAt,
      role: member?.role ?? 'member',
      joinedAt: member?.joinedAt ?? conversation.createdAt,
      lastSeq: conversation.lastSeq,
      lastUpdateAt: conversation.lastUpdateAt,
      prunedUptoSeq: conversation.prunedUptoSeq,
      snapshotUptoSeq: newest?.uptoSeq ?? null,
    }
  }

  /** Delivers a notice to every online device of `userId`, on a microtask (after the call). */
  const notify = <E extends keyof RemoteLogEvents>(
    userId: UserId,
    event: E,
    payload: RemoteLogEvents[E],
  ): void => {
    if (offline) return
    const targets = [...devices].filter((device) => device.userId === userId)
    queueMicrotask(() => {
      // A notice in flight when the server went offline is lost, as on a real socket.
      if (offline) return
      for (const device of targets) device.deliver(event, payload)
    })
  }

  const newInviteCode = (): string => {
    const bytes = new Uint8Array(8)
    for (;;) {
      globalThis.crypto.getRandomValues(bytes)
      let code = ''
      for (const byte of bytes) code += INVITE_ALPHABET[byte % 32]
      if (!invites.has(code)) return code
    }
  }

  /** The server-side work of each method; runs synchronously as one "transaction". */
  const handlers = {
    push(
      userId: UserId,
      id: ConversationId,
      entries: readonly RemotePushEntry[],
    ): RemotePushResult[] {
      const op = 'push'
      const conversation = requireMember(userId, id, op)
      if (!Array.isArray(entries))
        fail('invalid', 'entries must be an array', op, 'PARLEY_INVALID_ARGUMENT')
      if (entries.length > limits.maxBatchUpdates)
        fail(
          'too-large',
          `more than ${limits.maxBatchUpdates} updates`,
          op,
          'PARLEY_BATCH_TOO_LARGE',
          {
            count: entries.length,
            limit: limits.maxBatchUpdates,
          },
        )
      // Validate everything before writing anything: all or nothing.
      let total = 0
      const seen = new Map<string, Uint8Array>()
      entries.forEach((entry, index) => {
        const update = (entry as Partial<RemotePushEntry> | null)?.update
        if (!isClientUpdateId(entry?.clientUpdateId) || !(update instanceof Uint8Array))
          fail(
            'invalid',
            'each entry needs a UUID clientUpdateId and bytes',
            op,
            'PARLEY_INVALID_UPDATE',
            { index },
          )
        const bytes = update as Uint8Array
        if (bytes.byteLength === 0)
          fail('invalid', 'empty update', op, 'PARLEY_INVALID_UPDATE', { index })
        if (bytes.byteLength > limits.maxUpdateBytes)
          fail('too-large', 'update too large', op, 'PARLEY_UPDATE_TOO_LARGE', {
            index,
            size: bytes.byteLength,
            limit: limits.maxUpdateBytes,
          })
        total += bytes.byteLength
        if (total > limits.maxBatchBytes)
          fail('too-large', 'batch too large', op, 'PARLEY_BATCH_TOO_LARGE', {
            index,
            size: total,
            limit: limits.maxBatchBytes,
          })
        const key = entry.clientUpdateId.toLowerCase()
        const old = conversation.byClientId.get(key)
        const earlier = seen.get(key)
        if (
          (old && (!equalBytes(old.update, bytes) || old.author !== userId)) ||
          (earlier && !equalBytes(earlier, bytes))
        )
          fail(
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
      const createdAt = now()
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
          notify(member, 'conversation-updated', { conversationId: id, seq: conversation.lastSeq })
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
      const conversation = requireMember(userId, id, op)
      const limit = options?.limit ?? 500
      if (!isSeq(afterSeq)) fail('invalid', 'afterSeq must be >= 0', op, 'PARLEY_INVALID_ARGUMENT')
      if (!Number.isSafeInteger(limit) || limit < 1)
        fail('invalid', 'limit must be >= 1', op, 'PARLEY_INVALID_ARGUMENT')
      if (limit > limits.maxPullLimit)
        fail('too-large', `limit larger than ${limits.maxPullLimit}`, op, 'PARLEY_PAGE_TOO_LARGE', {
          limit: limits.maxPullLimit,
          requested: limit,
        })
      if (afterSeq < conversation.prunedUptoSeq)
        fail(
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
      const conversation = requireMember(userId, id, 'getSnapshot')
      const before = options?.beforeSeq
      const found = [...conversation.snapshots]
        .reverse()
        .find((s) => before === undefined || s.uptoSeq < before)
      return found ? { ...found, state: found.state.slice() } : null
    },

    putSnapshot(
      userId: UserId,
      id: ConversationId,
      state: Uint8Array,
      uptoSeq: number,
    ): RemotePutSnapshotResult {
      const op = 'putSnapshot'
      const conversation = requireMember(userId, id, op)
      if (!Number.isSafeInteger(uptoSeq) || uptoSeq < 1)
        fail('invalid', 'uptoSeq must be >= 1', op, 'PARLEY_INVALID_ARGUMENT')
      if (uptoSeq > conversation.lastSeq)
        fail('invalid', 'uptoSeq is beyond the log', op, 'PARLEY_SNAPSHOT_AHEAD', {
          upto_seq: uptoSeq,
          last_seq: conversation.lastSeq,
        })
      if (!(state instanceof Uint8Array) || state.byteLength === 0)
        fail('invalid', 'empty snapshot', op, 'PARLEY_INVALID_SNAPSHOT')
      if (state.byteLength > limits.maxSnapshotBytes)
        fail('too-large', 'snapshot too large', op, 'PARLEY_SNAPSHOT_TOO_LARGE', {
          size: state.byteLength,
          limit: limits.maxSnapshotBytes,
        })
      const newest = conversation.snapshots.at(-1)
      if (newest && uptoSeq <= newest.uptoSeq) return { stored: false, uptoSeq: newest.uptoSeq }
      conversation.snapshots.push({
        uptoSeq,
        state: state.slice(),
        createdBy: userId,
        updatedAt: now(),
      })
      // Keep the newest few and the one the log was pruned against (the anchor).
      const keep = new Set(conversation.snapshots.slice(-KEPT_SNAPSHOTS).map((s) => s.uptoSeq))
      conversation.snapshots = conversation.snapshots.filter(
        (s) => keep.has(s.uptoSeq) || s.uptoSeq === conversation.prunedUptoSeq,
      )
      return { stored: true, uptoSeq }
    },

    listConversations(userId: UserId): RemoteConversation[] {
      return [...conversations.values()]
        .filter((c) => c.members.has(userId))
        .sort(
          (a, b) =>
            (b.lastUpdateAt ?? b.createdAt) - (a.lastUpdateAt ?? a.createdAt) ||
            (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
        )
        .map((c) => summary(c, userId))
    },

    createConversation(userId: UserId, input: RemoteCreateConversation): RemoteConversation {
      const op = 'createConversation'
      const id = checkConversationId(input?.id, op)
      const title = input.title ?? ''
      const kind = input.kind ?? 'chat'
      if (typeof title !== 'string' || title.length > limits.maxTitleLength)
        fail('invalid', 'title too long', op, 'PARLEY_INVALID_ARGUMENT', { argument: 'p_title' })
      if (typeof kind !== 'string' || !KIND_PATTERN.test(kind))
        fail('invalid', 'malformed kind', op, 'PARLEY_INVALID_ARGUMENT', { argument: 'p_kind' })
      const existing = conversations.get(id)
      if (existing) {
        if (!existing.members.has(userId))
          fail(
            'conflict',
            'another conversation already uses this id',
            op,
            'PARLEY_CONVERSATION_ID_TAKEN',
          )
        return summary(existing, userId)
      }
      const createdAt = now()
      const conversation: StoredConversation = {
        id,
        title,
        kind,
        createdBy: userId,
        createdAt,
        lastSeq: 0,
        lastUpdateAt: null,
        prunedUptoSeq: 0,
        updates: [],
        byClientId: new Map(),
        snapshots: [],
        members: new Map([[userId, { role: 'owner', joinedAt: createdAt, order: memberOrder++ }]]),
      }
      conversations.set(id, conversation)
      notify(userId, 'conversation-joined', { conversationId: id })
      return summary(conversation, userId)
    },

    createInvite(
      userId: UserId,
      id: ConversationId,
      invite?: RemoteCreateInviteOptions,
    ): RemoteInvite {
      const op = 'createInvite'
      requireMember(userId, id, op)
      const ttl = invite?.ttlSeconds === undefined ? 604_800 : invite.ttlSeconds
      const maxUses = invite?.maxUses ?? null
      if (ttl !== null && (!Number.isInteger(ttl) || ttl < 60 || ttl > 31_536_000))
        fail('invalid', 'ttlSeconds must be 60..31536000', op, 'PARLEY_INVALID_ARGUMENT')
      if (maxUses !== null && (!Number.isInteger(maxUses) || maxUses < 1 || maxUses > 100_000))
        fail('invalid', 'maxUses must be 1..100000', op, 'PARLEY_INVALID_ARGUMENT')
      const stored: StoredInvite = {
        code: newInviteCode(),
        conversationId: id,
        expiresAt: ttl === null ? null : now() + ttl * 1000,
        maxUses,
        uses: 0,
      }
      invites.set(stored.code, stored)
      const url = options.inviteUrl?.(stored.code)
      return { ...stored, ...(url !== undefined && { url }) }
    },

    joinConversation(userId: UserId, code: string): RemoteConversation {
      const op = 'joinConversation'
      const normalised = String(code ?? '')
        .replace(/[^A-Za-z0-9]/g, '')
        .toUpperCase()
      const invite = invites.get(normalised)
      if (!invite)
        return fail('invite-not-found', 'no such invite code', op, 'PARLEY_INVITE_NOT_FOUND')
      const conversation = conversations.get(invite.conversationId)
      if (!conversation)
        return fail('invite-not-found', 'no such invite code', op, 'PARLEY_INVITE_NOT_FOUND')
      if (conversation.members.has(userId)) return summary(conversation, userId)
      if (invite.expiresAt !== null && invite.expiresAt <= now())
        fail('invite-expired', 'the invite has expired', op, 'PARLEY_INVITE_EXPIRED')
      if (invite.maxUses !== null && invite.uses >= invite.maxUses)
        fail('invite-exhausted', 'the invite has been used up', op, 'PARLEY_INVITE_EXHAUSTED')
      invite.uses++
      conversation.members.set(userId, { role: 'member', joinedAt: now(), order: memberOrder++ })
      notify(userId, 'conversation-joined', { conversationId: conversation.id })
      return summary(conversation, userId)
    },

    leaveConversation(userId: UserId, id: ConversationId): void {
      const conversation = conversations.get(checkConversationId(id, 'leaveConversation'))
      const member = conversation?.members.get(userId)
      if (!conversation || !member) return
      conversation.members.delete(userId)
      const owners = [...conversation.members.values()].filter((m) => m.role === 'owner')
      if (member.role === 'owner' && owners.length === 0) {
        const next = [...conversation.members.values()].sort((a, b) => a.order - b.order)[0]
        if (next) next.role = 'owner'
      }
      notify(userId, 'conversation-left', { conversationId: id })
    },
  }

  /** Runs one call: counts it, applies faults, takes effect now, settles on a microtask. */
  const call = async <T>(operation: string, work: () => T): Promise<T> => {
    calls[operation] = (calls[operation] ?? 0) + 1
    await Promise.resolve()
    if (offline) fail('network', 'the server is offline', operation)
    const index = faults.findIndex((f) => f.operation === undefined || f.operation === operation)
    const fault = index >= 0 ? faults[index] : undefined
    if (fault) {
      if (--fault.count <= 0) faults.splice(index, 1)
      if (fault.applied) work()
      fail(fault.code, `injected ${fault.code}${fault.applied ? ' after applying' : ''}`, operation)
    }
    return work()
  }

  const server: MemoryRemoteLogServer = {
    calls,
    connect(userIdInput) {
      if (!isValidId(userIdInput))
        throw new TypeError(`invalid user id ${JSON.stringify(userIdInput)}`)
      const userId = userIdInput as UserId
      const listeners = new Map<keyof RemoteLogEvents, Set<(payload: never) => void>>()
      let inboxStatus: RemoteLogInboxStatus = offline ? 'offline' : 'online'
      let closed = false
      const emit = <E extends keyof RemoteLogEvents>(event: E, payload: RemoteLogEvents[E]) => {
        for (const listener of [...(listeners.get(event) ?? [])]) {
          try {
            ;(listener as RemoteLogListener<E>)(payload)
          } catch (thrown) {
            // A listener bug must not break delivery to the others; surface it, never swallow it.
            queueMicrotask(() => {
              throw thrown
            })
          }
        }
      }
      const device: Device = {
        userId,
        deliver: (event, payload) => {
          if (!closed) emit(event, payload)
        },
        setInboxStatus(status) {
          if (closed || inboxStatus === status) return
          inboxStatus = status
          emit('inbox-status', { status })
        },
      }
      devices.add(device)
      const guarded = <T>(operation: string, work: () => T): Promise<T> =>
        closed
          ? Promise.reject(
              new RemoteLogError('closed', `${operation}: the remote log is closed`, { operation }),
            )
          : call(operation, work)
      const log: MemoryRemoteLog = {
        kind: 'memory',
        userId,
        server,
        get inboxStatus() {
          return inboxStatus
        },
        push: (id, entries) => guarded('push', () => handlers.push(userId, id, entries)),
        pull: (id, afterSeq, options) =>
          guarded('pull', () => handlers.pull(userId, id, afterSeq, options)),
        getSnapshot: (id, options) =>
          guarded('getSnapshot', () => handlers.getSnapshot(userId, id, options)),
        putSnapshot: (id, state, uptoSeq) =>
          guarded('putSnapshot', () => handlers.putSnapshot(userId, id, state, uptoSeq)),
        listConversations: () =>
          guarded('listConversations', () => handlers.listConversations(userId)),
        createConversation: (input) =>
          guarded('createConversation', () => handlers.createConversation(userId, input)),
        createInvite: (id, options) =>
          guarded('createInvite', () => handlers.createInvite(userId, id, options)),
        joinConversation: (code) =>
          guarded('joinConversation', () => handlers.joinConversation(userId, code)),
        leaveConversation: (id) =>
          guarded('leaveConversation', () => handlers.leaveConversation(userId, id)),
        on(event, listener) {
          let set = listeners.get(event)
          if (!set) listeners.set(event, (set = new Set()))
          set.add(listener as (payload: never) => void)
          return () => {
            set.delete(listener as (payload: never) => void)
          }
        },
        close() {
          if (closed) return
          devices.delete(device)
          inboxStatus = 'closed'
          emit('inbox-status', { status: 'closed' })
          closed = true
          listeners.clear()
        },
      }
      return log
    },

    prune(id, uptoSeq) {
      const conversation = conversations.get(id)
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

    setOffline(value) {
      offline = value
      for (const device of devices) device.setInboxStatus(value ? 'offline' : 'online')
    },

    failNext(fault = {}) {
      faults.push({
        code: fault.code ?? 'network',
        ...(fault.operation !== undefined && { operation: fault.operation }),
        applied: fault.applied ?? false,
        count: fault.count ?? 1,
      })
    },

    inspect(id) {
      const c = conversations.get(id)
      if (!c) return undefined
      return {
        id: c.id,
        title: c.title,
        kind: c.kind,
        lastSeq: c.lastSeq,
        prunedUptoSeq: c.prunedUptoSeq,
        updates: c.updates.map(({ seq, update, author, clientUpdateId }) => ({
          seq,
          update: update.slice(),
          author,
          clientUpdateId,
        })),
        snapshots: c.snapshots.map((s) => s.uptoSeq),
        members: [...c.members].map(([userId, m]) => ({ userId, role: m.role })),
      }
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
