import { describe, expect, it } from 'vitest'
import { fakeMessage } from '../test-support/fake-parley-client.js'
import { compareMessages, inOrder, mergeOrdered } from './message-order.js'

const texts = (items: readonly { text: string }[]) => items.map((m) => m.text)

describe('message order', () => {
  it('compares by hlc, then by id', () => {
    const a = fakeMessage(1)
    const b = fakeMessage(2)
    expect(compareMessages(a, b)).toBeLessThan(0)
    expect(compareMessages(b, a)).toBeGreaterThan(0)
    expect(compareMessages(a, a)).toBe(0)
    const sameStamp = fakeMessage(0, { hlc: b.hlc })
    expect(compareMessages(sameStamp, b)).toBeLessThan(0)
  })

  it('sorts a copy only when needed', () => {
    const sorted = [fakeMessage(1), fakeMessage(2)]
    const copy = inOrder(sorted)
    expect(copy).not.toBe(sorted)
    expect(copy).toEqual(sorted)
    expect(texts(inOrder([fakeMessage(3), fakeMessage(1), fakeMessage(2)]))).toEqual([
      'message 1',
      'message 2',
      'message 3',
    ])
  })

  it('merges two ordered lists, each id once, the preferred copy winning', () => {
    const base = [fakeMessage(1), fakeMessage(3), fakeMessage(5, { text: 'old' })]
    const preferred = [fakeMessage(2), fakeMessage(5, { text: 'new' }), fakeMessage(6)]
    expect(texts(mergeOrdered(base, preferred))).toEqual([
      'message 1',
      'message 2',
      'message 3',
      'new',
      'message 6',
    ])
    expect(mergeOrdered([], preferred)).toEqual(preferred)
    expect(mergeOrdered(base, [])).toEqual(base)
  })
})
