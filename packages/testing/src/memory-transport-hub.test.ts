import { describe, expect, it } from 'vitest'
import {
  encodeTransportMessage,
  type PeerId,
  type TransportError,
  type ConversationId,
} from '@parley/core/ports'
import { createMemoryTransportHub, createMemoryTransportPair } from './memory-transport-hub.js'
import { transportContract } from './contracts/transport-contract.js'

const conv = 'conv-1' as ConversationId
const bytes = (...values: number[]) => new Uint8Array(values)

transportContract('memory', () => {
  const hub = createMemoryTransportHub({ seed: 1 })
  const encoder = new TextEncoder()
  return {
    create: (peerId) => hub.createTransport(peerId),
    injectRaw: (value) =>
      hub.injectRaw(
        'all',
        value instanceof Uint8Array ? value : encoder.encode(JSON.stringify(value) ?? 'undefined'),
      ),
    dispose: () => hub.close(),
  }
})

describe('memory transport hub', () => {
  it('delivers on microtasks, deterministically for a seed', async () => {
    const run = async (seed: number) => {
      const { hub, a, b } = createMemoryTransportPair({
        seed,
        dropRate: 0.3,
        reorderRate: 0.3,
        duplicateRate: 0.3,
      })
      a.join(conv)
      b.join(conv)
      const got: number[] = []
      b.on('message', ({ message }) =>
        got.push(message.type === 'update' ? (message.update[0] ?? -1) : -1),
      )
      for (let i = 0; i < 40; i++)
        a.send({ type: 'update', conversationId: conv, update: bytes(i) })
      expect(got).toEqual([])
      await hub.flush()
      hub.close()
      return got
    }
    const first = await run(7)
    expect(await run(7)).toEqual(first)
    expect(first).not.toEqual(Array.from({ length: 40 }, (_, i) => i))
  })

  it('turns partitions and offline peers into peer and status events', async () => {
    const hub = createMemoryTransportHub({ seed: 2 })
    const a = hub.createTransport('a')
    const b = hub.createTransport('b')
    const log: string[] = []
    a.on('peer-joined', ({ peer }) => log.push(`a+${peer}`))
    a.on('peer-left', ({ peer }) => log.push(`a-${peer}`))
    b.on('status', ({ status }) => log.push(`b:${status}`))
    await hub.flush()
    hub.network.partition(['a'], ['b'])
    await hub.flush()
    hub.network.heal()
    await hub.flush()
    hub.setOnline('b', false)
    await hub.flush()
    expect(b.status).toBe('offline')
    expect(b.send({ type: 'update', conversationId: conv, update: bytes(1) })).toBe(false)
    hub.setOnline('b', true)
    await hub.flush()
    expect(log).toEqual(['a+b', 'a-b', 'a+b', 'a-b', 'b:offline', 'a+b', 'b:online'])
    hub.close()
  })

  it('rejects a message whose claimed sender is not the network sender', async () => {
    const errors: TransportError[] = []
    const hub = createMemoryTransportHub()
    const b = hub.createTransport({ peerId: 'b', onError: (error) => errors.push(error) })
    b.join(conv)
    const delivered: unknown[] = []
    b.on('message', (m) => delivered.push(m))
    const forged = encodeTransportMessage({
      v: 1,
      type: 'update',
      from: 'b-friend' as PeerId,
      conversationId: conv,
      update: bytes(1),
    })
    hub.injectRaw('b', forged)
    await hub.flush()
    expect(delivered).toEqual([])
    expect(errors.map((e) => e.code)).toEqual(['invalid-message'])
    expect(errors[0]?.message).toMatch(/claiming to be from b-friend/)
    hub.close()
  })

  it('closes on abort, idempotently, and the hub closes the rest', async () => {
    const hub = createMemoryTransportHub()
    const controller = new AbortController()
    const a = hub.createTransport({ peerId: 'a', signal: controller.signal })
    const b = hub.createTransport('b')
    const left: string[] = []
    b.on('peer-left', ({ peer }) => left.push(peer))
    await hub.flush()
    controller.abort()
    controller.abort()
    expect(a.status).toBe('closed')
    await hub.flush()
    expect(left).toEqual(['a'])
    const aborted = new AbortController()
    aborted.abort()
    expect(hub.createTransport({ peerId: 'c', signal: aborted.signal }).status).toBe('closed')
    hub.close()
    hub.close()
    expect(b.status).toBe('closed')
    expect(() => hub.createTransport('d')).toThrow(/closed/)
  })
})
