// The Transport contract for @parley/transport-supabase, through the real supabase-js against the
// emulator, on private channels of real conversations (members only, by RLS).
//
// Why not `transportContract` from @parley/testing: it assumes `join` takes effect at once and
// that a transport can send for a conversation it has not joined; a Realtime channel takes a
// round trip to join (messages sent before the receiver joined are gone) and this transport
// refuses to send for a conversation it has not joined (the interface allows it). Its cases are
// all here, each waiting for joins and discovery first, plus what only a network transport has
// (privacy, coalescing, payload limits, presence per conversation).
import { randomUUID } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as awarenessProtocol from 'y-protocols/awareness'
import {
  isTransportError,
  TRANSPORT_PROTOCOL_VERSION,
  type ConversationId,
  type PeerId,
  type TransportMessage,
} from '@parley/core/ports'
import type { SupabaseEmulator } from '@parley/supabase-emulator'
import {
  createSupabaseTransport,
  encodeMessageBody,
  encodeSupabaseFrame,
  type SupabaseTransport,
} from '@parley/transport-supabase'
import type { RealtimeChannel } from '@supabase/supabase-js'
import {
  addMember,
  bytes,
  firstByte,
  liveTopic,
  newDevice,
  record,
  shareConversation,
  startEmulator,
  waitFor,
  type Device,
  type Recorder,
} from './transport-helpers.js'

let emulator: SupabaseEmulator
let devices: Device[] = []
let transports: SupabaseTransport[] = []

beforeAll(async () => {
  emulator = await startEmulator()
})

afterEach(async () => {
  for (const t of transports) t.close()
  transports = []
  await Promise.all(devices.map((d) => d.close()))
  devices = []
})

afterAll(async () => {
  await emulator?.stop()
})

interface Party {
  t: SupabaseTransport
  r: Recorder
  device: Device
}

async function devicesFor(count: number): Promise<Device[]> {
  const created = await Promise.all(Array.from({ length: count }, () => newDevice(emulator)))
  devices.push(...created)
  return created
}

/** A transport on `device`, recorded, joined to `conversations`; waits until it is online. */
async function open(
  device: Device,
  peerId: string,
  conversations: ConversationId[],
): Promise<Party> {
  const t = createSupabaseTransport({ client: device.client, peerId })
  transports.push(t)
  const r = record(t)
  for (const c of conversations) t.join(c)
  await waitFor(`${peerId} online`, () => t.status === 'online')
  return { t, r, device }
}

/** Waits until every party sees every other in each conversation they share. */
async function discovered(parties: Party[], conversation: ConversationId): Promise<void> {
  for (const a of parties)
    for (const b of parties)
      if (a !== b)
        await waitFor(`${a.t.peerId} to see ${b.t.peerId}`, () =>
          a.r.joined.some((e) => e.peer === b.t.peerId && e.conversationId === conversation),
        )
}

/** `count` users sharing one conversation, each with a transport, all discovered. */
async function room(count: number): Promise<{ parties: Party[]; conversation: ConversationId }> {
  const ds = await devicesFor(count)
  const conversation = await shareConversation(ds[0]!, ds.slice(1))
  const parties: Party[] = []
  for (const [i, d] of ds.entries())
    parties.push(await open(d, `peer-${i}-${randomUUID().slice(0, 8)}`, [conversation]))
  await discovered(parties, conversation)
  return { parties, conversation }
}

/**
 * A plain supabase-js channel of a new member (its own client: one client hands back the same
 * channel object per topic), for injecting raw broadcasts.
 */
async function rawChannel(owner: Device, conversation: ConversationId): Promise<RealtimeChannel> {
  const [device] = await devicesFor(1)
  await addMember(owner, conversation, device!)
  await device!.client.realtime.setAuth()
  const topic = await liveTopic(device!, conversation)
  return new Promise((resolve, reject) => {
    const channel = device!.client.channel(topic, {
      config: { private: true, broadcast: { self: false, ack: true } },
    })
    channel.subscribe((status, error) => {
      if (status === 'SUBSCRIBED') resolve(channel)
      else if (status !== 'CLOSED') reject(error ?? new Error(status))
    })
  })
}

const toBuffer = (b: Uint8Array): ArrayBuffer => b.slice().buffer

describe('createSupabaseTransport: transport contract over Realtime', () => {
  it('starts connecting, then goes online with its peer id', async () => {
    const [d] = await devicesFor(1)
    const t = createSupabaseTransport({ client: d!.client, peerId: 'contract-a' })
    transports.push(t)
    const r = record(t)
    expect(t.status).toBe('connecting')
    expect(t.peerId).toBe('contract-a')
    expect(t.kind).toBe('supabase')
    expect(t.ordered).toBe(false)
    await waitFor('online', () => t.status === 'online')
    expect(r.statuses).toEqual(['online'])
    expect(t.peers()).toEqual([])
  })

  it('discovers peers in both directions, per conversation', async () => {
    const { parties, conversation } = await room(3)
    const [a, b, c] = parties
    expect(a!.t.peers().sort()).toEqual([b!.t.peerId, c!.t.peerId].sort())
    for (const e of a!.r.joined) expect(e.conversationId).toBe(conversation)
  })

  it('delivers every message type with its fields, stamped with v and from', async () => {
    const { parties, conversation } = await room(2)
    const [a, b] = parties as [Party, Party]
    const to = b.t.peerId
    const sent = [
      a.t.send({ type: 'update', conversationId: conversation, update: bytes(1, 2, 3) }),
      a.t.send({ type: 'awareness', conversationId: conversation, update: bytes(4) }),
      a.t.send({ type: 'sync-request', conversationId: conversation, stateVector: bytes(5, 0) }),
      a.t.send({
        type: 'sync-reply',
        to,
        conversationId: conversation,
        update: bytes(6),
        stateVector: bytes(7),
      }),
      a.t.send({ type: 'sync-reply', to, conversationId: conversation, update: bytes(8) }),
    ]
    expect(sent).toEqual([true, true, true, true, true])
    await waitFor('5 messages', () => b.r.messages.length >= 5)
    const from = a.t.peerId
    const v = TRANSPORT_PROTOCOL_VERSION
    const expected: TransportMessage[] = [
      { v, from, type: 'update', conversationId: conversation, update: bytes(1, 2, 3) },
      { v, from, type: 'awareness', conversationId: conversation, update: bytes(4) },
      { v, from, type: 'sync-request', conversationId: conversation, stateVector: bytes(5, 0) },
      {
        v,
        from,
        to,
        type: 'sync-reply',
        conversationId: conversation,
        update: bytes(6),
        stateVector: bytes(7),
      },
      { v, from, to, type: 'sync-reply', conversationId: conversation, update: bytes(8) },
    ]
    expect([...b.r.messages].sort((x, y) => firstByte(x) - firstByte(y))).toEqual(expected)
    for (const m of b.r.messages)
      expect(m.type === 'sync-request' ? m.stateVector : m.update).toBeInstanceOf(Uint8Array)
    expect(b.r.errors).toEqual([])
  })

  it('copies payloads: mutating after send changes nothing', async () => {
    const { parties, conversation } = await room(2)
    const [a, b] = parties as [Party, Party]
    // The second send waits for the coalescing window: mutate while it waits.
    a.t.send({ type: 'update', conversationId: conversation, update: bytes(1) })
    const update = bytes(2, 2, 2)
    a.t.send({ type: 'update', conversationId: conversation, update })
    update.fill(9)
    await waitFor('both updates', () => b.r.messages.length >= 2)
    expect(b.r.messages[1]).toMatchObject({ update: bytes(2, 2, 2) })
  })

  it('never delivers a message to its sender', async () => {
    const { parties, conversation } = await room(2)
    const [a, b] = parties as [Party, Party]
    a.t.send({ type: 'update', conversationId: conversation, update: bytes(1) })
    await waitFor('the update at b', () => b.r.messages.length === 1)
    b.t.send({ type: 'update', conversationId: conversation, update: bytes(2) })
    await waitFor('the reply at a', () => a.r.messages.length >= 1)
    expect(a.r.messages.map(firstByte)).toEqual([2])
    expect(b.r.messages.map(firstByte)).toEqual([1])
  })

  it('delivers an addressed message to its addressee only', async () => {
    const { parties, conversation } = await room(3)
    const [a, b, c] = parties as [Party, Party, Party]
    a.t.send({ type: 'update', to: c.t.peerId, conversationId: conversation, update: bytes(1) })
    a.t.send({ type: 'update', conversationId: conversation, update: bytes(2) })
    await waitFor('the broadcast at b', () => b.r.messages.length >= 1)
    await waitFor('both at c', () => c.r.messages.length >= 2)
    expect(b.r.messages.map(firstByte)).toEqual([2])
    expect(c.r.messages.map(firstByte).sort()).toEqual([1, 2])
  })

  it('delivers only for joined conversations, stops after leave, and refuses unjoined sends', async () => {
    const ds = await devicesFor(2)
    const [da, db] = ds as [Device, Device]
    const [c1, c2, c3] = [
      await shareConversation(da, [db]),
      await shareConversation(da, [db]),
      await shareConversation(da, [db]),
    ]
    const a = await open(da, 'scope-a', [c1, c2, c3])
    const b = await open(db, 'scope-b', [c1, c2])
    await discovered([a, b], c1)
    await discovered([a, b], c2)
    b.t.leave(c2)
    await waitFor('a to see b leave c2', () =>
      a.r.left.some((e) => e.peer === b.t.peerId && e.conversationId === c2),
    )
    expect(a.t.peers()).toContain(b.t.peerId)
    a.t.send({ type: 'update', conversationId: c2, update: bytes(1) })
    a.t.send({ type: 'update', conversationId: c1, update: bytes(2) })
    await waitFor('the c1 update', () => b.r.messages.length >= 1)
    b.t.leave(c1)
    b.t.leave(c1)
    b.t.join(c3)
    b.t.join(c3)
    await discovered([a, b], c3)
    a.t.send({ type: 'update', conversationId: c1, update: bytes(3) })
    a.t.send({ type: 'update', conversationId: c3, update: bytes(4) })
    await waitFor('the c3 update', () => b.r.messages.some((m) => m.conversationId === c3))
    expect(b.r.messages.map((m) => [m.conversationId, firstByte(m)])).toEqual([
      [c1, 2],
      [c3, 4],
    ])
    // A conversation this transport has not joined: refused, and said so.
    const errors = b.r.errors.length
    expect(b.t.send({ type: 'update', conversationId: c2, update: bytes(5) })).toBe(false)
    expect(b.r.errors.slice(errors).map((e) => e.code)).toEqual(['send-failed'])
  })

  it('drops and reports every invalid input exactly once, then keeps working', async () => {
    const { parties, conversation } = await room(2)
    const [a, b] = parties as [Party, Party]
    const raw = await rawChannel(a.device, conversation)
    const frameOf = (from: string, ...bodies: Uint8Array[]) =>
      encodeSupabaseFrame(from as PeerId, bodies)
    const body = (update: Uint8Array) =>
      encodeMessageBody({ type: 'update', conversationId: conversation, update }).bytes
    const garbage: { event: string; payload: unknown }[] = [
      { event: 'update', payload: { v: 1, type: 'update', from: 'mallory', update: [1] } },
      { event: 'update', payload: 'update' },
      { event: 'awareness', payload: [1, 'update'] },
      { event: 'update', payload: toBuffer(bytes(1, 2, 3)) },
      { event: 'update', payload: new ArrayBuffer(0) },
      // A frame with no messages, one with an empty update, one with a bad sender id.
      { event: 'update', payload: toBuffer(frameOf('mallory')) },
      { event: 'update', payload: toBuffer(frameOf('mallory', body(bytes()))) },
      { event: 'update', payload: toBuffer(frameOf('has space', body(bytes(1)))) },
      // Trailing bytes after a valid message; an unknown type tag; another protocol version.
      {
        event: 'update',
        payload: toBuffer(new Uint8Array([...frameOf('mallory', body(bytes(1))), 0])),
      },
      { event: 'update', payload: toBuffer(frameOf('mallory', new Uint8Array([42, 0, 1, 1]))) },
      {
        event: 'update',
        payload: toBuffer(new Uint8Array([99, ...frameOf('mallory', body(bytes(1))).subarray(1)])),
      },
    ]
    for (const { event, payload } of garbage)
      expect(await raw.send({ type: 'broadcast', event, payload })).toBe('ok')
    // Events that are not the transport's are not its business (e.g. the database's notices).
    expect(await raw.send({ type: 'broadcast', event: 'members-changed', payload: { x: 1 } })).toBe(
      'ok',
    )
    await waitFor(`${garbage.length} errors`, () => b.r.errors.length >= garbage.length)
    a.t.send({ type: 'update', conversationId: conversation, update: bytes(7) })
    await waitFor('the valid update', () => b.r.messages.length >= 1)
    expect(b.r.messages.map(firstByte)).toEqual([7])
    expect(b.r.errors).toHaveLength(garbage.length)
    for (const error of b.r.errors) {
      expect(isTransportError(error)).toBe(true)
      expect(['invalid-message', 'unsupported-version']).toContain(error.code)
      expect(error.conversationId).toBe(conversation)
    }
    expect(b.r.errors.at(-1)?.code).toBe('unsupported-version')
    expect(b.t.stats().invalidReceived).toBe(garbage.length)
    expect(b.t.status).toBe('online')
  })

  it('refuses to send an invalid message by throwing, without sending anything', async () => {
    const { parties, conversation } = await room(2)
    const [a, b] = parties as [Party, Party]
    expect(() =>
      a.t.send({ type: 'update', conversationId: conversation, update: new Uint8Array(0) }),
    ).toThrow(expect.objectContaining({ name: 'TransportError', code: 'invalid-message' }))
    expect(() =>
      a.t.send({ type: 'update', conversationId: 'bad/id' as ConversationId, update: bytes(1) }),
    ).toThrow()
    a.t.send({ type: 'update', conversationId: conversation, update: bytes(3) })
    await waitFor('the valid update', () => b.r.messages.length >= 1)
    expect(b.r.messages.map(firstByte)).toEqual([3])
    expect(a.t.stats().messagesSent).toBe(1)
  })

  it('stops calling an unsubscribed listener; a throwing one is reported as listener-failed', async () => {
    const { parties, conversation } = await room(2)
    const [a, b] = parties as [Party, Party]
    let calls = 0
    const off = b.t.on('message', () => calls++)
    off()
    off()
    b.t.on('message', () => {
      throw new Error('listener bug')
    })
    a.t.send({ type: 'update', conversationId: conversation, update: bytes(1) })
    a.t.send({ type: 'update', conversationId: conversation, update: bytes(2) })
    await waitFor('both updates', () => b.r.messages.length >= 2)
    await waitFor('the listener errors', () => b.r.errors.length >= 2)
    expect(calls).toBe(0)
    expect(b.r.errors.map((e) => e.code)).toEqual(['listener-failed', 'listener-failed'])
  })

  it('delivers every message of a burst (unordered transport: as a set)', async () => {
    const { parties, conversation } = await room(2)
    const [a, b] = parties as [Party, Party]
    for (let i = 0; i < 50; i++)
      a.t.send({ type: 'update', conversationId: conversation, update: bytes(i) })
    await waitFor('50 updates', () => b.r.messages.length >= 50)
    expect(b.r.messages.map(firstByte).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    )
  })

  it('closes idempotently: peers see it leave, nothing is emitted afterwards, the id can come back', async () => {
    const { parties, conversation } = await room(3)
    const [a, b, c] = parties as [Party, Party, Party]
    let lateCalls = 0
    b.t.on('message', () => lateCalls++)
    b.t.on('peer-left', () => lateCalls++)
    b.t.close()
    expect(b.t.status).toBe('closed')
    expect(b.r.statuses).toEqual(['online', 'closed'])
    expect(b.t.peers()).toEqual([])
    await waitFor('a to see b leave', () => a.r.left.some((e) => e.peer === b.t.peerId))
    await waitFor('c to see b leave', () => c.r.left.some((e) => e.peer === b.t.peerId))
    expect(a.t.peers()).not.toContain(b.t.peerId)
    expect(b.t.send({ type: 'update', conversationId: conversation, update: bytes(1) })).toBe(false)
    a.t.send({ type: 'update', conversationId: conversation, update: bytes(2) })
    await waitFor('the update at c', () => c.r.messages.length >= 1)
    b.t.close()
    expect(b.r.statuses).toEqual(['online', 'closed'])
    expect(b.r.messages).toEqual([])
    expect(lateCalls).toBe(0)
    // The same id comes back (a reload) and is discovered again.
    const b2 = await open(b.device, b.t.peerId, [conversation])
    await waitFor('b to rejoin', () => a.r.joined.filter((e) => e.peer === b.t.peerId).length === 2)
    await discovered([a, b2], conversation)
    a.t.send({ type: 'update', conversationId: conversation, update: bytes(3) })
    await waitFor('the update at the new b', () => b2.r.messages.length >= 1)
    expect(b.r.messages).toEqual([])
  })

  it('closes when its AbortSignal aborts', async () => {
    const [d] = await devicesFor(1)
    const controller = new AbortController()
    const t = createSupabaseTransport({ client: d!.client, signal: controller.signal })
    transports.push(t)
    const r = record(t)
    controller.abort()
    expect(t.status).toBe('closed')
    expect(r.statuses).toEqual(['closed'])
    const aborted = createSupabaseTransport({ client: d!.client, signal: controller.signal })
    expect(aborted.status).toBe('closed')
  })
})

describe('createSupabaseTransport: Realtime specifics', () => {
  it('keeps non-members out: their join fails, they receive nothing and their broadcasts are dropped', async () => {
    const { parties, conversation } = await room(2)
    const [a, b] = parties as [Party, Party]
    const [stranger] = await devicesFor(1)
    const s = await open(stranger!, 'stranger', [conversation])
    await waitFor('join-failed', () => s.r.errors.some((e) => e.code === 'join-failed'))
    expect(s.r.errors[0]?.conversationId).toBe(conversation)
    expect(s.t.send({ type: 'update', conversationId: conversation, update: bytes(66) })).toBe(true)
    a.t.send({ type: 'update', conversationId: conversation, update: bytes(1) })
    await waitFor('the member update', () => b.r.messages.length >= 1)
    expect(b.r.messages.map(firstByte)).toEqual([1])
    expect(s.r.messages).toEqual([])
    expect(a.t.peers()).not.toContain('stranger')
    // The stranger's update never left its queue: the channel never joined.
    expect(s.t.stats().framesSent).toBe(0)
  })

  it('sends a lone update at once and a burst as one more broadcast per window', async () => {
    const { parties, conversation } = await room(2)
    const [a, b] = parties as [Party, Party]
    a.t.send({ type: 'update', conversationId: conversation, update: bytes(0) })
    // Leading edge: on the wire before any timer ran.
    expect(a.t.stats()).toMatchObject({ framesSent: 1, messagesSent: 1 })
    for (let i = 1; i < 100; i++)
      a.t.send({ type: 'update', conversationId: conversation, update: bytes(i, 1, 2, 3) })
    expect(a.t.stats().framesSent).toBe(1)
    await waitFor('100 updates', () => b.r.messages.length >= 100)
    expect(a.t.stats()).toMatchObject({ framesSent: 2, messagesSent: 100 })
    expect(b.t.stats()).toMatchObject({ framesReceived: 2, messagesReceived: 100 })
  })

  it('never exceeds the payload limit: splits a burst into frames, refuses an update too large alone', async () => {
    const ds = await devicesFor(2)
    const conversation = await shareConversation(ds[0]!, [ds[1]!])
    const t = createSupabaseTransport({
      client: ds[0]!.client,
      peerId: 'big-a',
      maxPayloadBytes: 50_000,
    })
    transports.push(t)
    const ra = record(t)
    t.join(conversation)
    const b = await open(ds[1]!, 'big-b', [conversation])
    await waitFor('online', () => t.status === 'online')
    await waitFor(
      'discovery',
      () => t.peers().includes(b.t.peerId) && b.t.peers().includes(t.peerId),
    )
    expect(
      t.send({ type: 'update', conversationId: conversation, update: new Uint8Array(60_000) }),
    ).toBe(false)
    expect(ra.errors.map((e) => e.code)).toEqual(['send-failed'])
    t.send({ type: 'update', conversationId: conversation, update: bytes(0) })
    for (let i = 1; i <= 6; i++)
      t.send({
        type: 'update',
        conversationId: conversation,
        update: new Uint8Array(20_000).fill(i),
      })
    await waitFor('7 updates', () => b.r.messages.length >= 7)
    expect(b.r.messages.map(firstByte).sort()).toEqual([0, 1, 2, 3, 4, 5, 6])
    const stats = t.stats()
    expect(stats.messagesSent).toBe(7)
    // 1 leading frame + 6 × 20 kB in frames of at most 50 kB (two per frame).
    expect(stats.framesSent).toBe(4)
    expect(stats.bytesSent).toBeLessThanOrEqual(4 * 50_000)
    expect(stats.sendFailed).toBe(1)
  })

  it('merges the awareness updates of a window: the newest state per client arrives', async () => {
    const { parties, conversation } = await room(2)
    const [a, b] = parties as [Party, Party]
    const doc = new Y.Doc()
    const local = new awarenessProtocol.Awareness(doc)
    const send = () =>
      a.t.send({
        type: 'awareness',
        conversationId: conversation,
        update: awarenessProtocol.encodeAwarenessUpdate(local, [doc.clientID]),
      })
    local.setLocalState({ typing: false, n: 0 })
    send()
    for (let n = 1; n <= 10; n++) {
      local.setLocalState({ typing: true, n })
      send()
    }
    const remoteDoc = new Y.Doc()
    const remote = new awarenessProtocol.Awareness(remoteDoc)
    b.t.on('message', ({ message }) => {
      if (message.type === 'awareness')
        awarenessProtocol.applyAwarenessUpdate(remote, message.update, 'test')
    })
    await waitFor('the newest state', () => remote.getStates().get(doc.clientID)?.n === 10)
    expect(b.r.messages.filter((m) => m.type === 'awareness')).toHaveLength(2)
    expect(a.t.stats()).toMatchObject({ framesSent: 2, messagesSent: 11 })
    local.destroy()
    remote.destroy()
  })

  it('announces a peer per conversation and keeps it in peers() while it shares any', async () => {
    const ds = await devicesFor(2)
    const [c1, c2] = [
      await shareConversation(ds[0]!, [ds[1]!]),
      await shareConversation(ds[0]!, [ds[1]!]),
    ]
    const a = await open(ds[0]!, 'multi-a', [c1, c2])
    const b = await open(ds[1]!, 'multi-b', [c1, c2])
    await discovered([a, b], c1)
    await discovered([a, b], c2)
    expect(a.t.peers()).toEqual(['multi-b'])
    b.t.leave(c1)
    await waitFor('b to leave c1', () => a.r.left.some((e) => e.conversationId === c1))
    expect(a.t.peers()).toEqual(['multi-b'])
    b.t.leave(c2)
    await waitFor('b to leave c2', () => a.r.left.some((e) => e.conversationId === c2))
    expect(a.t.peers()).toEqual([])
  })

  it('joins a conversation that becomes accessible later when join is called again', async () => {
    const ds = await devicesFor(2)
    const [owner, late] = ds as [Device, Device]
    const id = randomUUID() as ConversationId
    // Created "offline": the transport joins before the server knows the conversation.
    const b = await open(late, 'late-b', [id])
    await waitFor('join-failed', () => b.r.errors.some((e) => e.code === 'join-failed'))
    const created = await late.client.rpc('create_conversation', { p_id: id })
    expect(created.error).toBeNull()
    const invite = await late.client.rpc('create_invite', { p_conversation_id: id })
    expect(
      (
        await owner.client.rpc('join_conversation', {
          p_code: (invite.data as { code: string }).code,
        })
      ).error,
    ).toBeNull()
    b.t.join(id)
    const a = await open(owner, 'late-a', [id])
    await discovered([a, b], id)
    a.t.send({ type: 'update', conversationId: id, update: bytes(9) })
    await waitFor('the update', () => b.r.messages.length >= 1)
  })
})
