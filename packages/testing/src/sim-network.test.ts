import { describe, expect, it } from 'vitest'
import { isSimNetworkError, SimNetwork, type SimNetworkOptions } from './sim-network.js'

const bytes = (...values: number[]) => new Uint8Array(values)

/** Connects `ids` and records every delivery as "from>to:firstByte". */
function setup(options: SimNetworkOptions, ids: string[]) {
  const network = new SimNetwork(options)
  const log: string[] = []
  const peers = ids.map((id) =>
    network.connect(id, (from, data) => log.push(`${from}>${id}:${data[0]}`)),
  )
  return { network, log, peers }
}

describe('SimNetwork', () => {
  it('delivers each message once, in order, on microtasks, never to the sender', async () => {
    const { network, log, peers } = setup({ seed: 1 }, ['a', 'b', 'c'])
    const [a, b] = peers
    a?.send('all', bytes(1))
    a?.send('b', bytes(2))
    b?.send('a', bytes(3))
    expect(log).toEqual([])
    await network.flush()
    expect(log).toEqual(['a>b:1', 'a>c:1', 'a>b:2', 'b>a:3'])
    expect(network.stats).toMatchObject({
      sent: 4,
      delivered: 4,
      dropped: 0,
      blocked: 0,
      pending: 0,
    })
  })

  it('gives every recipient a private copy of the payload', async () => {
    const network = new SimNetwork({ seed: 1 })
    const received: Uint8Array[] = []
    const a = network.connect('a', () => undefined)
    network.connect('b', (_from, data) => received.push(data))
    network.connect('c', (_from, data) => received.push(data))
    const payload = bytes(7)
    a.send('all', payload)
    payload[0] = 9
    await network.flush()
    expect(received.map((r) => r[0])).toEqual([7, 7])
    expect(received[0]).not.toBe(received[1])
  })

  it('replays the same deliveries for the same seed, and differs for another seed', async () => {
    const run = async (seed: number) => {
      const { network, log, peers } = setup(
        { seed, dropRate: 0.2, duplicateRate: 0.2, reorderRate: 0.5 },
        ['a', 'b', 'c'],
      )
      for (let i = 0; i < 60; i++) peers[i % 3]?.send('all', bytes(i))
      await network.flush()
      return { log, stats: network.stats }
    }
    const first = await run(123)
    expect(await run(123)).toEqual(first)
    expect((await run(124)).log).not.toEqual(first.log)
    expect(first.stats.dropped).toBeGreaterThan(0)
    expect(first.stats.duplicated).toBeGreaterThan(0)
    expect(first.stats.reordered).toBeGreaterThan(0)
  })

  it('duplicates and reorders without losing anything when dropRate is 0', async () => {
    const { network, log, peers } = setup({ seed: 5, duplicateRate: 0.5, reorderRate: 0.5 }, [
      'a',
      'b',
    ])
    for (let i = 0; i < 40; i++) peers[0]?.send('b', bytes(i))
    await network.flush()
    const received = log.map((line) => Number(line.split(':')[1]))
    expect(new Set(received)).toEqual(new Set(Array.from({ length: 40 }, (_, i) => i)))
    expect(received.length).toBe(40 + network.stats.duplicated)
    expect(received).not.toEqual([...received].sort((x, y) => x - y))
  })

  it('loses messages across a partition, including those in flight, and reports links', async () => {
    const { network, log, peers } = setup({ seed: 2 }, ['a', 'b', 'c'])
    const [a, b, c] = peers
    const links: string[] = []
    network.on('link-down', ({ a: x, b: y }) => links.push(`down ${x}-${y}`))
    network.on('link-up', ({ a: x, b: y }) => links.push(`up ${x}-${y}`))
    network.on('heal', () => links.push('heal'))

    a?.send('all', bytes(1)) // in flight when the partition starts: lost for c
    network.partition(['a', 'b'], ['c'])
    expect(network.canReach('a', 'b')).toBe(true)
    expect(network.canReach('a', 'c')).toBe(false)
    b?.send('all', bytes(2))
    c?.send('all', bytes(3))
    await network.flush()
    expect(log).toEqual(['a>b:1', 'b>a:2'])

    network.heal()
    expect(links).toEqual(['down a-c', 'down b-c', 'up a-c', 'up b-c', 'heal'])
    c?.send('a', bytes(4))
    await network.flush()
    expect(log).toEqual(['a>b:1', 'b>a:2', 'c>a:4'])
    expect(network.stats.blocked).toBe(4)
  })

  it('lets a link-up listener resync replicas that diverged while partitioned', async () => {
    // Each replica is a grow-only set; a "resync" sends the whole set, as a state-vector exchange would.
    const network = new SimNetwork({ seed: 3, dropRate: 0.3 })
    const ids = ['a', 'b', 'c']
    const state = new Map(ids.map((id) => [id, new Set<number>()]))
    const encode = (set: Set<number>) => Uint8Array.from(set)
    const peers = new Map(
      ids.map((id) => [
        id,
        network.connect(id, (_from, data) => data.forEach((v) => state.get(id)?.add(v))),
      ]),
    )
    network.on('link-up', ({ a, b }) => {
      peers.get(a)?.send(b, encode(state.get(a) ?? new Set()))
      peers.get(b)?.send(a, encode(state.get(b) ?? new Set()))
    })
    network.partition(['a'], ['b', 'c'])
    for (let i = 0; i < 30; i++) {
      const id = ids[i % 3] as string
      state.get(id)?.add(i)
      peers.get(id)?.send('all', bytes(i))
    }
    await network.flush()
    expect(state.get('a')).not.toEqual(state.get('b'))
    // Drops may also lose resync copies, so heal a few times, as a real engine would retry.
    for (let round = 0; round < 10; round++) {
      network.partition(['a', 'b', 'c'], ['a', 'b', 'c'])
      network.heal()
      await network.flush()
    }
    expect(state.get('a')?.size).toBe(30)
    expect(state.get('b')).toEqual(state.get('a'))
    expect(state.get('c')).toEqual(state.get('a'))
  })

  it('loses what an offline peer sends and what is sent to it', async () => {
    const { network, log, peers } = setup({ seed: 4 }, ['a', 'b'])
    const links: string[] = []
    network.on('link-up', ({ a, b }) => links.push(`up ${a}-${b}`))
    network.on('link-down', ({ a, b }) => links.push(`down ${a}-${b}`))
    network.setOnline('b', false)
    expect(peers[1]?.online).toBe(false)
    peers[0]?.send('b', bytes(1))
    peers[1]?.send('a', bytes(2))
    await network.flush()
    network.setOnline('b', true)
    peers[1]?.send('a', bytes(3))
    await network.flush()
    expect(log).toEqual(['b>a:3'])
    expect(links).toEqual(['down a-b', 'up a-b'])
  })

  it('emits link events when peers join and leave, and drops messages to a closed peer', async () => {
    const network = new SimNetwork({ seed: 6 })
    const links: string[] = []
    network.on('link-up', ({ a, b }) => links.push(`up ${a}-${b}`))
    network.on('link-down', ({ a, b }) => links.push(`down ${a}-${b}`))
    const got: string[] = []
    const a = network.connect('a', () => got.push('a'))
    const b = network.connect('b', () => got.push('b'))
    expect(network.peers()).toEqual(['a', 'b'])
    a.send('b', bytes(1))
    b.close()
    b.close()
    await network.flush()
    expect(got).toEqual([])
    expect(links).toEqual(['up a-b', 'down a-b'])
    expect(() => b.send('a', bytes(1))).toThrow(/closed/)
    expect(() => network.connect('a', () => undefined)).toThrow(/already connected/)
    expect(() => network.connect('all', () => undefined)).toThrow(/invalid peer/)
  })

  it('rejects flush with an error a handler threw, and stops ping-pong loops', async () => {
    const network = new SimNetwork({ seed: 7 })
    const a = network.connect('a', () => {
      throw new Error('boom')
    })
    network.connect('b', () => undefined)
    network.connect('c', () => undefined).send('a', bytes(1))
    const error: unknown = await network.flush().catch((e: unknown) => e)
    expect(isSimNetworkError(error) && error.code).toBe('handler-failed')

    const loop = new SimNetwork({ seed: 8 })
    const x = loop.connect('x', (from, data) => x.send(from, data))
    const y = loop.connect('y', (from, data) => y.send(from, data))
    x.send('y', bytes(0))
    const limit: unknown = await loop.flush({ maxDeliveries: 100 }).catch((e: unknown) => e)
    expect(isSimNetworkError(limit) && limit.code).toBe('flush-limit')
    loop.close()
    a.close()
  })

  it('closes idempotently: queued messages are dropped and listeners removed', async () => {
    const { network, log, peers } = setup({ seed: 9 }, ['a', 'b'])
    let events = 0
    network.on('link-up', () => events++)
    peers[0]?.send('b', bytes(1))
    network.close()
    network.close()
    await network.flush()
    expect(log).toEqual([])
    expect(events).toBe(0)
    expect(() => peers[0]?.send('b', bytes(1))).toThrow(/closed/)
    expect(() => network.heal()).toThrow(/closed/)
  })
})
