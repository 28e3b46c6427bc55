// Which joined channels listen to which room. A room is a sub-topic plus its privacy: Realtime
// subscribes public and private channels to different tenant topics, so `room:1` public and
// `room:1` private never see each other's messages (SUPABASE-PROTOCOL.md §1.6 step 6).
import type { EncodedFrame, RealtimeSerializer } from './realtime-message.js'

/** A room's identity: privacy plus sub-topic (the channel name without `realtime:`). */
export type RoomKey = string & { readonly __brand: 'RoomKey' }

/** The key of a room. */
export function roomKey(isPrivate: boolean, subTopic: string): RoomKey {
  return `${isPrivate ? 'private' : 'public'}:${subTopic}` as RoomKey
}

/** The view the routers need of one joined channel. */
export interface RoomSubscriber {
  /** Unique per join, across the whole server. */
  readonly id: number
  readonly serializer: RealtimeSerializer
  /** Broadcast-read policy (always true on public channels). */
  readonly canReadBroadcast: boolean
  /** Whether presence diffs may be delivered (presence-read, and presence enabled). */
  readonly canReadPresence: boolean
  /** Writes an encoded frame to the subscriber's socket (no-op once it closed). */
  deliver(frame: Exclude<EncodedFrame, null>): void
}

/** Room membership of every joined channel on one server. */
export class ChannelRegistry {
  readonly #rooms = new Map<RoomKey, Set<RoomSubscriber>>()

  /** Adds a subscriber to a room. */
  add(room: RoomKey, subscriber: RoomSubscriber): void {
    let members = this.#rooms.get(room)
    if (members === undefined) {
      members = new Set()
      this.#rooms.set(room, members)
    }
    members.add(subscriber)
  }

  /** Removes a subscriber; empty rooms are dropped so 10,000 one-off topics leave nothing behind. */
  remove(room: RoomKey, subscriber: RoomSubscriber): void {
    const members = this.#rooms.get(room)
    if (members === undefined) return
    members.delete(subscriber)
    if (members.size === 0) this.#rooms.delete(room)
  }

  /** The room's subscribers (live view; copy before mutating the registry while iterating). */
  members(room: RoomKey): ReadonlySet<RoomSubscriber> {
    return this.#rooms.get(room) ?? EMPTY
  }

  /** Number of non-empty rooms (for leak checks). */
  get roomCount(): number {
    return this.#rooms.size
  }
}

const EMPTY: ReadonlySet<RoomSubscriber> = new Set()
