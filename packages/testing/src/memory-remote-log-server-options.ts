// What a memory server can be told at creation: clock, limits, id rules, invite links, and the
// trusted compactor that `requestCompaction` runs.
import type {
  ConversationId,
  REMOTE_LOG_LIMITS,
  RemoteDevice,
  RemoteMember,
  RemoteUpdate,
} from '@parley/core/ports'

/** The limits a memory server enforces; override some to test `too-large` with small data. */
export type MemoryRemoteLogLimits = { -readonly [K in keyof typeof REMOTE_LOG_LIMITS]: number }

/** What the memory server hands its {@link MemoryCompactor}: a conversation as the server has it. */
export interface MemoryCompactorInput {
  conversationId: ConversationId
  /** The newest snapshot's state (a copy), or null when there is none. */
  snapshot: Uint8Array | null
  /** The log rows after the newest snapshot (all of them without one), ascending, copies. */
  rows: RemoteUpdate[]
  /** `conversationDevices`: the devices of the members and of every writer in the log. */
  devices: RemoteDevice[]
  /** The current members. */
  members: RemoteMember[]
}

/**
 * The trusted compactor of a memory server (the `parley-compact` Edge Function of Supabase):
 * replays the input through the trust rules and returns the snapshot to store, covering seqs
 * `1..uptoSeq`, or null when there is nothing worth compacting. Runs synchronously inside the
 * call; a throw fails `requestCompaction` with `unavailable`.
 */
export type MemoryCompactor = (
  input: MemoryCompactorInput,
) => { state: Uint8Array; uptoSeq: number } | null

/** Options of {@link createMemoryRemoteLogServer}. */
export interface MemoryRemoteLogServerOptions {
  /** The clock for `createdAt`, invite expiry and the join rate limit, ms since the epoch. Default `Date.now`. */
  now?: () => number
  /** Limit overrides. Default {@link REMOTE_LOG_LIMITS}. */
  limits?: Partial<MemoryRemoteLogLimits>
  /**
   * Require UUIDs for conversation and device ids, as the Supabase schema does (else `invalid`).
   * Default false: any valid id (`isValidId`) is accepted, so engine tests may use readable ids.
   */
  requireUuidIds?: boolean
  /** The invite link for a code (sets `RemoteInvite.url`). Default: none. */
  inviteUrl?: (code: string) => string
  /**
   * What `requestCompaction` runs; the snapshot it returns is stored as the service role would
   * (`createdBy: null`), and the log is not pruned (call `prune`). Default: none, and
   * `requestCompaction` resolves `{ started: false }`.
   */
  compactor?: MemoryCompactor
}
