// Presence state per room, as phoenix_pubsub's tracker keeps it: each channel (owner) tracks at
// most one meta under its presence key; updates are reported as a join (with `phx_ref_prev`) plus
// a leave of the old meta in one diff (SUPABASE-PROTOCOL.md §1.8).
import { randomBytes } from 'node:crypto'

/** One tracked meta as it travels: the user's fields plus the opaque `phx_ref`. */
export type PresenceMeta = Record<string, unknown> & { phx_ref: string; phx_ref_prev?: string }

/** `{ key: { metas } }`, the shape of `presence_state` and of each side of a diff. */
export type PresenceMap = Record<string, { metas: PresenceMeta[] }>

/** The payload of `presence_diff`. */
export interface PresenceDiff {
  joins: PresenceMap
  leaves: PresenceMap
}

interface PresenceEntry {
  key: string
  ref: string
  meta: Record<string, unknown>
  /** JSON of `meta`, to recognise a re-track with an identical payload (a no-op). */
  fingerprint: string
}

/** Presence for every room of one Realtime server. Rooms with no entries are forgotten. */
export class PresenceTracker {
  readonly #rooms = new Map<string, Map<number, PresenceEntry>>()

  /** Tracks or updates `owner`'s meta; returns the diff to broadcast, or null for a no-op. */
  track(
    room: string,
    owner: number,
    key: string,
    meta: Record<string, unknown>,
  ): PresenceDiff | null {
    const entries = this.#room(room)
    const fingerprint = JSON.stringify(meta)
    const previous = entries.get(owner)
    if (previous !== undefined && previous.key === key && previous.fingerprint === fingerprint) {
      return null
    }
    const entry: PresenceEntry = { key, ref: newPhxRef(), meta, fingerprint }
    entries.set(owner, entry)
    const joined: PresenceMeta = { ...meta, phx_ref: entry.ref }
    if (previous === undefined) return { joins: { [key]: { metas: [joined] } }, leaves: {} }
    joined.phx_ref_prev = previous.ref
    return {
      joins: { [key]: { metas: [joined] } },
      leaves: { [previous.key]: { metas: [toMeta(previous)] } },
    }
  }

  /** Removes `owner`'s meta (untrack, leave, socket drop); returns the diff, or null if none. */
  untrack(room: string, owner: number): PresenceDiff | null {
    const entries = this.#rooms.get(room)
    const previous = entries?.get(owner)
    if (entries === undefined || previous === undefined) return null
    entries.delete(owner)
    if (entries.size === 0) this.#rooms.delete(room)
    return { joins: {}, leaves: { [previous.key]: { metas: [toMeta(previous)] } } }
  }

  /** Everything tracked in a room, grouped by key in tracking order. */
  state(room: string): PresenceMap {
    const state: PresenceMap = {}
    for (const entry of this.#rooms.get(room)?.values() ?? []) {
      const slot = (state[entry.key] ??= { metas: [] })
      slot.metas.push(toMeta(entry))
    }
    return state
  }

  /** Number of rooms holding presence (for leak checks). */
  get roomCount(): number {
    return this.#rooms.size
  }

  #room(room: string): Map<number, PresenceEntry> {
    let entries = this.#rooms.get(room)
    if (entries === undefined) {
      entries = new Map()
      this.#rooms.set(room, entries)
    }
    return entries
  }
}

function toMeta(entry: PresenceEntry): PresenceMeta {
  return { ...entry.meta, phx_ref: entry.ref }
}

/** phoenix_pubsub's refs are base64 of 8 random bytes (12 characters ending in `=`). */
function newPhxRef(): string {
  return randomBytes(8).toString('base64')
}

// UUIDv1 state: Realtime gives key-less presences a time-based UUID per channel join.
const GREGORIAN_OFFSET_MS = 12_219_292_800_000
const uuidNode = randomBytes(6)
uuidNode[0] = (uuidNode[0] ?? 0) | 0x01 // multicast bit: a random node id, not a MAC (RFC 4122 §4.5)
const clockSeq = randomBytes(2).readUInt16BE(0) & 0x3fff
let lastMs = 0
let ticksInMs = 0

/** A fresh UUIDv1, used as the presence key when the client gives none. */
export function generatePresenceKey(): string {
  const ms = Date.now()
  if (ms === lastMs) ticksInMs += 1
  else {
    lastMs = ms
    ticksInMs = 0
  }
  // 100-ns intervals since 1582-10-15; a per-millisecond counter keeps keys unique.
  const time = BigInt(ms + GREGORIAN_OFFSET_MS) * 10_000n + BigInt(ticksInMs % 10_000)
  const timeLow = Number(time & 0xffffffffn)
  const timeMid = Number((time >> 32n) & 0xffffn)
  const timeHigh = Number((time >> 48n) & 0x0fffn) | 0x1000
  const hex = (value: number, width: number) => value.toString(16).padStart(width, '0')
  return [
    hex(timeLow, 8),
    hex(timeMid, 4),
    hex(timeHigh, 4),
    hex(0x8000 | clockSeq, 4),
    uuidNode.toString('hex'),
  ].join('-')
}
