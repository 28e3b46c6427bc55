// The per-conversation room: one Realtime channel `<prefix><id>` and its join state machine.
//
// - joining → joined on SUBSCRIBED: the lanes flush and presence is tracked again.
// - → errored on CHANNEL_ERROR / TIMED_OUT, or joined → errored when the socket drops:
//   supabase-js rejoins by itself, and SUBSCRIBED brings the room back to joined.
// - → closed on CLOSED (Realtime closed it: token expiry, revoked access): supabase-js does not
//   rejoin, so the room resubscribes after a backoff: remove the channel, wait until it is gone,
//   hand Realtime the session token, create a new channel (joining).
// - `join`, and a new external token, resubscribe an errored or closed room at once.
//
// Callbacks check that their room is still the one of its conversation (and their channel still
// the room's), so the late events of a left room or a replaced channel are ignored.
import {
  createRetryPolicy,
  TRANSPORT_PROTOCOL_VERSION,
  TransportError,
  type ConversationId,
  type PeerId,
} from '@parley/core/ports'
import type { RealtimeChannel } from '@supabase/supabase-js'
import type { CoalescingLane } from './coalescing-lane.js'
import { createRoomLane } from './create-room-lane.js'
import { receiveRoomBroadcast } from './receive-room-broadcast.js'
import { dropRoomPeers, syncRoomPeers } from './room-peers.js'
import { DEFAULT_COALESCE_MS } from './supabase-transport-options.js'
import type { SupabaseTransportContext } from './supabase-transport-context.js'

/** Where a room's channel stands. */
export type SupabaseRoomState = 'joining' | 'joined' | 'errored' | 'closed'

/** A joined conversation: its channel, its peers and its outgoing lanes. */
export interface SupabaseRoom {
  id: ConversationId
  /** Absent until the channel is created (after the previous one of the topic is gone). */
  channel: RealtimeChannel | undefined
  state: SupabaseRoomState
  peers: Set<PeerId>
  update: CoalescingLane
  awareness: CoalescingLane
  /** A join failure was reported since the last success (report once per streak). */
  failureReported: boolean
  /** Consecutive resubscribes without a successful join. */
  resubscribes: number
  resubscribeTimer: ReturnType<typeof setTimeout> | undefined
}

/** Opens, rejoins and removes the rooms of one transport. */
export interface SupabaseRoomLifecycle {
  /** Makes the room of `id`, registers it in `context.rooms` and starts joining its channel. */
  open(id: ConversationId): void
  /** Re-creates a room's channel after the backoff, or on the next task when `immediately`. */
  scheduleResubscribe(room: SupabaseRoom, immediately?: boolean): void
  /** Unregisters a room, drops its queued messages and removes its channel. Peers stay. */
  remove(room: SupabaseRoom): void
}

const BROADCAST_EVENTS = new Set(['update', 'awareness'])

/** The room lifecycle of the transport behind `context`. */
export function createSupabaseRoomLifecycle(
  context: SupabaseTransportContext,
): SupabaseRoomLifecycle {
  const { client, counters, rooms, report, reportUnknown } = context
  const resubscribePolicy = createRetryPolicy({
    baseDelayMs: 1_000,
    maxDelayMs: 30_000,
    isRetryable: () => true,
  })

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

  const subscribe = (room: SupabaseRoom, channel: RealtimeChannel) => {
    room.channel = channel
    room.state = 'joining'
    channel.on('broadcast', { event: '*' }, (message: { event?: unknown; payload?: unknown }) => {
      const event = typeof message.event === 'string' ? message.event : ''
      // Other events on the channel (e.g. `members-changed` from the database) are not ours.
      if (BROADCAST_EVENTS.has(event)) receiveRoomBroadcast(context, room, event, message.payload)
    })
    channel.on('presence', { event: 'sync' }, () => syncRoomPeers(context, room))
    channel.on('system', {}, (payload: { status?: unknown; message?: unknown }) => {
      if (payload.status !== 'error' || rooms.get(room.id) !== room) return
      report(
        new TransportError('join-failed', `Realtime: ${String(payload.message)}`, {
          conversationId: room.id,
        }),
      )
    })
    channel.subscribe((state, error) => {
      if (context.closed() || rooms.get(room.id) !== room || room.channel !== channel) return
      switch (state) {
        case 'SUBSCRIBED':
          room.state = 'joined'
          room.failureReported = false
          room.resubscribes = 0
          counters.joins++
          // Presence is per channel process: track again after every (re)join. Our own key
          // shows up in presence_state, which is how peers find us.
          channel.track({ v: TRANSPORT_PROTOCOL_VERSION }).then((outcome) => {
            if (outcome !== 'ok' && !context.closed() && rooms.get(room.id) === room)
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
          dropRoomPeers(context, room)
          // A dropped socket errors every channel; `status` says that already.
          if (!room.failureReported && context.socketUp()) {
            room.failureReported = true
            report(
              new TransportError(
                'join-failed',
                `joining ${context.topicPrefix}${room.id} failed: ${error?.message ?? state}`,
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
          dropRoomPeers(context, room)
          scheduleResubscribe(room)
          return
      }
    })
  }

  const newChannel = (id: ConversationId): RealtimeChannel =>
    client.channel(`${context.topicPrefix}${id}`, {
      config: {
        private: context.isPrivate,
        broadcast: { self: false, ack: context.ack },
        presence: { key: context.peerId, enabled: true },
      },
    })

  /** Makes sure Realtime holds the current session token before a (private) join. */
  const authorize = async () => {
    if (context.options.externalAuth !== undefined) {
      // The client's `accessToken` callback is the source of truth.
      await client.realtime.setAuth()
      return
    }
    const { data } = await client.auth.getSession()
    await client.realtime.setAuth(data.session?.access_token ?? null)
  }

  const scheduleResubscribe = (room: SupabaseRoom, immediately = false) => {
    if (room.resubscribeTimer !== undefined) clearTimeout(room.resubscribeTimer)
    const delay = immediately ? 0 : resubscribePolicy.delayMs(room.resubscribes++)
    room.resubscribeTimer = setTimeout(() => {
      room.resubscribeTimer = undefined
      void resubscribe(room)
    }, delay)
  }

  const resubscribe = async (room: SupabaseRoom) => {
    if (context.closed() || rooms.get(room.id) !== room) return
    counters.resubscribes++
    const old = room.channel
    if (old !== undefined) {
      room.channel = undefined
      await removeChannel(room.id, old)
    }
    await start(room)
  }

  const start = async (room: SupabaseRoom) => {
    try {
      await removals.get(room.id)
      await authorize()
    } catch (cause) {
      reportUnknown('reading the session failed')(cause)
    }
    if (context.closed() || rooms.get(room.id) !== room || room.channel !== undefined) return
    subscribe(room, newChannel(room.id))
  }

  const makeRoom = (id: ConversationId): SupabaseRoom => {
    const room: SupabaseRoom = {
      id,
      channel: undefined,
      state: 'joining',
      peers: new Set(),
      failureReported: false,
      resubscribes: 0,
      resubscribeTimer: undefined,
      // The lanes close over the room, so they are made once it exists, just below.
      update: undefined as unknown as CoalescingLane,
      awareness: undefined as unknown as CoalescingLane,
    }
    const { options } = context
    room.update = createRoomLane(context, room, 'update', options.coalesceMs ?? DEFAULT_COALESCE_MS)
    room.awareness = createRoomLane(context, room, 'awareness', options.awarenessMs ?? 100)
    return room
  }

  return {
    open(id) {
      const room = makeRoom(id)
      rooms.set(id, room)
      void start(room)
    },
    scheduleResubscribe,
    remove(room) {
      rooms.delete(room.id)
      room.update.clear()
      room.awareness.clear()
      if (room.resubscribeTimer !== undefined) clearTimeout(room.resubscribeTimer)
      if (room.channel !== undefined) void removeChannel(room.id, room.channel)
      room.channel = undefined
    },
  }
}
