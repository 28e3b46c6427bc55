// The membership half of the memory server: creating, listing, inviting, joining and leaving
// conversations, with the Supabase RPCs' rules (per-user membership, invite expiry and use counts,
// at most 10 failed invite codes per user per 10 minutes, the longest-standing member inherits
// ownership when the last owner leaves, `members-changed` to every member after a join or leave).
import type {
  ConversationId,
  RemoteConversation,
  RemoteCreateConversation,
  RemoteCreateInviteOptions,
  RemoteInvite,
  RemoteLogErrorCode,
  RemoteMember,
  UserId,
} from '@parley/core/ports'
import { failRemoteLog } from './fail-remote-log.js'
import { listMembers, summarizeConversation } from './memory-remote-conversation.js'
import type { StoredConversation } from './memory-remote-conversation.js'
import { checkConversationId, notify, requireMember } from './memory-remote-log-server-state.js'
import type { MemoryRemoteLogServerState, StoredInvite } from './memory-remote-log-server-state.js'

const INVITE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'
const KIND_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/
/** The join rate limit: this many failed codes in a window lock the user out until it ends. */
const MAX_JOIN_FAILURES = 10
const JOIN_WINDOW_MS = 600_000

/** Tells every current member that the membership of `conversation` changed. */
function notifyMembersChanged(
  state: MemoryRemoteLogServerState,
  conversation: StoredConversation,
): void {
  for (const member of conversation.members.keys())
    notify(state, member, 'members-changed', { conversationId: conversation.id })
}

/** Rejects a join with `rate-limited` while `userId` has used up the failures of its window. */
function checkJoinRate(state: MemoryRemoteLogServerState, userId: UserId, op: string): void {
  const window = state.joinFailures.get(userId)
  const age = window === undefined ? Infinity : state.now() - window.start
  if (window === undefined || age >= JOIN_WINDOW_MS || window.count < MAX_JOIN_FAILURES) return
  failRemoteLog('rate-limited', 'too many failed invite codes; wait', op, 'PARLEY_RATE_LIMITED', {
    retryAfterS: Math.max(1, Math.ceil((JOIN_WINDOW_MS - age) / 1000)),
  })
}

/** Counts a failed code of `userId` (a window starts at its first failure), then rejects. */
function failJoin(
  state: MemoryRemoteLogServerState,
  userId: UserId,
  code: RemoteLogErrorCode,
  message: string,
  serverCode: string,
): never {
  const now = state.now()
  const window = state.joinFailures.get(userId)
  if (window === undefined || now - window.start >= JOIN_WINDOW_MS)
    state.joinFailures.set(userId, { start: now, count: 1 })
  else window.count++
  return failRemoteLog(code, message, 'joinConversation', serverCode)
}

function newInviteCode(state: MemoryRemoteLogServerState): string {
  const bytes = new Uint8Array(8)
  for (;;) {
    globalThis.crypto.getRandomValues(bytes)
    let code = ''
    for (const byte of bytes) code += INVITE_ALPHABET[byte % 32]
    if (!state.invites.has(code)) return code
  }
}

/** The membership handlers of a memory server, see {@link createMemoryMembershipHandlers}. */
export type MemoryMembershipHandlers = ReturnType<typeof createMemoryMembershipHandlers>

/**
 * The server-side work of `listConversations`, `createConversation`, `createInvite`,
 * `joinConversation`, `leaveConversation` and `members` on `state`, each for the calling `userId`.
 */
export function createMemoryMembershipHandlers(state: MemoryRemoteLogServerState) {
  return {
    listConversations(userId: UserId): RemoteConversation[] {
      return [...state.conversations.values()]
        .filter((c) => c.members.has(userId))
        .sort(
          (a, b) =>
            (b.lastUpdateAt ?? b.createdAt) - (a.lastUpdateAt ?? a.createdAt) ||
            (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
        )
        .map((c) => summarizeConversation(c, userId))
    },

    createConversation(userId: UserId, input: RemoteCreateConversation): RemoteConversation {
      const op = 'createConversation'
      const id = checkConversationId(state, input?.id, op)
      const title = input.title ?? ''
      const kind = input.kind ?? 'chat'
      if (typeof title !== 'string' || title.length > state.limits.maxTitleLength)
        failRemoteLog('invalid', 'title too long', op, 'PARLEY_INVALID_ARGUMENT', {
          argument: 'p_title',
        })
      if (typeof kind !== 'string' || !KIND_PATTERN.test(kind))
        failRemoteLog('invalid', 'malformed kind', op, 'PARLEY_INVALID_ARGUMENT', {
          argument: 'p_kind',
        })
      const existing = state.conversations.get(id)
      if (existing) {
        // A taken id answers like one that does not exist (`forbidden`): ids cannot be probed.
        requireMember(state, userId, id, op)
        return summarizeConversation(existing, userId)
      }
      const createdAt = state.now()
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
        members: new Map([
          [userId, { role: 'owner', joinedAt: createdAt, order: state.memberOrder++ }],
        ]),
      }
      state.conversations.set(id, conversation)
      notify(state, userId, 'conversation-joined', { conversationId: id })
      return summarizeConversation(conversation, userId)
    },

    createInvite(
      userId: UserId,
      id: ConversationId,
      invite?: RemoteCreateInviteOptions,
    ): RemoteInvite {
      const op = 'createInvite'
      requireMember(state, userId, id, op)
      const ttl = invite?.ttlSeconds === undefined ? 604_800 : invite.ttlSeconds
      const maxUses = invite?.maxUses ?? null
      if (ttl !== null && (!Number.isInteger(ttl) || ttl < 60 || ttl > 31_536_000))
        failRemoteLog('invalid', 'ttlSeconds must be 60..31536000', op, 'PARLEY_INVALID_ARGUMENT')
      if (maxUses !== null && (!Number.isInteger(maxUses) || maxUses < 1 || maxUses > 100_000))
        failRemoteLog('invalid', 'maxUses must be 1..100000', op, 'PARLEY_INVALID_ARGUMENT')
      const stored: StoredInvite = {
        code: newInviteCode(state),
        conversationId: id,
        expiresAt: ttl === null ? null : state.now() + ttl * 1000,
        maxUses,
        uses: 0,
      }
      state.invites.set(stored.code, stored)
      const url = state.options.inviteUrl?.(stored.code)
      return { ...stored, ...(url !== undefined && { url }) }
    },

    joinConversation(userId: UserId, code: string): RemoteConversation {
      const op = 'joinConversation'
      checkJoinRate(state, userId, op)
      const normalised = String(code ?? '')
        .replace(/[^A-Za-z0-9]/g, '')
        .toUpperCase()
      const invite = state.invites.get(normalised)
      const conversation = invite && state.conversations.get(invite.conversationId)
      // An invite to a conversation that is gone is as unknown as a code never issued.
      if (!invite || !conversation)
        return failJoin(
          state,
          userId,
          'invite-not-found',
          'no such invite code',
          'PARLEY_INVITE_NOT_FOUND',
        )
      if (conversation.members.has(userId)) return summarizeConversation(conversation, userId)
      if (invite.expiresAt !== null && invite.expiresAt <= state.now())
        failJoin(state, userId, 'invite-expired', 'the invite has expired', 'PARLEY_INVITE_EXPIRED')
      if (invite.maxUses !== null && invite.uses >= invite.maxUses)
        failJoin(
          state,
          userId,
          'invite-exhausted',
          'the invite has been used up',
          'PARLEY_INVITE_EXHAUSTED',
        )
      invite.uses++
      conversation.members.set(userId, {
        role: 'member',
        joinedAt: state.now(),
        order: state.memberOrder++,
      })
      notify(state, userId, 'conversation-joined', { conversationId: conversation.id })
      notifyMembersChanged(state, conversation)
      return summarizeConversation(conversation, userId)
    },

    leaveConversation(userId: UserId, id: ConversationId): void {
      const conversation = state.conversations.get(
        checkConversationId(state, id, 'leaveConversation'),
      )
      const member = conversation?.members.get(userId)
      if (!conversation || !member) return
      conversation.members.delete(userId)
      const owners = [...conversation.members.values()].filter((m) => m.role === 'owner')
      if (member.role === 'owner' && owners.length === 0) {
        const next = [...conversation.members.values()].sort((a, b) => a.order - b.order)[0]
        if (next) next.role = 'owner'
      }
      notify(state, userId, 'conversation-left', { conversationId: id })
      notifyMembersChanged(state, conversation)
    },

    members(userId: UserId, id: ConversationId): RemoteMember[] {
      return listMembers(requireMember(state, userId, id, 'members'))
    },
  }
}
