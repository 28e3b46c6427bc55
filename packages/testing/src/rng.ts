/**
 * A seeded pseudo-random number generator for replayable tests.
 *
 * Every stream is fully determined by its seed (and, for forks, the labels that led to it), so a
 * failing fuzz seed replays the same operations on every machine. Not for cryptography.
 */
export interface Rng {
  /** The 32-bit seed this stream started from. */
  readonly seed: number
  /** A float in [0, 1). */
  next(): number
  /** An integer in [min, maxInclusive]; throws a `RangeError` when the range is empty. */
  int(min: number, maxInclusive: number): number
  /** One element of `items`, uniformly; throws a `RangeError` when `items` is empty. */
  pick<T>(items: readonly T[]): T
  /** `true` with probability `p` (default 0.5). */
  bool(p?: number): boolean
  /** A shuffled copy of `items` (Fisher–Yates); the input is not modified. */
  shuffle<T>(items: readonly T[]): T[]
  /** A lowercase hex string of `length` characters, handy for ids. */
  hex(length: number): string
  /** A string in the shape of a version 4 UUID, drawn from this stream (not globally unique). */
  uuid(): string
  /**
   * An independent stream derived from this stream's seed and `label` only: forking does not
   * advance this stream, and the same label always gives the same stream. Use one fork per
   * concern (`rng.fork('network')`, `rng.fork('ops')`) so adding draws to one leaves the others
   * unchanged.
   */
  fork(label: string): Rng
}

/** FNV-1a over the UTF-16 code units of `text`, mixed with `seed`: a stable 32-bit label hash. */
function hashLabel(seed: number, text: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h
}

/**
 * Creates a seeded generator (sfc32, a small fast counter generator, seeded through a splitmix
 * step so that nearby seeds such as 1, 2, 3 give unrelated streams).
 *
 * @param seed - any number; it is reduced to an unsigned 32-bit integer.
 */
export function createRng(seed: number): Rng {
  const seed32 = Math.trunc(seed) >>> 0
  // splitmix32 expands one 32-bit seed into the four words sfc32 needs.
  let sm = seed32
  const splitmix = (): number => {
    sm = (sm + 0x9e3779b9) >>> 0
    let z = sm
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
  let a = splitmix()
  let b = splitmix()
  let c = splitmix()
  let d = splitmix()

  const nextUint32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0
    d = (d + 1) >>> 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) >>> 0
    c = ((c << 21) | (c >>> 11)) >>> 0
    c = (c + t) >>> 0
    return t
  }
  // Discard a few outputs: sfc32's first words still correlate with the seed words.
  for (let i = 0; i < 12; i++) nextUint32()

  const next = (): number => nextUint32() / 4294967296

  const int = (min: number, maxInclusive: number): number => {
    const lo = Math.ceil(min)
    const hi = Math.floor(maxInclusive)
    if (!(hi >= lo)) throw new RangeError(`Rng.int: empty range [${min}, ${maxInclusive}]`)
    return lo + Math.floor(next() * (hi - lo + 1))
  }

  const rng: Rng = {
    seed: seed32,
    next,
    int,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError('Rng.pick: no items')
      return items[int(0, items.length - 1)] as T
    },
    bool(p = 0.5): boolean {
      return next() < p
    },
    shuffle<T>(items: readonly T[]): T[] {
      const out = items.slice()
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(0, i)
        const tmp = out[i] as T
        out[i] = out[j] as T
        out[j] = tmp
      }
      return out
    },
    hex(length: number): string {
      let out = ''
      while (out.length < length) out += nextUint32().toString(16).padStart(8, '0')
      return out.slice(0, length)
    },
    uuid(): string {
      const h = rng.hex(32)
      const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16)
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`
    },
    fork(label: string): Rng {
      return createRng(hashLabel(seed32, label))
    },
  }
  return rng
}
