// Fan-out of user broadcasts and presence diffs to a room. Each frame is encoded once per
// protocol version, not once per subscriber: a room of 10 sockets costs at most two encodings.
import type { ChannelRegistry, RoomKey, RoomSubscriber } from './channel-registry.js'
import type { PresenceDiff } from './presence-tracker.js'
import type {
  EncodedFrame,
  OutboundFrame,
  RealtimeSerializer,
  UserBroadcastFrame,
} from './realtime-message.js'

/** Delivers frames to the members of a room. */
export class BroadcastRouter {
  constructor(private readonly registry: ChannelRegistry) {}

  /**
   * Sends a user broadcast to every member with broadcast-read, except `exclude` (the sender of
   * a `self: false` broadcast). Returns how many sockets it was written to.
   */
  broadcast(room: RoomKey, frame: UserBroadcastFrame, exclude?: RoomSubscriber): number {
    return this.#fanOut(room, frame, (member) => member !== exclude && member.canReadBroadcast)
  }

  /** Sends `presence_diff` to every member allowed to read presence, the tracker included. */
  presenceDiff(room: RoomKey, topic: string, diff: PresenceDiff): number {
    const frame: OutboundFrame = {
      type: 'message',
      joinRef: null,
      ref: null,
      topic,
      event: 'presence_diff',
      payload: diff,
    }
    return this.#fanOut(room, frame, (member) => member.canReadPresence)
  }

  #fanOut(
    room: RoomKey,
    frame: OutboundFrame,
    accept: (member: RoomSubscriber) => boolean,
  ): number {
    const encoded = new Map<RealtimeSerializer, EncodedFrame>()
    let delivered = 0
    // Copy: delivering can close a socket, which removes members from the live set.
    for (const member of [...this.registry.members(room)]) {
      if (!accept(member)) continue
      let bytes = encoded.get(member.serializer)
      if (bytes === undefined) {
        bytes = member.serializer.encode(frame)
        encoded.set(member.serializer, bytes)
      }
      if (bytes === null) continue
      member.deliver(bytes)
      delivered += 1
    }
    return delivered
  }
}
