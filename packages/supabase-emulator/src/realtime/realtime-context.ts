// What every part of one Realtime server shares: configuration, clock, rooms, presence and the
// authorization hook. Built once by createRealtimeServer.
import type { RequestAuth } from '../db/database.js'
import type { BroadcastRouter } from './broadcast-router.js'
import type { ChannelRegistry } from './channel-registry.js'
import type { PresenceTracker } from './presence-tracker.js'

/** Where the emulator reports what it dropped or could not do. Every method must not throw. */
export interface RealtimeLogger {
  debug(message: string, details?: Record<string, unknown>): void
  warn(message: string, details?: Record<string, unknown>): void
  error(message: string, details?: Record<string, unknown>): void
}

/** One RLS check on `realtime.messages` (SUPABASE-PROTOCOL.md §1.9). `topic` is the sub-topic. */
export interface RealtimeAuthorizationRequest {
  auth: RequestAuth
  topic: string
  extension: 'broadcast' | 'presence'
  /** false: read (SELECT policy); true: write (INSERT policy). */
  write: boolean
}

/** Evaluates a private-channel policy; resolves false when denied, rejects on database failure. */
export type RealtimeAuthorizer = (request: RealtimeAuthorizationRequest) => Promise<boolean>

/** Limits and delays, with Supabase's local defaults (§1.12). */
export interface RealtimeLimits {
  /** Largest broadcast payload accepted, in bytes. Default 3,000,500 (3000 KB + 500). */
  maxPayloadBytes: number
  /** Largest WebSocket frame; bigger ones close the socket with 1009. Default 5,000,000. */
  maxFrameBytes: number
  /** Channels one socket may join. Default 100. */
  maxChannelsPerSocket: number
  /** Delay before a `phx_join` error reply, as Realtime's join backoff. Default 5000 ms. */
  joinErrorDelayMs: number
  /** Delay before refusing a WebSocket upgrade. Default 2000 ms. */
  connectErrorDelayMs: number
  /** A socket with no inbound data for this long is closed. Default 60,000 ms. */
  idleTimeoutMs: number
  /** Presence track/untrack calls allowed per channel per window. Default 5. */
  presenceMaxCalls: number
  /** The presence call window. Default 30,000 ms. */
  presenceWindowMs: number
}

/** The defaults of {@link RealtimeLimits}. */
export const DEFAULT_REALTIME_LIMITS: Readonly<RealtimeLimits> = {
  maxPayloadBytes: 3_000 * 1_000 + 500,
  maxFrameBytes: 5_000_000,
  maxChannelsPerSocket: 100,
  joinErrorDelayMs: 5_000,
  connectErrorDelayMs: 2_000,
  idleTimeoutMs: 60_000,
  presenceMaxCalls: 5,
  presenceWindowMs: 30_000,
}

/** Shared state of one Realtime server. */
export interface RealtimeContext {
  readonly jwtSecret: string
  /** Milliseconds since the epoch; injectable for tests. */
  now(): number
  readonly registry: ChannelRegistry
  readonly router: BroadcastRouter
  readonly presence: PresenceTracker
  readonly authorize: RealtimeAuthorizer
  readonly logger: RealtimeLogger
  readonly limits: RealtimeLimits
  /** Server-wide counter for channel and socket ids. */
  nextId(): number
}

/** Resolves after `ms`, or at once when `signal` aborts (so closing never waits on a delay). */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}
