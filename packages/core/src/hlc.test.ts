import { describe, expect, it } from 'vitest'
import { HybridLogicalClock, type ClockDriftEvent } from './hlc.js'
import {
  MAX_HLC_COUNTER,
  encodeHlcStamp,
  isHlcStamp,
  parseHlcStamp,
  compareHlcStamps,
} from './hlc-stamp.js'
import type { DeviceId, HlcStamp } from './ids.js'
import { isParleyError } from './errors.js'

/** A tiny deterministic generator so property loops are replayable. */
function lcg(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 4294967296
  }
}

describe('HLC stamp encoding', () => {
  it('string order equals (ms, counter, device) order', () => {
    const rand = lcg(7)
    const devices = ['a', 'b', 'dev-1', 'dev_2', 'Z', 'zz'] as DeviceId[]
    const parts = Array.from({ length: 400 }, () => ({
      // Few distinct values, so ties on ms and counter happen and the later parts decide.
      ms: [0, 1, 255, 256, 2 ** 40, 2 ** 44 + 17][Math.floor(rand() * 6)]!,
      counter: [0, 1, 15, 16, MAX_HLC_COUNTER][Math.floor(rand() * 5)]!,
      device: devices[Math.floor(rand() * devices.length)] as DeviceId,
    }))
    const tuple = (a: (typeof parts)[number], b: (typeof parts)[number]): number =>
      a.ms - b.ms ||
      a.counter - b.counter ||
      (a.device < b.device ? -1 : a.device > b.device ? 1 : 0)
    for (let k = 0; k < parts.length - 1; k++) {
      const a = parts[k]!
      const b = parts[k + 1]!
      expect(Math.sign(compareHlcStamps(encodeHlcStamp(a), encodeHlcStamp(b)))).toBe(
        Math.sign(tuple(a, b)),
      )
    }
  })

  it('round-trips through parse', () => {
    const stamp = encodeHlcStamp({
      ms: 1_700_000_000_123,
      counter: 42,
      device: 'dev_1' as DeviceId,
    })
    expect(stamp).toBe('018bcfe5687b-002a-dev_1')
    const parsed = parseHlcStamp(stamp)
    expect(parsed).toEqual({
      ok: true,
      stamp,
      value: { ms: 1_700_000_000_123, counter: 42, device: 'dev_1' },
    })
  })

  it('reports bad strings as a typed result, never a throw', () => {
    expect(parseHlcStamp(42)).toEqual({ ok: false, reason: 'not-a-string' })
    expect(parseHlcStamp('')).toEqual({ ok: false, reason: 'malformed' })
    expect(parseHlcStamp('018bcfe5687b-002a')).toEqual({ ok: false, reason: 'malformed' })
    expect(parseHlcStamp('018BCFE5687B-002a-d')).toEqual({ ok: false, reason: 'malformed' })
    expect(parseHlcStamp('018bcfe5687b-002a-bad/dev')).toEqual({ ok: false, reason: 'bad-device' })
    expect(isHlcStamp('018bcfe5687b-002a-d')).toBe(true)
    expect(isHlcStamp(null)).toBe(false)
  })

  it('refuses to encode out-of-range parts with a ParleyError', () => {
    expect(() => encodeHlcStamp({ ms: -1, counter: 0, device: 'd' as DeviceId })).toThrow(
      /out of range/,
    )
    try {
      encodeHlcStamp({ ms: 0, counter: MAX_HLC_COUNTER + 1, device: 'd' as DeviceId })
      expect.unreachable()
    } catch (error) {
      expect(isParleyError(error, 'invalid-stamp')).toBe(true)
    }
  })
})

describe('HybridLogicalClock', () => {
  it('is strictly monotonic when the wall clock jumps backwards', () => {
    let wall = 1_700_000_000_000
    const clock = new HybridLogicalClock({ device: 'd1', wallClock: () => wall })
    const rand = lcg(11)
    let previous = clock.now()
    for (let k = 0; k < 2000; k++) {
      // Mostly forward, sometimes far back (NTP correction, manual change), sometimes stuck.
      const r = rand()
      wall += r < 0.1 ? -Math.floor(rand() * 3_600_000) : r < 0.5 ? 0 : Math.floor(rand() * 10)
      const next = clock.now()
      expect(next > previous).toBe(true)
      previous = next
    }
  })

  it('follows the wall clock when it moves forward', () => {
    let wall = 5_000
    const clock = new HybridLogicalClock({ device: 'd1', wallClock: () => wall })
    expect(parseHlcStamp(clock.now())).toMatchObject({ ok: true, value: { ms: 5_000, counter: 0 } })
    expect(parseHlcStamp(clock.now())).toMatchObject({ ok: true, value: { ms: 5_000, counter: 1 } })
    wall = 6_000
    expect(parseHlcStamp(clock.now())).toMatchObject({ ok: true, value: { ms: 6_000, counter: 0 } })
  })

  it('borrows the next millisecond when the counter is exhausted', () => {
    const clock = new HybridLogicalClock({ device: 'd1', wallClock: () => 1000 })
    let last = clock.now()
    let increasing = true
    for (let k = 0; k < MAX_HLC_COUNTER + 5; k++) {
      const next = clock.now()
      increasing &&= next > last
      last = next
    }
    expect(increasing).toBe(true)
    expect(parseHlcStamp(last)).toMatchObject({ ok: true, value: { ms: 1001 } })
  })

  it('a reply sorts after the message it answers once the replier received it, whatever the skew', () => {
    const rand = lcg(3)
    for (let k = 0; k < 500; k++) {
      const base = 1_700_000_000_000 + Math.floor(rand() * 1e9)
      // The replier's wall clock is up to 50 s behind or ahead of the sender's (within the bound).
      const skew = Math.floor((rand() - 0.5) * 100_000)
      const sender = new HybridLogicalClock({ device: 'zzz', wallClock: () => base })
      const replier = new HybridLogicalClock({ device: 'aaa', wallClock: () => base + skew })
      const message = sender.now()
      expect(replier.receive(message)).toEqual({ ok: true, clamped: false })
      const reply = replier.now()
      expect(compareHlcStamps(reply, message)).toBeGreaterThan(0)
    }
  })

  it('bounds a remote stamp too far ahead, and reports it', () => {
    let wall = 1_000_000
    const clock = new HybridLogicalClock({
      device: 'local',
      wallClock: () => wall,
      maxDriftMs: 10_000,
    })
    const drifts: ClockDriftEvent[] = []
    clock.on('clock-drift', (e) => drifts.push(e))
    const future = encodeHlcStamp({ ms: wall + 3_600_000, counter: 7, device: 'liar' as DeviceId })
    expect(clock.receive(future)).toEqual({ ok: true, clamped: true })
    expect(drifts).toEqual([
      { remote: future, wallMs: wall, driftMs: 3_600_000, clampedToMs: wall + 10_000 },
    ])
    // The local clock advanced only to the bound, not to the liar's stamp.
    const next = parseHlcStamp(clock.now())
    expect(next).toMatchObject({ ok: true, value: { ms: wall + 10_000, counter: 1 } })
    // Within the bound nothing is reported.
    wall += 1
    expect(
      clock.receive(encodeHlcStamp({ ms: wall + 9_000, counter: 0, device: 'ok' as DeviceId })),
    ).toEqual({
      ok: true,
      clamped: false,
    })
    expect(drifts).toHaveLength(1)
  })

  it('reports an invalid remote stamp in the result instead of throwing', () => {
    const clock = new HybridLogicalClock({ device: 'd' })
    expect(clock.receive('nope')).toEqual({ ok: false, reason: 'malformed' })
  })

  it('never issues a stamp at or below `after` (restart with the clock set back)', () => {
    const after = encodeHlcStamp({ ms: 9_000, counter: 3, device: 'd' as DeviceId }) as HlcStamp
    const clock = new HybridLogicalClock({ device: 'd', wallClock: () => 1_000, after })
    expect(clock.now() > after).toBe(true)
    expect(clock.peek() > after).toBe(true)
  })

  it('rejects a bad device id', () => {
    expect(() => new HybridLogicalClock({ device: 'has space' })).toThrow(/DeviceId/)
  })

  it('survives a broken wall clock', () => {
    const clock = new HybridLogicalClock({ device: 'd', wallClock: () => Number.NaN })
    const a = clock.now()
    expect(clock.now() > a).toBe(true)
  })
})
