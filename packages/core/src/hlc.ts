import { Emitter } from './emitter.js'
import { MAX_HLC_COUNTER, MAX_HLC_MS, parseHlcStamp, type HlcParseFailure } from './hlc-stamp.js'
import type { DeviceId, HlcStamp } from './ids.js'
import { asDeviceId } from './ids.js'

/** Options of {@link HybridLogicalClock}. */
export interface HybridLogicalClockOptions {
  /** The device this clock stamps for; it ends every stamp and breaks ties between devices. */
  device: DeviceId | string
  /** Wall clock in ms since the epoch. Default `Date.now`. Inject a fake one in tests. */
  wallClock?: () => number
  /**
   * How far (ms) a remote stamp may be ahead of the local wall clock before it is distrusted:
   * the local clock then advances only to `wall + maxDriftMs` and a `clock-drift` event is
   * emitted. Default 60_000 (one minute).
   */
  maxDriftMs?: number
  /**
   * A stamp issued earlier by this device (e.g. persisted before a restart): the clock never
   * issues a stamp at or below it, even if the wall clock went back. Optional.
   */
  after?: HlcStamp
  /** Receives errors thrown by event listeners. Default: rethrown on a microtask. */
  onError?: (error: unknown) => void
}

/** Payload of the `clock-drift` event: a remote stamp was too far ahead and was clamped. */
export interface ClockDriftEvent {
  /** The remote stamp as received. */
  readonly remote: HlcStamp
  /** The local wall clock when it was received (ms). */
  readonly wallMs: number
  /** How far the remote stamp was ahead of the wall clock (ms). */
  readonly driftMs: number
  /** The physical time the local clock was allowed to advance to instead (ms). */
  readonly clampedToMs: number
}

/** Events of {@link HybridLogicalClock}. */
export interface HybridLogicalClockEvents {
  /** A received stamp was further ahead of the wall clock than `maxDriftMs`. */
  'clock-drift': ClockDriftEvent
}

/** Result of {@link HybridLogicalClock.receive}; never thrown. */
export type HlcReceiveResult =
  | { readonly ok: true; readonly clamped: boolean }
  | { readonly ok: false; readonly reason: HlcParseFailure }

/** Default of {@link HybridLogicalClockOptions.maxDriftMs}. */
export const DEFAULT_MAX_DRIFT_MS = 60_000

/**
 * A hybrid logical clock (Kulkarni et al., 2014): stamps follow the wall clock when it moves
 * forward, never go backwards when it jumps back, and are pushed past every stamp this device has
 * seen, so a message written after reading another sorts after it.
 *
 * Invariants: successive `now()` results strictly increase; after `receive(s)` (unclamped),
 * every later `now()` is greater than `s`.
 */
export class HybridLogicalClock {
  /** The device this clock stamps for. */
  readonly device: DeviceId
  readonly #wallClock: () => number
  readonly #maxDriftMs: number
  readonly #events: Emitter<HybridLogicalClockEvents>
  #ms = 0
  #counter = 0

  /** @param options - see {@link HybridLogicalClockOptions}. */
  constructor(options: HybridLogicalClockOptions) {
    this.device = asDeviceId(options.device)
    this.#wallClock = options.wallClock ?? Date.now
    this.#maxDriftMs = options.maxDriftMs ?? DEFAULT_MAX_DRIFT_MS
    this.#events = new Emitter(options.onError)
    if (options.after !== undefined) {
      const parsed = parseHlcStamp(options.after)
      if (parsed.ok) {
        this.#ms = parsed.value.ms
        this.#counter = parsed.value.counter
      }
    }
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends keyof HybridLogicalClockEvents>(
    event: E,
    listener: (payload: HybridLogicalClockEvents[E]) => void,
  ): () => void {
    return this.#events.on(event, listener)
  }

  /** Issues a new stamp, strictly greater than every stamp issued or received before. */
  now(): HlcStamp {
    const wall = this.#wall()
    if (wall > this.#ms) {
      this.#ms = wall
      this.#counter = 0
    } else if (this.#counter < MAX_HLC_COUNTER) {
      this.#counter++
    } else {
      // Counter exhausted within one ms: borrow the next millisecond rather than wrap.
      this.#ms++
      this.#counter = 0
    }
    return this.#encode()
  }

  /**
   * Takes a remote stamp into account so that later local stamps sort after it. A stamp more
   * than `maxDriftMs` ahead of the wall clock only advances the clock to `wall + maxDriftMs` and
   * emits `clock-drift`. Invalid input is reported in the result, never thrown.
   */
  receive(remote: HlcStamp | string): HlcReceiveResult {
    const parsed = parseHlcStamp(remote)
    if (!parsed.ok) return { ok: false, reason: parsed.reason }
    let { ms, counter } = parsed.value
    const wall = this.#wall()
    let clamped = false
    if (ms > wall + this.#maxDriftMs) {
      clamped = true
      const clampedToMs = Math.min(MAX_HLC_MS, wall + this.#maxDriftMs)
      this.#events.emit('clock-drift', {
        remote: parsed.stamp,
        wallMs: wall,
        driftMs: ms - wall,
        clampedToMs,
      })
      ms = clampedToMs
      counter = 0
    }
    if (ms > this.#ms || (ms === this.#ms && counter > this.#counter)) {
      this.#ms = ms
      this.#counter = counter
    }
    return { ok: true, clamped }
  }

  /**
   * The greatest (ms, counter) issued or received so far, encoded with this clock's device.
   * Does not advance the clock. Persist it and pass it back as `after` on restart.
   */
  peek(): HlcStamp {
    return this.#encode()
  }

  /** Removes every event listener. Idempotent. */
  close(): void {
    this.#events.clear()
  }

  /** `encodeHlcStamp` without its checks: the parts are in range by construction. */
  #encode(): HlcStamp {
    return `${this.#ms.toString(16).padStart(12, '0')}-${this.#counter.toString(16).padStart(4, '0')}-${this.device}` as HlcStamp
  }

  #wall(): number {
    const wall = Math.floor(this.#wallClock())
    // A broken wall clock (NaN, negative, beyond the encoding) must not poison the stamps.
    return Number.isFinite(wall) ? Math.min(Math.max(wall, 0), MAX_HLC_MS) : 0
  }
}
