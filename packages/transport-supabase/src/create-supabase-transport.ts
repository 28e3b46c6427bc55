import {
  asPeerId,
  TRANSPORT_PROTOCOL_VERSION,
  TransportEmitter,
  TransportError,
  validateTransportMessage,
  type ConversationId,
  type OutgoingTransportMessage,
  type PeerId,
  type Transport,
  type TransportStatus,
} from '@parley/core/ports'
import type { SupabaseClient } from '@supabase/supabase-js'
import { keepSessionFresh } from './keep-session-fresh.js'
import { resolveSupabaseClient } from './resolve-supabase-client.js'
import { dropRoomPeers } from './room-peers.js'
import { encodeMessageBody, frameOverhead } from './supabase-frame.js'
import { createSupabaseRoomLifecycle, type SupabaseRoom } from './supabase-room.js'
import type { SupabaseTransportContext } from './supabase-transport-context.js'
import type { SupabaseTransportOptions } from './supabase-transport-options.js'
import {
  createSupabaseTransportStats,
  type SupabaseTransportStats,
} from './supabase-transport-stats.js'
import { watchRealtimeConnection } from './watch-realtime-connection.js'

/** The Supabase transport: a {@link Transport} with counters and its client. */
export interface SupabaseTransport extends Transport {
  /** The client it runs on. */
  readonly client: SupabaseClient
  /** A snapshot of the counters. */
  stats(): SupabaseTransportStats
}

/**
 * A {@link Transport} between devices over Supabase Realtime: one channel per joined
 * conversation on its current topic `conversation:<id>:<epoch>`, asked of the server
 * (`conversation_topic`) before each join (private by default, so RLS admits members only, and
 * only to the current epoch's topic: see docs/TRUST.md).
 *
 * - The epoch changes when someone leaves. Given the `remoteLog` of the same client, a room moves
 *   to the new topic as soon as the inbox says `members-changed` (its peers leave and join again
 *   there); otherwise when its channel fails.
 * - Messages travel as binary broadcasts (vsn 2.0.0 frames, no base64), event `update` for
 *   Yjs updates and sync messages, `awareness` for awareness. Each broadcast carries a frame of
 *   one or more messages (docs/TRANSPORT-SUPABASE.md): a leading-edge throttle per conversation
 *   sends a lone message at once and the messages of a burst together, one event per window.
 * - Every arrival is decoded and validated; invalid ones are dropped and reported, never thrown.
 *   The conversation of a message is its channel's, never what the sender claims.
 * - Peers are found through Realtime presence (key = peer id), per conversation:
 *   `peer-joined`/`peer-left` carry `conversationId`. A peer whose socket dies leaves when
 *   Realtime notices.
 * - `status` follows the socket: `online` when it is open, `offline` when it is down (supabase-js
 *   reconnects and rejoins on its own; every peer of a conversation leaves when its channel drops
 *   and joins again after the rejoin, which is the engine's cue to resync). A channel Realtime
 *   closes (token expired, access re-checked) is re-created after a session refresh.
 * - Not ordered (Realtime keeps one socket's order in practice, but rejoins and the coalescing
 *   window do not promise it). `send` returns false while offline or for a conversation not
 *   joined; messages sent while a channel is still joining wait for it.
 *
 * `join` on a conversation whose channel failed (e.g. not yet a member because the conversation
 * was created offline) retries at once; supabase-js also retries by itself with backoff.
 *
 * The parts live beside this file: the room and its join state machine (`supabase-room.ts`),
 * presence (`room-peers.ts`), sending (`create-room-lane.ts`) and receiving
 * (`receive-room-broadcast.ts`).
 */
export function createSupabaseTransport(options: SupabaseTransportOptions): SupabaseTransport {
  const { client, owned } = resolveSupabaseClient(options)
  const peerId = asPeerId(options.peerId ?? globalThis.crypto.randomUUID())
  const emitter = new TransportEmitter(options.onError)
  const maxPayload = options.maxPayloadBytes ?? 200_000
  const signal = options.signal
  const counters = createSupabaseTransportStats()
  let status: TransportStatus = 'connecting'
  const cleanups: (() => void)[] = []

  const report = (error: TransportError) => emitter.report(error)
  const socketUp = () => client.realtime.isConnected()
  const context: SupabaseTransportContext = {
    client,
    options,
    peerId,
    emitter,
    counters,
    rooms: new Map<ConversationId, SupabaseRoom>(),
    isPrivate: options.private ?? true,
    topicPrefix: options.topicPrefix,
    maxPayload,
    maxBodyBytes: maxPayload - frameOverhead(peerId),
    maxQueued: options.maxQueued ?? 1_000,
    ack: options.ack ?? false,
    // A function, not a comparison, so TypeScript does not narrow `status` across awaits and calls.
    closed: () => status === 'closed',
    socketUp,
    report,
    reportUnknown: (message) => (cause) =>
      status === 'closed' ? undefined : report(new TransportError('unknown', message, { cause })),
  }
  const { rooms, maxBodyBytes, reportUnknown } = context
  const lifecycle = createSupabaseRoomLifecycle(context)

  const setStatus = (next: TransportStatus) => {
    if (status === next || status === 'closed') return
    status = next
    emitter.emit('status', { status })
  }

  const close = () => {
    if (status === 'closed') return
    status = 'closed'
    signal?.removeEventListener('abort', close)
    for (const room of [...rooms.values()]) lifecycle.remove(room)
    for (const cleanup of cleanups.splice(0)) cleanup()
    if (owned) void client.realtime.disconnect()
    emitter.emit('status', { status })
    emitter.clear()
  }

  const transport: SupabaseTransport = {
    kind: 'supabase',
    peerId,
    ordered: false,
    // Realtime reaches other users' devices: the engine signs and verifies every update.
    signed: true,
    client,
    get status() {
      return status
    },
    peers() {
      const all = new Set<PeerId>()
      for (const room of rooms.values()) for (const peer of room.peers) all.add(peer)
      return [...all]
    },
    join(conversationId) {
      if (status === 'closed') return
      const existing = rooms.get(conversationId)
      if (existing) {
        // A failed channel (e.g. joined before the membership existed) retries now.
        if (existing.state === 'errored' || existing.state === 'closed')
          lifecycle.scheduleResubscribe(existing, true)
        return
      }
      lifecycle.open(conversationId)
    },
    leave(conversationId) {
      const room = rooms.get(conversationId)
      if (!room) return
      lifecycle.remove(room)
      dropRoomPeers(context, room)
    },
    send(outgoing: OutgoingTransportMessage): boolean {
      if (status === 'closed') return false
      const checked = validateTransportMessage({
        ...outgoing,
        v: TRANSPORT_PROTOCOL_VERSION,
        from: peerId,
      })
      if (!checked.ok)
        throw new TransportError(
          'invalid-message',
          `cannot send an invalid message: ${checked.reason}`,
        )
      if (status !== 'online') return false
      const room = rooms.get(outgoing.conversationId)
      if (!room) {
        report(
          new TransportError('send-failed', 'join a conversation before sending for it', {
            conversationId: outgoing.conversationId,
          }),
        )
        return false
      }
      const body = encodeMessageBody(outgoing)
      if (body.bytes.byteLength > maxBodyBytes) {
        counters.sendFailed++
        report(
          new TransportError(
            'send-failed',
            `a ${outgoing.type} of ${body.bytes.byteLength} bytes exceeds the ${maxPayload}-byte broadcast limit`,
            { conversationId: room.id },
          ),
        )
        return false
      }
      if (outgoing.type === 'awareness')
        room.awareness.push({ ...body, awareness: outgoing.update.slice() })
      else room.update.push(body)
      return true
    },
    on: (event, listener) => emitter.on(event, listener),
    close,
    stats: () => ({ ...counters }),
  }

  if (signal?.aborted) {
    status = 'closed'
    return transport
  }
  signal?.addEventListener('abort', close, { once: true })
  cleanups.push(
    watchRealtimeConnection(
      client,
      () => {
        setStatus('online')
        // Channels that were joined flush through their SUBSCRIBED callbacks after the rejoin;
        // rooms that could not even ask for their topic try again now.
        for (const room of rooms.values())
          if (room.channel === undefined && room.state === 'errored')
            lifecycle.scheduleResubscribe(room, true)
      },
      () => {
        if (socketUp()) return
        for (const room of rooms.values()) {
          if (room.state === 'joined') room.state = 'errored'
          dropRoomPeers(context, room)
        }
        setStatus('offline')
      },
    ),
  )
  const { remoteLog } = options
  if (remoteLog !== undefined) {
    cleanups.push(
      remoteLog.on('members-changed', ({ conversationId }) => {
        const room = rooms.get(conversationId)
        if (room !== undefined) void lifecycle.checkTopic(room)
      }),
      remoteLog.on('inbox-status', ({ status: inbox }) => {
        // Notices sent while the inbox was away are lost: someone may have left meanwhile.
        if (inbox === 'online') for (const room of rooms.values()) void lifecycle.checkTopic(room)
      }),
    )
  }
  if (options.externalAuth !== undefined) {
    cleanups.push(
      options.externalAuth.onTokenChange(() => {
        client.realtime.setAuth().catch(reportUnknown('handing the new token to Realtime failed'))
        // Joins refused for the lack of a token need not wait out their backoff.
        for (const room of rooms.values())
          if (room.state === 'errored' || room.state === 'closed')
            lifecycle.scheduleResubscribe(room, true)
      }),
    )
  } else if (options.keepSessionFresh ?? true)
    cleanups.push(
      keepSessionFresh(client, (cause) =>
        report(new TransportError('unknown', 'refreshing the session failed', { cause })),
      ),
    )
  if (socketUp()) status = 'online'
  else client.realtime.connect()
  return transport
}
