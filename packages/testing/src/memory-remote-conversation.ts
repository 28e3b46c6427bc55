// The server state of one conversation: its gapless log, its kept snapshots and its members, as
// the Supabase tables hold them, plus the two views the server gives out (a member's summary and a
// test's inspection). Both views copy, so no caller can alter the server's state.
import type {
  ClientUpdateId,
  ConversationId,
  DeviceId,
  RemoteConversation,
  RemoteMember,
  RemoteMemberRole,
  RemoteUpdate,
  UserId,
} from '@parley/core/ports'

/** The stored log of one conversation, for assertions. */
export interface MemoryRemoteConversationState {
  id: ConversationId
  title: string
  kind: string
  lastSeq: number
  prunedUptoSeq: number
  /** Log rows (pruned ones are gone), ascending. */
  updates: {
    seq: number
    update: Uint8Array
    author: UserId
    device: DeviceId
    clientUpdateId: ClientUpdateId
  }[]
  /** Kept snapshots' `uptoSeq`, ascending. */
  snapshots: number[]
  members: { userId: UserId; role: RemoteMemberRole }[]
}

/** One stored update; `clientUpdateId` is lower-cased, as the unique index compares it. */
export interface StoredUpdate {
  seq: number
  update: Uint8Array
  author: UserId
  device: DeviceId
  signature: Uint8Array
  clientUpdateId: ClientUpdateId
  createdAt: number
}

/** One kept snapshot of the conversation's state up to `uptoSeq`. */
export interface StoredSnapshot {
  uptoSeq: number
  state: Uint8Array
  /** Null: snapshots come from the trusted compactor only. */
  createdBy: UserId | null
  updatedAt: number
}

/** One conversation, as the server stores it. */
export interface StoredConversation {
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

/** What `userId` sees of `conversation` (their role, their join date). */
export function summarizeConversation(
  conversation: StoredConversation,
  userId: UserId,
): RemoteConversation {
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

/** A copy of `c` for assertions (see {@link MemoryRemoteConversationState}). */
export function inspectConversation(c: StoredConversation): MemoryRemoteConversationState {
  return {
    id: c.id,
    title: c.title,
    kind: c.kind,
    lastSeq: c.lastSeq,
    prunedUptoSeq: c.prunedUptoSeq,
    updates: c.updates.map(({ seq, update, author, device, clientUpdateId }) => ({
      seq,
      update: update.slice(),
      author,
      device,
      clientUpdateId,
    })),
    snapshots: c.snapshots.map((s) => s.uptoSeq),
    members: [...c.members].map(([userId, m]) => ({ userId, role: m.role })),
  }
}

/** A copy of a stored update as `pull` returns it. */
export function copyUpdate(u: StoredUpdate): RemoteUpdate {
  return { ...u, update: u.update.slice(), signature: u.signature.slice() }
}

/** The members of `c` in the order of `list_members`: by join date, then join order. */
export function listMembers(c: StoredConversation): RemoteMember[] {
  return [...c.members]
    .map(([user, m]) => ({ user, role: m.role, joinedAt: m.joinedAt, order: m.order }))
    .sort((a, b) => a.joinedAt - b.joinedAt || a.order - b.order)
    .map(({ user, role, joinedAt }) => ({ user, role, joinedAt }))
}
