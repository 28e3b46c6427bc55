// What the parts of a Supabase transport share: the factory builds one context and hands it to
// the room lifecycle, the presence tracking and the frame senders and receivers, which are free
// functions over it (no part keeps a copy of the transport's state).
import type { ConversationId, PeerId, TransportError, TransportEmitter } from '@parley/core/ports'
import type { SupabaseClient } from '@supabase/supabase-js'
import type { SupabaseRoom } from './supabase-room.js'
import type { SupabaseTransportOptions } from './supabase-transport-options.js'
import type { SupabaseTransportStats } from './supabase-transport-stats.js'

/** The state and settings of one Supabase transport, shared by its parts. */
export interface SupabaseTransportContext {
  readonly client: SupabaseClient
  /** Read where a setting is used, as the transport always has (not copied at creation). */
  readonly options: SupabaseTransportOptions
  readonly peerId: PeerId
  readonly emitter: TransportEmitter
  /** Bumped in place; `stats()` hands out copies. */
  readonly counters: SupabaseTransportStats
  /**
   * The joined conversations. A room that is no longer the one of its id has been left: its
   * late callbacks check this and do nothing.
   */
  readonly rooms: Map<ConversationId, SupabaseRoom>
  /** Whether channels are private (RLS-authorised). */
  readonly isPrivate: boolean
  /** A fixed channel `<topicPrefix><id>` per conversation, or undefined: ask the server. */
  readonly topicPrefix: string | undefined
  /** Largest broadcast payload, bytes. */
  readonly maxPayload: number
  /** Largest message body that still fits a frame of `maxPayload` bytes alone. */
  readonly maxBodyBytes: number
  /** Most messages waiting per conversation and lane. */
  readonly maxQueued: number
  /** Whether broadcasts ask Realtime for an acknowledgement. */
  readonly ack: boolean
  /** Whether the transport is closed (a function, so callers re-read it after every await). */
  closed(): boolean
  /** Whether the Realtime socket is open right now. */
  socketUp(): boolean
  /** Reports a non-fatal error to the `error` event and `onError`. */
  report(error: TransportError): void
  /** A rejection handler that reports its cause as `unknown`, unless the transport is closed. */
  reportUnknown(message: string): (cause: unknown) => void
}
