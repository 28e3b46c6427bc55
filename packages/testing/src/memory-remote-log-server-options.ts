// What a memory server can be told at creation: clock, limits, id rules, invite links.
import type { REMOTE_LOG_LIMITS } from '@parley/core/ports'

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
