import {
  asPeerId,
  createRetryPolicy,
  isPeerId,
  TRANSPORT_PROTOCOL_VERSION,
  TransportError,
  validateTransportMessage,
  type ConversationId,
  type OutgoingTransportMessage,
  type PeerId,
  type Transport,
  type TransportStatus,
} from '@parley/core/ports'
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js'
import { CoalescingLane } from './coalescing-lane.js'
import type { SupabaseExternalAuth } from './external-auth.js'
import { keepSessionFresh } from './keep-session-fresh.js'
import { resolveSupabaseClient, type SupabaseClientSource } from './resolve-supabase-client.js'
import {
  decodeSupabaseFrame,
  encodeMessageBody,
  encodeSupabaseFrame,
  frameOverhead,
} from './supabase-frame.js'
import { TransportEmitter } from '@parley/core/ports'
import { watchRealtimeConnection } from './watch-realtime-connection.js'

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
  /** Channel name prefix; the channel of a conversation is `<prefix><id>`. Default `'conversation:'`. */
  topicPrefix?: string
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

/** Counters of a Supabase transport, for benchmarks and diagnostics. */
export interface SupabaseTransportStats {
  /** Broadcast events sent (one per frame). */
  framesSent: number
  /** Messages handed to `send` that went out (a frame carries one or more). */
  messagesSent: number
  /** Payload bytes of the frames sent. */
  bytesSent: number
  /** Broadcast events received and decoded. */
  framesReceived: number
  /** Messages delivered to `message` listeners. */
  messagesReceived: number
  /** Payload bytes of the frames received. */
  bytesReceived: number
  /** Frames or events dropped as invalid. */
  invalidReceived: number
  /** Messages not sent: too large, queue overflow, refused by Realtime. */
  sendFailed: number
  /** Channel joins that succeeded (first joins and rejoins). */
  joins: number
  /** Channels re-created after Realtime closed them (token expiry, revoked access). */
  resubscribes: number
}

/** The Supabase transport: a {@link Transport} with counters and its client. */
export interface SupabaseTransport extends Transport {
  /** The client it runs on. */
  readonly client: SupabaseClient
  /** A snapshot of the counters. */
  stats(): SupabaseTransportStats
}

type RoomState = 'joining' | 'joined' | 'errored' | 'closed'

interface Room {
  id: ConversationId
  /** Absent until the channel is created (after the previous one of the topic is gone). */
  channel: RealtimeChannel | undefined
  state: RoomState
  peers: Set<PeerId>
  update: CoalescingLane
  awareness: CoalescingLane
  /** A join failure was reported since the last success (report once per streak). */
  failureReported: boolean
  /** Consecutive resubscribes without a successful join. */
  resubscribes: number
  resubscribeTimer: ReturnType<typeof setTimeout> | undefined
}

const BROADCAST_EVENTS = new Set(['update', 'awareness'])

/**
 * The update throttle window. A leading-edge throttle sends 1 + ⌈T / window⌉ frames for a burst
 * of length T: with 50 ms a 1 s burst is 21–23 events; 55 ms keeps it under the 20 events/s
 * budget of PERFORMANCE.md T14 and still costs a lone message nothing.
 */
export const DEFAULT_COALESCE_MS = 55

/**
 * A {@link Transport} between devices over Supabase Realtime: one channel `conversation:<id>`
 * per joined conversation (private by default, so RLS admits members only).
 *
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
 */
export function createSupabaseTransport(options: SupabaseTransportOptions): SupabaseTransport {
  const { client, owned } = resolveSupabaseClient(options)
  const peerId = asPeerId(options.peerId ?? globalThis.crypto.randomUUID())
  const emitter = new TransportEmitter(options.onError)
  const isPrivate = options.private ?? true
  const prefix = options.topicPrefix ?? 'conversation:'
  const maxPayload = options.maxPayloadBytes ?? 200_000
  const maxBodyBytes = maxPayload - frameOverhead(peerId)
  const maxQueued = options.maxQueued ?? 1_000
  const ack = options.ack ?? false
  const signal = options.signal
  const rooms = new Map<ConversationId, Room>()
  const resubscribePolicy = createRetryPolicy({
    baseDelayMs: 1_000,
    maxDelayMs: 30_000,
    isRetryable: () => true,
  })
  const counters: SupabaseTransportStats = {
    framesSent: 0,
    messagesSent: 0,
    bytesSent: 0,
    framesReceived: 0,
    messagesReceived: 0,
    bytesReceived: 0,
    invalidReceived: 0,
    sendFailed: 0,
    joins: 0,
    resubscribes: 0,
  }
  let status: TransportStatus = 'connecting'
  // A function, not a comparison, so TypeScript does not narrow `status` across awaits and calls.
  const closed = () => status === 'closed'
  const cleanups: (() => void)[] = []

  const report = (error: TransportError) => emitter.report(error)
  const reportUnknown = (message: string) => (cause: unknown) =>
    status === 'closed' ? undefined : report(new TransportError('unknown', message, { cause }))

  const setStatus = (next: TransportStatus) => {
    if (status === next || status === 'closed') return
    status = next
    emitter.emit('status', { status })
  }

  const socketUp = () => client.realtime.isConnected()

  const dropPeers = (room: Room) => {
    const gone = [...room.peers]
    room.peers.clear()
    for (const peer of gone) emitter.emit('peer-left', { peer, conversationId: room.id })
  }

  /** Recomputes a room's peers from its presence state and announces the difference. */
  const syncPeers = (room: Room) => {
    if (status === 'closed' || rooms.get(room.id) !== room) return
    const state = room.channel?.presenceState() ?? {}
    const present = new Set<PeerId>()
    for (const [key, metas] of Object.entries(state)) {
      if (key === peerId || !Array.isArray(metas) || metas.length === 0) continue
      if (!isPeerId(key)) {
        report(
          new TransportError('invalid-message', `ignored a presence key that is not a peer id`, {
            conversationId: room.id,
          }),
        )
        continue
      }
      present.add(key)
    }
    for (const peer of [...room.peers]) {
      if (present.has(peer)) continue
      room.peers.delete(peer)
      emitter.emit('peer-left', { peer, conversationId: room.id })
    }
    for (const peer of present) {
      if (room.peers.has(peer)) continue
      room.peers.add(peer)
      emitter.emit('peer-joined', { peer, conversationId: room.id })
    }
  }

  const receive = (room: Room, event: string, payload: unknown) => {
    if (status === 'closed' || rooms.get(room.id) !== room) return
    if (!(payload instanceof ArrayBuffer)) {
      counters.invalidReceived++
      report(
        new TransportError('invalid-message', `dropped a non-binary "${event}" broadcast`, {
          conversationId: room.id,
        }),
      )
      return
    }
    counters.bytesReceived += payload.byteLength
    const result = decodeSupabaseFrame(new Uint8Array(payload), room.id)
    if (!result.ok) {
      counters.invalidReceived++
      report(
        new TransportError(result.code, `dropped a frame: ${result.reason}`, {
          conversationId: room.id,
          ...(isPeerId(result.from) && { peer: result.from }),
        }),
      )
      return
    }
    counters.framesReceived++
    // Realtime's `self: false` already keeps our own broadcasts away; an equal id is a clash.
    if (result.from === peerId) return
    for (const message of result.messages) {
      if (message.type === 'hello' || message.type === 'goodbye') continue
      if (message.to !== undefined && message.to !== peerId) continue
      counters.messagesReceived++
      emitter.emit('message', { message })
      // A listener may have left the conversation or closed the transport.
      if (closed() || rooms.get(room.id) !== room) return
    }
  }

  const sendFrame = (
    room: Room,
    event: 'update' | 'awareness',
    bodies: Uint8Array[],
    count: number,
  ) => {
    const frame = encodeSupabaseFrame(peerId, bodies)
    if (frame.byteLength > maxPayload) {
      counters.sendFailed += count
      report(
        new TransportError(
          'send-failed',
          `a ${frame.byteLength}-byte frame exceeds ${maxPayload} bytes`,
          {
            conversationId: room.id,
          },
        ),
      )
      return
    }
    counters.framesSent++
    counters.messagesSent += count
    counters.bytesSent += frame.byteLength
    // An ArrayBuffer payload makes rt-js send a binary broadcast (encoding 0) on vsn 2.0.0.
    const buffer = frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.byteLength)
    if (room.channel === undefined) return
    room.channel.send({ type: 'broadcast', event, payload: buffer }).then((outcome) => {
      if (outcome === 'ok' || status === 'closed') return
      counters.sendFailed += count
      report(
        new TransportError('send-failed', `Realtime answered "${String(outcome)}" to a broadcast`, {
          conversationId: room.id,
        }),
      )
    }, reportUnknown('a broadcast failed'))
  }

  const canSend = (room: Room) =>
    room.channel !== undefined && room.state === 'joined' && socketUp() && status !== 'closed'

  /**
   * Channels being removed, per conversation. rt-js hands back an existing channel object for a
   * topic until the old one has closed (and then drops every channel of that topic), so a new
   * channel for a conversation is created only once the previous one is gone.
   */
  const removals = new Map<ConversationId, Promise<unknown>>()
  const removeChannel = (id: ConversationId, channel: RealtimeChannel): Promise<unknown> => {
    const removal = client
      .removeChannel(channel)
      .catch(reportUnknown('leaving a channel failed'))
      .finally(() => {
        if (removals.get(id) === removal) removals.delete(id)
      })
    removals.set(id, removal)
    return removal
  }

  const subscribe = (room: Room, channel: RealtimeChannel) => {
    room.channel = channel
    room.state = 'joining'
    channel.on('broadcast', { event: '*' }, (message: { event?: unknown; payload?: unknown }) => {
      const event = typeof message.event === 'string' ? message.event : ''
      // Other events on the channel (e.g. `members-changed` from the database) are not ours.
      if (BROADCAST_EVENTS.has(event)) receive(room, event, message.payload)
    })
    channel.on('presence', { event: 'sync' }, () => syncPeers(room))
    channel.on('system', {}, (payload: { status?: unknown; message?: unknown }) => {
      if (payload.status !== 'error' || rooms.get(room.id) !== room) return
      report(
        new TransportError('join-failed', `Realtime: ${String(payload.message)}`, {
          conversationId: room.id,
        }),
      )
    })
    channel.subscribe((state, error) => {
      if (status === 'closed' || rooms.get(room.id) !== room || room.channel !== channel) return
      switch (state) {
        case 'SUBSCRIBED':
          room.state = 'joined'
          room.failureReported = false
          room.resubscribes = 0
          counters.joins++
          // Presence is per channel process: track again after every (re)join. Our own key
          // shows up in presence_state, which is how peers find us.
          channel.track({ v: TRANSPORT_PROTOCOL_VERSION }).then((outcome) => {
            if (outcome !== 'ok' && status !== 'closed' && rooms.get(room.id) === room)
              report(
                new TransportError('join-failed', `presence track answered "${outcome}"`, {
                  conversationId: room.id,
                }),
              )
          }, reportUnknown('presence track failed'))
          room.update.ready()
          room.awareness.ready()
          return
        case 'CHANNEL_ERROR':
        case 'TIMED_OUT':
          room.state = 'errored'
          dropPeers(room)
          // A dropped socket errors every channel; `status` says that already.
          if (!room.failureReported && socketUp()) {
            room.failureReported = true
            report(
              new TransportError(
                'join-failed',
                `joining ${prefix}${room.id} failed: ${error?.message ?? state}`,
                {
                  conversationId: room.id,
                  ...(error !== undefined && { cause: error }),
                },
              ),
            )
          }
          return
        case 'CLOSED':
          // Not left by us (leave() removes the room first): Realtime closed it, e.g. when the
          // token expired. supabase-js does not rejoin a closed channel; we do.
          room.state = 'closed'
          dropPeers(room)
          scheduleResubscribe(room)
          return
      }
    })
  }

  const newChannel = (id: ConversationId): RealtimeChannel =>
    client.channel(`${prefix}${id}`, {
      config: {
        private: isPrivate,
        broadcast: { self: false, ack },
        presence: { key: peerId, enabled: true },
      },
    })

  /** Makes sure Realtime holds the current session token before a (private) join. */
  const authorize = async () => {
    if (options.externalAuth !== undefined) {
      // The client's `accessToken` callback is the source of truth.
      await client.realtime.setAuth()
      return
    }
    const { data } = await client.auth.getSession()
    await client.realtime.setAuth(data.session?.access_token ?? null)
  }

  const scheduleResubscribe = (room: Room, immediately = false) => {
    if (room.resubscribeTimer !== undefined) clearTimeout(room.resubscribeTimer)
    const delay = immediately ? 0 : resubscribePolicy.delayMs(room.resubscribes++)
    room.resubscribeTimer = setTimeout(() => {
      room.resubscribeTimer = undefined
      void resubscribe(room)
    }, delay)
  }

  const resubscribe = async (room: Room) => {
    if (status === 'closed' || rooms.get(room.id) !== room) return
    counters.resubscribes++
    const old = room.channel
    if (old !== undefined) {
      room.channel = undefined
      await removeChannel(room.id, old)
    }
    await start(room)
  }

  const start = async (room: Room) => {
    try {
      await removals.get(room.id)
      await authorize()
    } catch (cause) {
      reportUnknown('reading the session failed')(cause)
    }
    if (closed() || rooms.get(room.id) !== room || room.channel !== undefined) return
    subscribe(room, newChannel(room.id))
  }

  const makeRoom = (id: ConversationId): Room => {
    const room: Room = {
      id,
      channel: undefined,
      state: 'joining',
      peers: new Set(),
      failureReported: false,
      resubscribes: 0,
      resubscribeTimer: undefined,
      update: undefined as unknown as CoalescingLane,
      awareness: undefined as unknown as CoalescingLane,
    }
    const lane = (event: 'update' | 'awareness', windowMs: number) =>
      new CoalescingLane({
        conversationId: id,
        windowMs,
        maxBodyBytes,
        maxQueued,
        mergeAwareness: event === 'awareness',
        canSend: () => canSend(room),
        sendFrame: (bodies, count) => sendFrame(room, event, bodies, count),
        onDrop: (count) => {
          counters.sendFailed += count
          report(
            new TransportError('send-failed', `dropped ${count} queued message(s): queue full`, {
              conversationId: id,
            }),
          )
        },
      })
    room.update = lane('update', options.coalesceMs ?? DEFAULT_COALESCE_MS)
    room.awareness = lane('awareness', options.awarenessMs ?? 100)
    return room
  }

  const removeRoom = (room: Room) => {
    rooms.delete(room.id)
    room.update.clear()
    room.awareness.clear()
    if (room.resubscribeTimer !== undefined) clearTimeout(room.resubscribeTimer)
    if (room.channel !== undefined) void removeChannel(room.id, room.channel)
    room.channel = undefined
  }

  const close = () => {
    if (status === 'closed') return
    status = 'closed'
    signal?.removeEventListener('abort', close)
    for (const room of [...rooms.values()]) removeRoom(room)
    for (const cleanup of cleanups.splice(0)) cleanup()
    if (owned) void client.realtime.disconnect()
    emitter.emit('status', { status })
    emitter.clear()
  }

  const transport: SupabaseTransport = {
    kind: 'supabase',
    peerId,
    ordered: false,
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
          scheduleResubscribe(existing, true)
        return
      }
      const room = makeRoom(conversationId)
      rooms.set(conversationId, room)
      void start(room)
    },
    leave(conversationId) {
      const room = rooms.get(conversationId)
      if (!room) return
      removeRoom(room)
      dropPeers(room)
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
        // Channels that were joined flush through their SUBSCRIBED callbacks after the rejoin.
      },
      () => {
        if (socketUp()) return
        for (const room of rooms.values()) {
          if (room.state === 'joined') room.state = 'errored'
          dropPeers(room)
        }
        setStatus('offline')
      },
    ),
  )
  if (options.externalAuth !== undefined) {
    cleanups.push(
      options.externalAuth.onTokenChange(() => {
        client.realtime.setAuth().catch(reportUnknown('handing the new token to Realtime failed'))
        // Joins refused for the lack of a token need not wait out their backoff.
        for (const room of rooms.values())
          if (room.state === 'errored' || room.state === 'closed') scheduleResubscribe(room, true)
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
