// Encoding of hybrid logical clock stamps. The encoding is fixed width up to the device id:
//
//   <physical ms: 12 lowercase hex digits>-<counter: 4 lowercase hex digits>-<device id>
//   e.g. 0192f1c3a9b0-0000-dev_7Hq2
//
// so comparing two encoded stamps as strings compares (ms, counter, device) in that order, and
// the view can sort by the raw string. 12 hex digits of milliseconds last until the year 10889.
import { isDeviceId, type DeviceId, type HlcStamp } from './ids.js'
import { ParleyError } from './errors.js'

/** The decoded parts of an {@link HlcStamp}. */
export interface HlcParts {
  /** Physical component: milliseconds since the Unix epoch (possibly ahead of the wall clock). */
  readonly ms: number
  /** Logical counter that orders stamps within one millisecond, 0 to {@link MAX_HLC_COUNTER}. */
  readonly counter: number
  /** Device that issued the stamp; breaks ties between devices. */
  readonly device: DeviceId
}

/** Largest physical component an encoded stamp can hold (2^48 - 1 ms). */
export const MAX_HLC_MS = 0xffff_ffff_ffff
/** Largest logical counter an encoded stamp can hold; the clock moves to the next ms past it. */
export const MAX_HLC_COUNTER = 0xffff

/** Why a string is not a valid stamp. */
export type HlcParseFailure = 'not-a-string' | 'malformed' | 'bad-device'

/** Result of {@link parseHlcStamp}: never throws, so it is safe on untrusted hot paths. */
export type HlcParseResult =
  | { readonly ok: true; readonly value: HlcParts; readonly stamp: HlcStamp }
  | { readonly ok: false; readonly reason: HlcParseFailure }

const STAMP_PATTERN = /^[0-9a-f]{12}-[0-9a-f]{4}-[A-Za-z0-9_-]{1,64}$/

/** Whether `value` is a well-formed encoded stamp (cheap: one regular expression). */
export function isHlcStamp(value: unknown): value is HlcStamp {
  return typeof value === 'string' && STAMP_PATTERN.test(value)
}

/** Decodes `value` into its parts, or says why it is not a stamp. Never throws. */
export function parseHlcStamp(value: unknown): HlcParseResult {
  if (typeof value !== 'string') return { ok: false, reason: 'not-a-string' }
  if (!STAMP_PATTERN.test(value)) {
    // Tell a bad device id apart from a bad clock part, for clearer reports.
    return /^[0-9a-f]{12}-[0-9a-f]{4}-/.test(value)
      ? { ok: false, reason: 'bad-device' }
      : { ok: false, reason: 'malformed' }
  }
  return {
    ok: true,
    stamp: value as HlcStamp,
    value: {
      ms: parseInt(value.slice(0, 12), 16),
      counter: parseInt(value.slice(13, 17), 16),
      device: value.slice(18) as DeviceId,
    },
  }
}

/**
 * Encodes parts into a stamp. Throws a `ParleyError` (`invalid-stamp`) when a part is out of
 * range; the clock never produces such parts.
 */
export function encodeHlcStamp(parts: HlcParts): HlcStamp {
  const { ms, counter, device } = parts
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_HLC_MS) {
    throw new ParleyError('invalid-stamp', `HLC ms out of range: ${ms}`)
  }
  if (!Number.isInteger(counter) || counter < 0 || counter > MAX_HLC_COUNTER) {
    throw new ParleyError('invalid-stamp', `HLC counter out of range: ${counter}`)
  }
  if (!isDeviceId(device)) throw new ParleyError('invalid-stamp', `bad HLC device id: ${device}`)
  return `${ms.toString(16).padStart(12, '0')}-${counter.toString(16).padStart(4, '0')}-${device}` as HlcStamp
}

/** Orders two stamps: negative if `a` is earlier, 0 if equal, positive if later. */
export function compareHlcStamps(a: HlcStamp, b: HlcStamp): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** The later of two stamps; `undefined` counts as earlier than any stamp. */
export function maxHlcStamp(
  a: HlcStamp | undefined,
  b: HlcStamp | undefined,
): HlcStamp | undefined {
  if (a === undefined) return b
  if (b === undefined) return a
  return a >= b ? a : b
}
