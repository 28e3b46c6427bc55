// A structural check of a Yjs V1 update, run before `Y.applyUpdate`.
//
// Why: Yjs integrates an update's structs before it reads the delete set at its end, so bytes
// truncated inside the delete set are half applied (inserts in, deletes lost) before Yjs throws.
// Garbage can also decode into content kinds that Yjs only rejects deep inside integration.
// This walker reads the whole update without allocating (strings and buffers are skipped, not
// decoded), and accepts only what a Parley document can contain: Y.Array / Y.Map types,
// `ContentAny` values, deleted content, GC and skip structs. It follows the V1 layout of yjs
// 13.6 (`writeStructs` / `writeDeleteSet`).

/** Why {@link validateUpdate} refused an update. */
export type UpdateValidationFailure =
  'empty' | 'truncated' | 'integer-overflow' | 'unsupported-content' | 'too-deep'

/** Result of {@link validateUpdate}. */
export type UpdateValidationResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: UpdateValidationFailure; readonly offset: number }

class Invalid {
  constructor(
    readonly reason: UpdateValidationFailure,
    readonly offset: number,
  ) {}
}

/** Deepest nesting of objects/arrays accepted inside one value (records are 2–3 levels deep). */
const MAX_DEPTH = 16

class Walker {
  pos = 0
  constructor(readonly bytes: Uint8Array) {}

  fail(reason: UpdateValidationFailure): never {
    throw new Invalid(reason, this.pos)
  }

  u8(): number {
    if (this.pos >= this.bytes.length) this.fail('truncated')
    return this.bytes[this.pos++] as number
  }

  varUint(): number {
    let num = 0
    let mult = 1
    for (;;) {
      const b = this.u8()
      num += (b & 0x7f) * mult
      if (b < 0x80) return num
      mult *= 128
      if (mult > Number.MAX_SAFE_INTEGER) this.fail('integer-overflow')
    }
  }

  /** lib0 varInt: the first byte carries a sign bit; either way we only need to skip it. */
  skipVarInt(): void {
    let b = this.u8()
    let n = 0
    while (b & 0x80) {
      if (++n > 9) this.fail('integer-overflow')
      b = this.u8()
    }
  }

  skip(n: number): void {
    if (this.pos + n > this.bytes.length) this.fail('truncated')
    this.pos += n
  }

  skipString(): void {
    this.skip(this.varUint())
  }

  skipAny(depth: number): void {
    if (depth > MAX_DEPTH) this.fail('too-deep')
    const type = this.u8()
    switch (type) {
      case 127: // undefined
      case 126: // null
      case 121: // false
      case 120: // true
        return
      case 125:
        return this.skipVarInt()
      case 124:
        return this.skip(4) // float32
      case 123:
      case 122:
        return this.skip(8) // float64, bigint64
      case 119:
        return this.skipString()
      case 118: {
        const n = this.varUint()
        for (let i = 0; i < n; i++) {
          this.skipString()
          this.skipAny(depth + 1)
        }
        return
      }
      case 117: {
        const n = this.varUint()
        for (let i = 0; i < n; i++) this.skipAny(depth + 1)
        return
      }
      case 116:
        return this.skipString() // Uint8Array: length-prefixed bytes
      default:
        this.fail('unsupported-content')
    }
  }

  structs(): void {
    const clients = this.varUint()
    for (let c = 0; c < clients; c++) {
      const count = this.varUint()
      this.varUint() // client
      this.varUint() // first clock
      for (let s = 0; s < count; s++) this.struct()
    }
  }

  struct(): void {
    const info = this.u8()
    const kind = info & 0b11111
    if (kind === 0 || kind === 10) {
      this.varUint() // GC or Skip length
      return
    }
    if (info & 0x80) this.id() // origin
    if (info & 0x40) this.id() // right origin
    if ((info & 0xc0) === 0) {
      // Parent info: a root type name, or the id of the parent item.
      if (this.varUint() === 1) this.skipString()
      else this.id()
      if (info & 0x20) this.skipString() // key in a Y.Map
    }
    switch (kind) {
      case 1: // ContentDeleted
        this.varUint()
        return
      case 7: {
        const ref = this.varUint()
        if (ref !== 0 && ref !== 1) this.fail('unsupported-content') // Y.Array, Y.Map only
        return
      }
      case 8: {
        const n = this.varUint()
        for (let i = 0; i < n; i++) this.skipAny(0)
        return
      }
      default:
        // Strings, JSON, binary, embeds, formats, XML, sub-documents: never in a Parley doc.
        this.fail('unsupported-content')
    }
  }

  id(): void {
    this.varUint()
    this.varUint()
  }

  deleteSet(): void {
    const clients = this.varUint()
    for (let c = 0; c < clients; c++) {
      this.varUint() // client
      const ranges = this.varUint()
      for (let r = 0; r < ranges; r++) {
        this.varUint() // clock
        this.varUint() // length
      }
    }
  }
}

/**
 * Checks that `bytes` is a complete Yjs V1 update holding only content a Parley document uses.
 * Never throws; costs a fraction of `Y.applyUpdate` (it allocates nothing per value).
 */
export function validateUpdate(bytes: Uint8Array): UpdateValidationResult {
  if (bytes.length === 0) return { ok: false, reason: 'empty', offset: 0 }
  const walker = new Walker(bytes)
  try {
    walker.structs()
    walker.deleteSet()
    return { ok: true }
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, reason: error.reason, offset: error.offset }
    // A RangeError from deep recursion is the only other possibility; treat it as too deep.
    return { ok: false, reason: 'too-deep', offset: walker.pos }
  }
}
