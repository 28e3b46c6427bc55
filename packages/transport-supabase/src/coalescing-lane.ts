// A leading-edge throttle over one conversation's outgoing messages of one kind. A message that
// finds the lane quiet goes out at once (a lone chat message pays no delay); messages that follow
// within `windowMs` wait and ride together in one frame at the end of the window. So a burst
// costs one Realtime event per window (PERFORMANCE.md T14) and a lone message none.
import type { ConversationId } from '@parley/core/ports'
import { mergeAwarenessUpdates } from './merge-awareness-updates.js'
import { encodeMessageBody, type EncodedMessageBody } from './supabase-frame.js'

/** A queued message: its encoded body, plus the raw update for awareness (to merge). */
export interface LaneEntry extends EncodedMessageBody {
  awareness?: Uint8Array
}

/** Options of a {@link CoalescingLane}. */
export interface CoalescingLaneOptions {
  conversationId: ConversationId
  /** The throttle window, ms. */
  windowMs: number
  /** Most body bytes in one frame (the payload limit minus the frame's own overhead). */
  maxBodyBytes: number
  /** Most queued messages; beyond, the oldest are dropped (reported through `onDrop`). */
  maxQueued: number
  /** Merge awareness updates of one window (newest state per client wins). */
  mergeAwareness: boolean
  /** Whether a frame can go out now (socket up, channel joined). */
  canSend(): boolean
  /** Sends one frame made of `bodies`; `messages` is how many messages they stand for. */
  sendFrame(bodies: Uint8Array[], messages: number): void
  /** Reports messages dropped because the queue overflowed. */
  onDrop(count: number): void
}

/** See the header of this file. */
export class CoalescingLane {
  readonly #options: CoalescingLaneOptions
  #pending: LaneEntry[] = []
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(options: CoalescingLaneOptions) {
    this.#options = options
  }

  /** Queues a message; sends it at once when the lane is quiet and sendable. */
  push(entry: LaneEntry): void {
    this.#pending.push(entry)
    const overflow = this.#pending.length - this.#options.maxQueued
    if (overflow > 0) {
      this.#pending.splice(0, overflow)
      this.#options.onDrop(overflow)
    }
    if (this.#timer === undefined && this.#options.canSend()) this.#flush()
  }

  /** The channel became sendable: sends what waited, unless a window is still open. */
  ready(): void {
    if (this.#timer === undefined && this.#options.canSend()) this.#flush()
  }

  /** How many messages wait. */
  get pending(): number {
    return this.#pending.length
  }

  /** Drops everything queued and stops the window timer. */
  clear(): void {
    this.#pending = []
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #flush(): void {
    if (this.#pending.length === 0) return
    const entries = this.#options.mergeAwareness ? this.#merge(this.#pending) : this.#pending
    const messages = this.#pending.length
    this.#pending = []
    let frame: Uint8Array[] = []
    let size = 0
    let frames = 0
    const emit = (count: number) => {
      if (frame.length === 0) return
      frames++
      this.#options.sendFrame(frame, count)
      frame = []
      size = 0
    }
    for (const entry of entries) {
      if (size + entry.bytes.byteLength > this.#options.maxBodyBytes) emit(frame.length)
      frame.push(entry.bytes)
      size += entry.bytes.byteLength
    }
    // Attribute every original message to the last frame, so counters add up after merging.
    const lastCount = frame.length + (messages - entries.length)
    emit(lastCount)
    if (frames > 0) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined
        if (this.#pending.length > 0 && this.#options.canSend()) this.#flush()
      }, this.#options.windowMs)
    }
  }

  /** Merges the awareness updates of each addressee into one; keeps other entries as they are. */
  #merge(entries: LaneEntry[]): LaneEntry[] {
    const groups = new Map<string, Uint8Array[]>()
    const rest: LaneEntry[] = []
    for (const entry of entries) {
      if (entry.awareness === undefined) {
        rest.push(entry)
        continue
      }
      const key = entry.to ?? ''
      let group = groups.get(key)
      if (!group) groups.set(key, (group = []))
      group.push(entry.awareness)
    }
    const merged: LaneEntry[] = []
    for (const [key, updates] of groups) {
      for (const update of mergeAwarenessUpdates(updates)) {
        const to = key === '' ? undefined : entries.find((e) => e.to === key)?.to
        const body = encodeMessageBody({
          type: 'awareness',
          conversationId: this.#options.conversationId,
          update,
          ...(to !== undefined && { to }),
        })
        merged.push({ ...body, awareness: update })
      }
    }
    return [...rest, ...merged]
  }
}
