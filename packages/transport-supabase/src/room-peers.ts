// Peer tracking per conversation through Realtime presence (key = peer id): the peers of a room
// are recomputed from its channel's presence state on every sync, and dropped all at once when
// the channel goes down, so `peer-left`/`peer-joined` around a rejoin cue the engine to resync.
import { isPeerId, TransportError, type PeerId } from '@parley/core/ports'
import type { SupabaseRoom } from './supabase-room.js'
import type { SupabaseTransportContext } from './supabase-transport-context.js'

/** Forgets every peer of `room`, announcing each with `peer-left`. */
export function dropRoomPeers(context: SupabaseTransportContext, room: SupabaseRoom): void {
  const gone = [...room.peers]
  room.peers.clear()
  for (const peer of gone) context.emitter.emit('peer-left', { peer, conversationId: room.id })
}

/** Recomputes a room's peers from its presence state and announces the difference. */
export function syncRoomPeers(context: SupabaseTransportContext, room: SupabaseRoom): void {
  const { emitter, peerId } = context
  if (context.closed() || context.rooms.get(room.id) !== room) return
  const state = room.channel?.presenceState() ?? {}
  const present = new Set<PeerId>()
  for (const [key, metas] of Object.entries(state)) {
    if (key === peerId || !Array.isArray(metas) || metas.length === 0) continue
    if (!isPeerId(key)) {
      context.report(
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
