import { isPeerId, TransportError } from '@parley/core/ports'
import { decodeSupabaseFrame } from './supabase-frame.js'
import type { SupabaseRoom } from './supabase-room.js'
import type { SupabaseTransportContext } from './supabase-transport-context.js'

/**
 * Decodes a broadcast that arrived on `room`'s channel and delivers its messages to `message`
 * listeners. Invalid arrivals are counted, reported and dropped, never thrown; the conversation
 * of a message is its channel's, never what the sender claims.
 */
export function receiveRoomBroadcast(
  context: SupabaseTransportContext,
  room: SupabaseRoom,
  event: string,
  payload: unknown,
): void {
  const { counters, peerId, rooms } = context
  if (context.closed() || rooms.get(room.id) !== room) return
  if (!(payload instanceof ArrayBuffer)) {
    counters.invalidReceived++
    context.report(
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
    context.report(
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
    context.emitter.emit('message', { message })
    // A listener may have left the conversation or closed the transport.
    if (context.closed() || rooms.get(room.id) !== room) return
  }
}
