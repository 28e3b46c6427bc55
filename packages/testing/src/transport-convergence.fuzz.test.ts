// An end-to-end use of the kit, and the pattern for engine fuzz tests: Yjs replicas on memory
// transports over a lossy, partitioned network converge because each resyncs on `peer-joined`.
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { ConversationId, Transport } from '@parley/core/ports'
import { createMemoryTransportHub } from './memory-transport-hub.js'
import { createRng } from './rng.js'
import { runFuzz } from './run-fuzz.js'

const conv = 'fuzz-conv' as ConversationId

/** A minimal replica: one Y.Doc wired to one transport with the resync rules of docs/PROTOCOL.md. */
function replica(transport: Transport) {
  const doc = new Y.Doc()
  transport.join(conv)
  doc.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin !== 'remote') transport.send({ type: 'update', conversationId: conv, update })
  })
  const requestSync = (to?: Transport['peerId']) =>
    transport.send({
      type: 'sync-request',
      conversationId: conv,
      stateVector: Y.encodeStateVector(doc),
      ...(to ? { to } : {}),
    })
  transport.on('peer-joined', ({ peer }) => requestSync(peer))
  transport.on('message', ({ message }) => {
    switch (message.type) {
      case 'update':
        Y.applyUpdate(doc, message.update, 'remote')
        break
      case 'sync-request':
        transport.send({
          type: 'sync-reply',
          to: message.from,
          conversationId: conv,
          update: Y.encodeStateAsUpdate(doc, message.stateVector),
          stateVector: Y.encodeStateVector(doc),
        })
        break
      case 'sync-reply':
        Y.applyUpdate(doc, message.update, 'remote')
        if (message.stateVector) {
          transport.send({
            type: 'update',
            to: message.from,
            conversationId: conv,
            update: Y.encodeStateAsUpdate(doc, message.stateVector),
          })
        }
        break
      case 'awareness':
        break
    }
  })
  return { doc, requestSync }
}

describe('memory transports + SimNetwork', () => {
  it('converge Yjs replicas through loss, duplication, reordering, partitions and offline peers', () =>
    runFuzz({
      name: 'transport convergence',
      seeds: 30,
      run: async (seed, trace) => {
        const rng = createRng(seed)
        const hub = createMemoryTransportHub({
          seed,
          dropRate: 0.2,
          duplicateRate: 0.2,
          reorderRate: 0.3,
        })
        const ids = ['p0', 'p1', 'p2', 'p3']
        const replicas = ids.map((id) => replica(hub.createTransport(id)))
        const ops = rng.fork('ops')
        for (let step = 0; step < 60; step++) {
          const roll = ops.next()
          if (roll < 0.7) {
            const i = ops.int(0, ids.length - 1)
            const key = `k${ops.int(0, 9)}`
            const value = ops.int(0, 999)
            trace.log({ step, op: 'set', peer: ids[i], key, value })
            replicas[i]?.doc.getMap('m').set(key, value)
          } else if (roll < 0.8) {
            const groupA = ops.shuffle(ids).slice(0, ops.int(1, ids.length - 1))
            const groupB = ids.filter((id) => !groupA.includes(id))
            trace.log({ step, op: 'partition', groupA, groupB })
            hub.network.partition(groupA, groupB)
          } else if (roll < 0.9) {
            trace.log({ step, op: 'heal' })
            hub.network.heal()
          } else {
            const id = ops.pick(ids)
            const online = ops.bool()
            trace.log({ step, op: 'online', peer: id, online })
            hub.setOnline(id, online)
          }
          if (ops.bool(0.3)) await hub.flush()
        }
        trace.log('quiesce')
        hub.network.configure({ dropRate: 0, duplicateRate: 0, reorderRate: 0 })
        hub.network.heal()
        for (const id of ids) hub.setOnline(id, true)
        await hub.flush()
        for (const r of replicas) r.requestSync()
        await hub.flush()
        const expected = replicas[0]?.doc.getMap('m').toJSON()
        for (const [i, r] of replicas.entries()) {
          expect(r.doc.getMap('m').toJSON(), `replica ${ids[i]}`).toEqual(expected)
        }
        hub.close()
      },
    }))
})
