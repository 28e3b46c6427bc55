// The per-conversation room: one Realtime channel on the conversation's current topic
// (`conversation:<id>:<epoch>`, asked of the server before each join, see
// resolve-conversation-topic.ts) and its join state machine.
//
// - joining → joined on SUBSCRIBED: the lanes flush and presence is tracked again.
// - → errored on CHANNEL_ERROR / TIMED_OUT, or joined → errored when the socket drops:
//   supabase-js rejoins by itself, and SUBSCRIBED brings the room back to joined.
// - → closed on CLOSED (Realtime closed it: token expiry, revoked access): supabase-js does not
//   rejoin, so the room resubscribes after a backoff: remove the channel, wait until it is gone,
//   hand Realtime the session token, create a new channel (joining).
// - `join`, and a new external token, resubscribe an errored or closed room at once.
// - A topic the server will not give (not a member yet, offline) errors the room, reported like
//   a failed join, and it tries again after the backoff.
// - Moving: on `members-changed`, when the inbox comes back, and when a channel fails, the room
//   asks for its topic again; a new one (someone left) drops its peers and resubscribes there.
//
// Callbacks check that their room is still the one of its conversation (and their channel still
// the room's), so the late events of a left room or a replaced channel are ignored.
import {
  createRetryPolicy,
  isRemoteLogError,
  TRANSPORT_PROTOCOL_VERSION,
  TransportError,
  type ConversationId,
  type PeerId,
} from '@parley/core/ports'
import type { RealtimeChannel } from '@supabase/supabase-js'
import type { CoalescingLane } from './coalescing-lane.js'
import { createRoomLane } from './create-room-lane.js'
import { receiveRoomBroadcast } from './receive-room-broadcast.js'
import { resolveConversationTopic } from './resolve-conversation-topic.js'
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
  /** The topic of `channel`; undefined while there is none. */
  topic: string | undefined
  /** Bumped by every start: a start or topic check that finds a newer one gives up. */
  generation: number
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
  /**
   * Asks the server for the room's topic again and moves the room there if it changed. Never
   * rejects; a refusal is reported as `join-failed` (once per failure streak).
   */
  checkTopic(room: SupabaseRoom): Promise<void>
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

  const isCurrent = (room: SupabaseRoom) => !context.closed() && rooms.get(room.id) === room

  /** Reports a failed join once per streak (SUBSCRIBED ends it); a dropped socket says enough. */
  const reportJoinFailure = (room: SupabaseRoom, message: string, cause?: unknown) => {
    if (room.failureReported || !context.socketUp()) return
    room.failureReported = true
    report(
      new TransportError('join-failed', message, {
        conversationId: room.id,
        ...(cause !== undefined && { cause }),
      }),
    )
  }

  const messageOf = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause))

  const subscribe = (room: SupabaseRoom, channel: RealtimeChannel, topic: string) => {
    room.channel = channel
    room.topic = topic
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
          reportJoinFailure(room, `joining ${topic} failed: ${error?.message ?? state}`, error)
          // supabase-js rejoins this topic by itself, in vain if the epoch moved meanwhile.
          if (context.socketUp()) void checkTopic(room)
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

  const newChannel = (topic: string): RealtimeChannel =>
    client.channel(topic, {
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
      room.topic = undefined
      await removeChannel(room.id, old)
    }
    await start(room)
  }

  const start = async (room: SupabaseRoom) => {
    const generation = ++room.generation
    const stale = () =>
      !isCurrent(room) || room.generation !== generation || room.channel !== undefined
    try {
      await removals.get(room.id)
      await authorize()
    } catch (cause) {
      reportUnknown('reading the session failed')(cause)
    }
    if (stale()) return
    let topic: string
    try {
      topic = await resolveConversationTopic(context, room.id)
    } catch (cause) {
      if (stale()) return
      room.state = 'errored'
      reportJoinFailure(
        room,
        `asking for the topic of ${room.id} failed: ${messageOf(cause)}`,
        cause,
      )
      scheduleResubscribe(room)
      return
    }
    if (stale()) return
    subscribe(room, newChannel(topic), topic)
  }

  const checkTopic = async (room: SupabaseRoom): Promise<void> => {
    // A fixed prefix never moves; a room without a topic is starting and will ask by itself.
    if (context.topicPrefix !== undefined || !isCurrent(room) || room.topic === undefined) return
    const generation = room.generation
    let topic: string
    try {
      topic = await resolveConversationTopic(context, room.id)
    } catch (cause) {
      if (!isCurrent(room) || room.generation !== generation) return
      // `forbidden`: no longer a member (the engine leaves the room when it hears of it).
      if (!isRemoteLogError(cause, 'network'))
        reportJoinFailure(
          room,
          `checking the topic of ${room.id} failed: ${messageOf(cause)}`,
          cause,
        )
      return
    }
    if (!isCurrent(room) || room.generation !== generation || topic === room.topic) return
    // Someone left: the old topic carries nothing new. The peers rejoin on the new one, which
    // is the engine's cue to resync what was sent meanwhile.
    counters.topicMoves++
    room.state = 'joining'
    dropRoomPeers(context, room)
    scheduleResubscribe(room, true)
  }

  const makeRoom = (id: ConversationId): SupabaseRoom => {
    const room: SupabaseRoom = {
      id,
      channel: undefined,
      topic: undefined,
      generation: 0,
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
    checkTopic,
    remove(room) {
      rooms.delete(room.id)
      room.update.clear()
      room.awareness.clear()
      if (room.resubscribeTimer !== undefined) clearTimeout(room.resubscribeTimer)
      if (room.channel !== undefined) void removeChannel(room.id, room.channel)
      room.channel = undefined
      room.topic = undefined
    },
  }
}
