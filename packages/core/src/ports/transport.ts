// The transport contract of the engine. A transport is dumb I/O: it moves typed messages between
// this engine and its peers (other tabs over BroadcastChannel, other devices over Supabase
// Realtime). The policy — what to send when, how to resync after a gap, relaying, throttling —
// lives in the engine. Every transport passes `transportContract` from @parley/testing.
//
// Guarantees every transport gives:
//
// - Validated: every `message` event carries a message that passed `validateTransportWireMessage`
//   (or `decodeTransportMessage`); invalid input is dropped and reported as an `error`
//   (`invalid-message` / `unsupported-version`), never thrown and never delivered.
// - Isolated: a message is copied (structured clone, encoding) when sent; mutating its bytes after
//   `send` changes nothing, and each receiver gets its own copy.
// - No self-delivery: an endpoint never receives what it sent itself.
// - Addressed: a message with `to` is delivered to that peer only (other endpoints drop it
//   silently; on a shared medium they do see it, so `to` is routing, not secrecy).
// - Scoped: `message` events arrive only for conversations this endpoint has joined.
// - Silent after close: after `close()` no event fires and `send` returns false.
//
// NOT guaranteed — the engine must cope with each:
//
// - Delivery: any message may be lost (a tab is frozen or killed, a socket drops, a partition).
//   Convergence comes from `sync-request` / `sync-reply` exchanges on `peer-joined`, on `status`
//   back to `online`, and on `join`, and from the outbox for durable pushes.
// - Exactly once: a message may arrive twice (retries, a resync overlapping live updates).
//   Yjs and awareness updates are idempotent, so this is harmless when applied as such.
// - Order: transports with `ordered: true` keep the send order per sender → receiver pair
//   (BroadcastChannel does); others may reorder. Yjs buffers out-of-order updates itself.
// - Peer liveness: `peer-left` fires on an orderly `close()` (or the medium's own knowledge); a
//   peer that dies silently may stay in `peers()` until it is replaced.
// - Trust: `from` is what the sender claims. A Yjs update can be merged from anyone who may write
//   the conversation; the access control lives in the medium (RLS on Realtime, same origin for
//   BroadcastChannel), and the document validation lives in the engine.
//
// May fail: `send` returns false (closed, offline, refused by the medium — the last also reported
// as `send-failed`); `join` may report `join-failed`. Nothing throws except programming errors
// (an invalid argument).
import type { ConversationId } from '../ids.js'
import type { TransportError } from './transport-error.js'
import type { OutgoingTransportMessage, PeerId, TransportMessage } from './transport-messages.js'

/**
 * The state of a transport.
 *
 * - `connecting`: opening (a socket handshake); `send` returns false.
 * - `online`: messages flow.
 * - `offline`: the medium is unreachable (network down, socket lost); the transport reconnects
 *   on its own and goes back to `online`, after which the engine resyncs.
 * - `closed`: closed for good by `close()` or its `AbortSignal`.
 */
export type TransportStatus = 'connecting' | 'online' | 'offline' | 'closed'

/** Events of a {@link Transport}: kebab-case names, one payload object each. */
export interface TransportEvents {
  /** A valid message from a peer, for a joined conversation. */
  message: { message: TransportMessage }
  /**
   * A peer became reachable: it started, a partition healed, or it announced itself again (after
   * a reload with the same id). The engine's cue to exchange `sync-request`s with it.
   * `conversationId` is set by transports that discover peers per conversation (one channel per
   * conversation); absent, the peer is reachable for every joined conversation.
   */
  'peer-joined': { peer: PeerId; conversationId?: ConversationId }
  /** A peer left (orderly close) or became unreachable. */
  'peer-left': { peer: PeerId; conversationId?: ConversationId }
  /** {@link Transport.status} changed. */
  status: { status: TransportStatus }
  /** A non-fatal failure; the transport keeps working (except for code `closed`). */
  error: { error: TransportError }
}

/** A listener of a {@link TransportEvents} event. Listeners should not throw; if one does, the others still run and the throw is reported as `listener-failed`. */
export type TransportListener<E extends keyof TransportEvents> = (
  payload: TransportEvents[E],
) => void

/**
 * Moves {@link TransportMessage}s between this engine and its peers. See the header of this file
 * for what is guaranteed (validation, isolation, no self-delivery, addressing, scoping, silence
 * after close) and what is not (delivery, exactly once, order, liveness, trust).
 */
export interface Transport {
  /** A short name for diagnostics, e.g. `'broadcast-channel'`, `'supabase'`, `'memory'`. */
  readonly kind: string
  /** This endpoint's id, stamped as `from` on everything it sends. */
  readonly peerId: PeerId
  /** Whether messages from one sender to one receiver keep their send order. */
  readonly ordered: boolean
  /**
   * Whether the medium reaches other users' devices (e.g. Realtime broadcast): the engine then
   * signs every update it sends and verifies every update it receives, and exchanges no
   * multi-writer sync replies over it (docs/TRUST.md). `false` for a medium inside one browser
   * profile (BroadcastChannel), whose peers share the user's local database.
   */
  readonly signed: boolean
  /** The current state; changes are announced by the `status` event. */
  readonly status: TransportStatus

  /**
   * The peers currently known to be reachable (order unspecified). Empty once closed. Discovery is
   * asynchronous: peers found before a `peer-joined` listener subscribed are listed here, so an
   * engine reads `peers()` once after subscribing.
   */
  peers(): PeerId[]

  /**
   * Starts receiving messages for `conversationId` (a transport with one channel per conversation
   * subscribes to it). Idempotent. Join before sending for a conversation: a transport may refuse
   * to send for one it has not joined.
   */
  join(conversationId: ConversationId): void

  /** Stops receiving messages for `conversationId`. Idempotent. */
  leave(conversationId: ConversationId): void

  /**
   * Sends a message to every peer that joined its conversation, or to `message.to` only. Stamps
   * `v` and `from`, copies the payload and returns at once (best effort, see the header). Returns
   * false when nothing was sent: closed, not `online`, or refused by the medium (then also an
   * `error` with `send-failed`).
   */
  send(message: OutgoingTransportMessage): boolean

  /** Subscribes to an event; returns the function that unsubscribes. */
  on<E extends keyof TransportEvents>(event: E, listener: TransportListener<E>): () => void

  /**
   * Closes the transport: announces the departure when the medium allows, releases the channel or
   * socket, emits `status` `closed` once and then removes every listener. Idempotent. A transport
   * created with an `AbortSignal` closes the same way when it aborts.
   */
  close(): void
}
