// PeerSync on its own, over the in-memory transport hub (seeded, delivering on microtasks):
// live updates, state-vector resync on join and on network return, presence, leave and close.
import { describe, expect, it } from 'vitest'
import { createMemoryTransportPair } from '@parley/testing'
import { HybridLogicalClock } from '../hlc.js'
import { asConversationId, asDeviceId, asUserId } from '../ids.js'
import type { Transport } from '../ports/transport.js'
import { ConversationSession } from './conversation-session.js'
import { PeerSync, type PeerSyncEvents } from './peer-sync.js'

const convo = asConversationId('c1')

function session(user: string, device: string, id = convo): ConversationSession {
  return new ConversationSession({
    id,
    user: asUserId(user),
    device: asDeviceId(device),
    clock: new HybridLogicalClock({ device: asDeviceId(device), wallClock: () => 1000 }),
    wallClock: () => 1000,
    onError: (error) => {
      throw error
    },
  })
}

/** A PeerSync with its events recorded. */
function peer(transport: Transport) {
  const sync = new PeerSync({ transports: [transport], wallClock: () => 5000 })
  const received: PeerSyncEvents['received'][] = []
  const presence: PeerSyncEvents['presence-changed'][] = []
  const errors: unknown[] = []
  sync.on('received', (e) => received.push(e))
  sync.on('presence-changed', (e) => presence.push(e))
  sync.on('error', ({ error }) => errors.push(error))
  return { sync, received, presence, errors }
}

/** Two PeerSyncs over a seeded pair, with alice's and bob's sessions of `convo`, both joined. */
async function joinedPair(seed: number) {
  const { hub, a, b } = createMemoryTransportPair({ seed })
  const left = peer(a)
  const right = peer(b)
  const sa = session('alice', 'da')
  const sb = session('bob', 'db')
  left.sync.join(sa)
  right.sync.join(sb)
  await hub.flush()
  const close = (): void => {
    for (const s of [sa, sb]) s.close()
    left.sync.close()
    right.sync.close()
    hub.close()
  }
  return { hub, a, left, right, sa, sb, close }
}

const texts = (s: ConversationSession): string[] => s.doc.lastPage(10).messages.map((m) => m.text)

describe('PeerSync', () => {
  it('exchanges what each side misses when a conversation is joined, then relays live updates', async () => {
    const { hub, a, b } = createMemoryTransportPair({ seed: 7 })
    const left = peer(a)
    const right = peer(b)
    const sa = session('alice', 'da')
    const sb = session('bob', 'db')
    sa.doc.send({ text: 'before, from alice' })
    sb.doc.send({ text: 'before, from bob' })
    left.sync.join(sa)
    right.sync.join(sb)
    await hub.flush()
    expect(texts(sa)).toEqual(texts(sb))
    expect(texts(sa)).toHaveLength(2)
    // Each side reports what it received, to be stored.
    expect(left.received.every((e) => e.conversationId === convo)).toBe(true)
    expect(right.received.length).toBeGreaterThan(0)
    expect(right.sync.lastSyncedAt()).toEqual({ [convo]: 5000 })

    const live = sa.doc.encodeStateVector()
    sa.doc.send({ text: 'live' })
    left.sync.broadcast(convo, sa.doc.encodeStateAsUpdate(live))
    await hub.flush()
    expect(texts(sb)).toContain('live')
    expect(left.errors).toEqual([])
    expect(right.errors).toEqual([])
    for (const s of [sa, sb]) s.close()
    left.sync.close()
    right.sync.close()
    hub.close()
  })

  it('ignores conversations it has not joined, and stops after leave', async () => {
    const { hub, a, b } = createMemoryTransportPair({ seed: 3 })
    const left = peer(a)
    const right = peer(b)
    const sa = session('alice', 'da')
    const sb = session('bob', 'db')
    left.sync.join(sa)
    await hub.flush()
    sa.doc.send({ text: 'nobody listens' })
    left.sync.broadcast(convo, sa.doc.encodeStateAsUpdate())
    await hub.flush()
    expect(right.received).toEqual([])
    right.sync.join(sb)
    await hub.flush()
    expect(texts(sb)).toEqual(['nobody listens'])
    right.sync.leave(convo)
    const before = right.received.length
    sa.doc.send({ text: 'after leave' })
    left.sync.broadcast(convo, sa.doc.encodeStateAsUpdate())
    await hub.flush()
    expect(right.received).toHaveLength(before)
    for (const s of [sa, sb]) s.close()
    left.sync.close()
    right.sync.close()
    hub.close()
  })

  it('relays presence both ways and reports it as presence-changed', async () => {
    const { hub, right, sa, sb, close } = await joinedPair(11)
    sa.setLocalAwareness({ typingUntil: 9999 })
    await hub.flush()
    expect(sb.presence()).toEqual([{ user: 'alice', device: 'da', status: 'online', typing: true }])
    expect(right.presence.length).toBeGreaterThan(0)
    close()
  })

  it('sends nothing while the network is down and resyncs when it is back', async () => {
    const { hub, a, left, sa, sb, close } = await joinedPair(5)
    left.sync.setNetwork(false)
    expect(left.sync.online).toBe(false)
    sa.doc.send({ text: 'offline' })
    left.sync.broadcast(convo, sa.doc.encodeStateAsUpdate())
    await hub.flush()
    expect(texts(sb)).toEqual([])
    left.sync.setNetwork(true)
    await hub.flush()
    expect(texts(sb)).toEqual(['offline'])
    close()
    // Idempotent, and the transports are closed with it.
    left.sync.close()
    expect(a.status).toBe('closed')
  })
})
