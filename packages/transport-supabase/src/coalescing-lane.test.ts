import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ConversationId } from '@parley/core/ports'
import { CoalescingLane, type CoalescingLaneOptions } from './coalescing-lane.js'
import { encodeMessageBody } from './supabase-frame.js'

const conversationId = 'conv-1' as ConversationId
const entry = (value: number, size = 1) =>
  encodeMessageBody({ type: 'update', conversationId, update: new Uint8Array(size).fill(value) })

function lane(overrides: Partial<CoalescingLaneOptions> = {}) {
  const frames: { bodies: Uint8Array[]; messages: number }[] = []
  const dropped: number[] = []
  const state = { canSend: true }
  const l = new CoalescingLane({
    conversationId,
    windowMs: 50,
    maxBodyBytes: 1_000,
    maxQueued: 100,
    mergeAwareness: false,
    canSend: () => state.canSend,
    sendFrame: (bodies, messages) => frames.push({ bodies, messages }),
    onDrop: (count) => dropped.push(count),
    ...overrides,
  })
  return { l, frames, dropped, state }
}

describe('CoalescingLane', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('sends a lone message at once and a burst at the end of the window, one frame each', () => {
    const { l, frames } = lane()
    l.push(entry(1))
    expect(frames.map((f) => f.messages)).toEqual([1])
    for (let i = 2; i <= 10; i++) l.push(entry(i))
    expect(frames).toHaveLength(1)
    vi.advanceTimersByTime(49)
    expect(frames).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(frames.map((f) => f.messages)).toEqual([1, 9])
    // The window re-opened after the second frame; quiet for a window, the next goes at once.
    vi.advanceTimersByTime(50)
    l.push(entry(11))
    expect(frames.map((f) => f.messages)).toEqual([1, 9, 1])
  })

  it('sends at most one frame per window under a steady stream', () => {
    const { l, frames } = lane()
    for (let t = 0; t < 1_000; t += 5) {
      l.push(entry(t % 256))
      vi.advanceTimersByTime(5)
    }
    vi.advanceTimersByTime(50)
    expect(frames.length).toBeLessThanOrEqual(1_000 / 50 + 1)
    expect(frames.reduce((n, f) => n + f.messages, 0)).toBe(200)
  })

  it('holds messages while it cannot send and flushes them when ready', () => {
    const { l, frames, state } = lane()
    state.canSend = false
    l.push(entry(1))
    l.push(entry(2))
    vi.advanceTimersByTime(500)
    expect(frames).toEqual([])
    expect(l.pending).toBe(2)
    state.canSend = true
    l.ready()
    expect(frames.map((f) => f.messages)).toEqual([2])
  })

  it('splits a window into frames within maxBodyBytes', () => {
    const { l, frames } = lane({ maxBodyBytes: 250 })
    l.push(entry(0))
    for (let i = 1; i <= 5; i++) l.push(entry(i, 100))
    vi.advanceTimersByTime(50)
    expect(frames.slice(1).map((f) => f.bodies.length)).toEqual([2, 2, 1])
    for (const f of frames)
      expect(f.bodies.reduce((n, x) => n + x.byteLength, 0)).toBeLessThanOrEqual(250)
    expect(frames.reduce((n, f) => n + f.messages, 0)).toBe(6)
  })

  it('drops the oldest beyond maxQueued and says how many', () => {
    const { l, dropped, state } = lane({ maxQueued: 3 })
    state.canSend = false
    for (let i = 0; i < 5; i++) l.push(entry(i))
    expect(dropped).toEqual([1, 1])
    expect(l.pending).toBe(3)
  })

  it('clear() drops the queue and the window', () => {
    const { l, frames } = lane()
    l.push(entry(1))
    l.push(entry(2))
    l.clear()
    vi.advanceTimersByTime(100)
    expect(frames.map((f) => f.messages)).toEqual([1])
    l.push(entry(3))
    expect(frames.map((f) => f.messages)).toEqual([1, 1])
  })
})
