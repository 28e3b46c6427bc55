// The options of `createSupabaseTransport`, apart from the factory so that the knobs and their
// defaults read in one place.
import type { PeerId, RemoteLog, TransportError } from '@parley/core/ports'
import type { SupabaseExternalAuth } from './external-auth.js'
import type { SupabaseClientSource } from './resolve-supabase-client.js'

/**
 * The update throttle window. A leading-edge throttle sends 1 + ⌈T / window⌉ frames for a burst
 * of length T: with 50 ms a 1 s burst is 21–23 events; 55 ms keeps it under the 20 events/s
 * budget of PERFORMANCE.md T14 and still costs a lone message nothing.
 */
export const DEFAULT_COALESCE_MS = 55

/** Options of {@link createSupabaseTransport}, besides the client source. */
export interface SupabaseTransportSettings {
  /** This endpoint's id (the Realtime presence key). Default: a fresh `crypto.randomUUID()`. */
  peerId?: PeerId | string
  /**
   * Join private channels, authorised by the RLS policies on `realtime.messages` (members of the
   * conversation only). Default true. `false` is for tests and demos on public channels only:
   * anyone with the anon key could then read and write.
   */
  private?: boolean
  /**
   * Join the fixed channel `<prefix><id>` instead of asking the server for the conversation's
   * current topic. Default: none — before each join the room asks `conversation_topic` for
   * `conversation:<id>:<epoch>` (docs/TRUST.md), whose epoch changes when someone leaves. For
   * tests and demos on public channels only.
   */
  topicPrefix?: string
  /**
   * The remote log on the same client, whose inbox announces `members-changed`: each joined
   * room then asks for its topic again and moves to the new epoch's at once (and re-checks every
   * room when the inbox comes back online, notices may have been lost). Without it a room moves
   * only when its channel fails or on `join`. `createSupabaseServer` wires it.
   */
  remoteLog?: Pick<RemoteLog, 'on'>
  /**
   * The throttle window of `update`/`sync-*` messages per conversation, ms: the first message of
   * a quiet conversation goes at once, the ones that follow within the window ride together in
   * one broadcast. Default {@link DEFAULT_COALESCE_MS} (55).
   */
  coalesceMs?: number
  /** The same for `awareness` (presence, typing), per conversation; updates of one window are merged. Default 100. */
  awarenessMs?: number
  /**
   * Largest broadcast payload in bytes. A message that cannot fit alone is not sent (`send`
   * returns false and reports `send-failed`; the outbox carries updates). Default 200,000 (below
   * the Free plan's 256 KB).
   */
  maxPayloadBytes?: number
  /** Most messages waiting per conversation and kind (while joining or throttled); the oldest are dropped beyond. Default 1,000. */
  maxQueued?: number
  /**
   * Ask Realtime to acknowledge every broadcast (`broadcast.ack`), so a refused one is reported as
   * `send-failed`. Default false: sends are fire-and-forget (an RLS-denied private broadcast is
   * dropped silently by Realtime either way).
   */
  ack?: boolean
  /** Refresh the session before it expires and hand each token to Realtime. Default true (see `keep-session-fresh.ts`). */
  keepSessionFresh?: boolean
  /**
   * The session is owned elsewhere and the client was made with supabase-js's `accessToken`
   * option: `client.auth` is never used, and each new token rejoins what failed without it.
   */
  externalAuth?: SupabaseExternalAuth
  /** Closes the transport when aborted. */
  signal?: AbortSignal
  /** Receives every non-fatal error, besides the `error` event. */
  onError?: (error: TransportError) => void
}

/** Options of {@link createSupabaseTransport}: a client source plus settings. */
export type SupabaseTransportOptions = SupabaseClientSource & SupabaseTransportSettings
