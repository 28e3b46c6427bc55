import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { validateUpdate } from './update-validator.js'
import { compactUpdates } from './compact-updates.js'

function sampleUpdate(): Uint8Array {
  const doc = new Y.Doc()
  const chunks = doc.getArray<Y.Array<unknown>>('chunks')
  const chunk = new Y.Array<unknown>()
  chunks.insert(0, [chunk])
  chunk.insert(0, [
    {
      i: 'm1',
      a: 'u',
      h: 'x',
      t: 'hello',
      n: [1, 2.5, true, null, { deep: [new Uint8Array([1])] }],
    },
  ])
  chunk.insert(1, [{ i: 'm2', big: 2n ** 40n }])
  doc.getMap('edits').set('m1', { t: 'é✓' })
  chunk.delete(0, 1)
  return Y.encodeStateAsUpdate(doc)
}

describe('validateUpdate', () => {
  it('accepts what Yjs encodes for Parley content (arrays, maps, any values, deletions)', () => {
    expect(validateUpdate(sampleUpdate())).toEqual({ ok: true })
    expect(validateUpdate(Y.encodeStateAsUpdate(new Y.Doc()))).toEqual({ ok: true })
  })

  it('refuses every truncation of a valid update', () => {
    const update = sampleUpdate()
    for (let cut = 0; cut < update.length; cut++) {
      const result = validateUpdate(update.slice(0, cut))
      expect(result.ok, `cut at ${cut}`).toBe(false)
    }
  })

  it('refuses content kinds a Parley document never holds', () => {
    const doc = new Y.Doc()
    doc.getText('t').insert(0, 'hello')
    expect(validateUpdate(Y.encodeStateAsUpdate(doc))).toMatchObject({
      ok: false,
      reason: 'unsupported-content',
    })
  })

  it('refuses random garbage without throwing', () => {
    let s = 12345
    const next = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0)
    let refused = 0
    for (let k = 0; k < 500; k++) {
      const bytes = new Uint8Array(1 + (next() % 200)).map(() => next() & 0xff)
      const result = validateUpdate(bytes)
      if (!result.ok) refused++
    }
    // Random bytes almost never form a complete update; those that do are structurally valid.
    expect(refused).toBeGreaterThan(490)
  })

  it('refuses an absurd integer and absurd nesting', () => {
    expect(
      validateUpdate(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])),
    ).toMatchObject({
      ok: false,
    })
    expect(validateUpdate(new Uint8Array([]))).toEqual({ ok: false, reason: 'empty', offset: 0 })
  })
})

describe('compactUpdates', () => {
  it('folds a log into one update equivalent to it, skipping invalid entries', () => {
    const doc = new Y.Doc()
    const log: Uint8Array[] = []
    doc.on('update', (u: Uint8Array) => log.push(u))
    const map = doc.getMap<number>('m')
    for (let k = 0; k < 50; k++) map.set(`k${k % 10}`, k)
    const withGarbage = [...log, new Uint8Array([9, 9, 9])]
    const { update, skipped } = compactUpdates(withGarbage)
    expect(skipped).toEqual([{ index: log.length, reason: expect.any(String) }])
    const copy = new Y.Doc()
    Y.applyUpdate(copy, update)
    expect(copy.getMap('m').toJSON()).toEqual(map.toJSON())
    expect(update.length).toBeLessThan(log.reduce((n, u) => n + u.length, 0))
  })
})
