// The way out of a room: a coalescing lane per kind of message, whose frames go out as binary
// broadcasts on the room's channel once it is joined and the socket is up.
import { TransportError } from '@parley/core/ports'
import { CoalescingLane } from './coalescing-lane.js'
import { encodeSupabaseFrame } from './supabase-frame.js'
import type { SupabaseRoom } from './supabase-room.js'
import type { SupabaseTransportContext } from './supabase-transport-context.js'

/** The broadcast event of a lane: `update` carries updates and sync messages. */
export type RoomLaneEvent = 'update' | 'awareness'

/**
 * Makes the lane of `event` for `room`, throttled to one frame per `windowMs`. The lane holds
 * messages while the room cannot send and reports the ones it drops as `send-failed`.
 */
export function createRoomLane(
  context: SupabaseTransportContext,
  room: SupabaseRoom,
  event: RoomLaneEvent,
  windowMs: number,
): CoalescingLane {
  return new CoalescingLane({
    conversationId: room.id,
    windowMs,
    maxBodyBytes: context.maxBodyBytes,
    maxQueued: context.maxQueued,
    mergeAwareness: event === 'awareness',
    canSend: () => canSend(context, room),
    sendFrame: (bodies, count) => sendFrame(context, room, event, bodies, count),
    onDrop: (count) => {
      context.counters.sendFailed += count
      context.report(
        new TransportError('send-failed', `dropped ${count} queued message(s): queue full`, {
          conversationId: room.id,
        }),
      )
    },
  })
}

/** Whether a lane may flush: the room's channel is joined, the socket up, the transport open. */
function canSend(context: SupabaseTransportContext, room: SupabaseRoom): boolean {
  return (
    room.channel !== undefined && room.state === 'joined' && context.socketUp() && !context.closed()
  )
}

/** Broadcasts one frame of `count` messages; one that is too large is counted and reported. */
function sendFrame(
  context: SupabaseTransportContext,
  room: SupabaseRoom,
  event: RoomLaneEvent,
  bodies: Uint8Array[],
  count: number,
): void {
  const { counters, maxPayload } = context
  const frame = encodeSupabaseFrame(context.peerId, bodies)
  if (frame.byteLength > maxPayload) {
    counters.sendFailed += count
    context.report(
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
    if (outcome === 'ok' || context.closed()) return
    counters.sendFailed += count
    context.report(
      new TransportError('send-failed', `Realtime answered "${String(outcome)}" to a broadcast`, {
        conversationId: room.id,
      }),
    )
  }, context.reportUnknown('a broadcast failed'))
}
