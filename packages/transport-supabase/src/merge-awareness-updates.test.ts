import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as awarenessProtocol from 'y-protocols/awareness'
import { mergeAwarenessUpdates } from './merge-awareness-updates.js'

describe('mergeAwarenessUpdates', () => {
  it('keeps the newest state of every client, as applying them in order would', () => {
    const docs = [new Y.Doc(), new Y.Doc()]
    const [a, b] = docs.map((d) => new awarenessProtocol.Awareness(d)) as [
      awarenessProtocol.Awareness,
      awarenessProtocol.Awareness,
    ]
    const updates: Uint8Array[] = []
    for (let n = 0; n < 5; n++) {
      a.setLocalState({ n })
      updates.push(awarenessProtocol.encodeAwarenessUpdate(a, [a.clientID]))
      if (n === 2) {
        b.setLocalState({ typing: true })
        updates.push(awarenessProtocol.encodeAwarenessUpdate(b, [b.clientID]))
      }
    }
    const merged = mergeAwarenessUpdates(updates)
    expect(merged).toHaveLength(1)
    const viaMerge = new awarenessProtocol.Awareness(new Y.Doc())
    const oneByOne = new awarenessProtocol.Awareness(new Y.Doc())
    awarenessProtocol.applyAwarenessUpdate(viaMerge, merged[0]!, 'test')
    for (const u of updates) awarenessProtocol.applyAwarenessUpdate(oneByOne, u, 'test')
    // Each receiver also holds its own (empty) local state; compare the remote clients only.
    const remote = (x: awarenessProtocol.Awareness) =>
      [a.clientID, b.clientID].map((id) => x.getStates().get(id))
    expect(remote(viaMerge)).toEqual(remote(oneByOne))
    expect(viaMerge.getStates().get(a.clientID)).toEqual({ n: 4 })
    for (const x of [a, b, viaMerge, oneByOne]) x.destroy()
  })

  it('returns the updates unchanged when one does not parse or there is only one', () => {
    const garbage = [new Uint8Array([1, 2]), new Uint8Array([9])]
    expect(mergeAwarenessUpdates(garbage)).toEqual(garbage)
    expect(mergeAwarenessUpdates([new Uint8Array([0])])).toEqual([new Uint8Array([0])])
  })
})
