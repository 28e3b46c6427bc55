import { describe, expect, it } from 'vitest'
import { createRng } from './rng.js'

const draw = (seed: number, n = 50): number[] => {
  const rng = createRng(seed)
  return Array.from({ length: n }, () => rng.next())
}

describe('createRng', () => {
  it('gives the same stream for the same seed and different streams for nearby seeds', () => {
    expect(draw(42)).toEqual(draw(42))
    expect(draw(1)).not.toEqual(draw(2))
    expect(createRng(-1).seed).toBe(0xffffffff)
  })

  it('keeps next() in [0, 1) and int() inside its inclusive bounds, hitting both ends', () => {
    const rng = createRng(7)
    const seen = new Set<number>()
    for (let i = 0; i < 2_000; i++) {
      const x = rng.next()
      expect(x).toBeGreaterThanOrEqual(0)
      expect(x).toBeLessThan(1)
      const n = rng.int(-2, 3)
      expect(n).toBeGreaterThanOrEqual(-2)
      expect(n).toBeLessThanOrEqual(3)
      seen.add(n)
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2, 3])
    expect(() => rng.int(3, 2)).toThrow(RangeError)
  })

  it('picks, flips and shuffles deterministically without touching the input', () => {
    const items = ['a', 'b', 'c', 'd', 'e'] as const
    const run = (seed: number) => {
      const rng = createRng(seed)
      return { pick: rng.pick(items), bool: rng.bool(0.3), shuffled: rng.shuffle(items) }
    }
    expect(run(9)).toEqual(run(9))
    const { shuffled } = run(9)
    expect([...shuffled].sort()).toEqual([...items])
    expect(items).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(() => createRng(1).pick([])).toThrow(RangeError)
    const rng = createRng(3)
    expect(rng.bool(0)).toBe(false)
    expect(rng.bool(1)).toBe(true)
  })

  it('forks independent, label-determined streams without advancing the parent', () => {
    const parent = createRng(5)
    const before = createRng(5).next()
    const a1 = parent.fork('a')
    const a2 = parent.fork('a')
    const b = parent.fork('b')
    expect(parent.next()).toBe(before)
    expect(a1.next()).toBe(a2.next())
    expect(createRng(5).fork('a').next()).not.toBe(b.next())
  })

  it('draws hex strings and uuid-shaped ids', () => {
    const rng = createRng(11)
    expect(rng.hex(13)).toMatch(/^[0-9a-f]{13}$/)
    expect(rng.uuid()).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    )
    expect(createRng(11).uuid()).toBe(createRng(11).uuid())
  })
})
