// Faults the Supabase transport and remote log must survive: a dropped socket, a response lost
// after the server applied a push, the same push twice at once, and duplicated, reordered
// deliveries.
import { randomUUID } from 'node:crypto'
import { createClient } from '@supabase/supabase-js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import * as Y from 'yjs'
import {
  createRetryPolicy,
  isRemoteLogError,
  type ConversationId,
  type PeerId,
  type RemoteLog,
  type RemotePushEntry,
  type RemotePushResult,
  type UserId,
} from '@parley/core/ports'
import type { SupabaseEmulator } from '@parley/supabase-emulator'
import { registerTestDevice } from '@parley/testing'
import {
  createSupabaseRemoteLog,
  createSupabaseTransport,
  encodeMessageBody,
  encodeSupabaseFrame,
  type SupabaseTransport,
} from '@parley/transport-supabase'
import {
  addMember,
  bytes,
  firstByte,
  liveTopic,
  newDevice,
  newUser,
  record,
  shareConversation,
  signIn,
  startEmulator,
  waitFor,
  type Device,
} from './transport-helpers.js'

let emulator: SupabaseEmulator
const cleanups: (() => void | Promise<void>)[] = []

beforeAll(async () => {
  emulator = await startEmulator()
})

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

afterAll(async () => {
  await emulator?.stop()
})

async function device(): Promise<Device> {
  const d = await newDevice(emulator)
  cleanups.push(() => d.close())
  return d
}

function transport(d: Device, peerId: string, conversation: ConversationId): SupabaseTransport {
  const t = createSupabaseTransport({ client: d.client, peerId })
  cleanups.push(() => t.close())
  t.join(conversation)
  return t
}

/** Pushes with the retry policy the engine uses (fast delays), until success or a permanent error. */
async function pushWithRetry(log: RemoteLog, id: ConversationId, entries: RemotePushEntry[]) {
  const policy = createRetryPolicy({ baseDelayMs: 10, maxDelayMs: 50 })
  for (let attempt = 0; ; attempt++) {
    try {
      return { results: await log.push(id, entries), attempts: attempt + 1 }
    } catch (error) {
      const delay = policy.next(error, attempt)
      if (delay === null) throw error
      await new Promise((resolve) => setTimeout(resolve, delay))
    }
  }
}

describe('a dropped socket', () => {
  it('goes offline and back online, and peers leave and come back on both sides', async () => {
    const [da, db] = [await device(), await device()]
    const conversation = await shareConversation(da, [db])
    const a = transport(da, 'drop-a', conversation)
    const b = transport(db, 'drop-b', conversation)
    const ra = record(a)
    const rb = record(b)
    await waitFor(
      'discovery',
      () => a.peers().includes('drop-b' as PeerId) && b.peers().includes('drop-a' as PeerId),
    )
    db.dropSockets()
    await waitFor('b offline', () => rb.statuses.includes('offline'))
    expect(b.status === 'offline' || b.status === 'online').toBe(true)
    expect(b.send({ type: 'update', conversationId: conversation, update: bytes(1) })).toBe(
      b.status === 'online',
    )
    await waitFor('a to see b leave', () => ra.left.some((e) => e.peer === 'drop-b'))
    // supabase-js reconnects (1 s backoff) and rejoins; presence brings everyone back.
    await waitFor('b online again', () => b.status === 'online', 15_000)
    await waitFor(
      'b to see a again',
      () => rb.joined.filter((e) => e.peer === 'drop-a').length === 2,
      15_000,
    )
    await waitFor(
      'a to see b again',
      () => ra.joined.filter((e) => e.peer === 'drop-b').length === 2,
      15_000,
    )
    expect(rb.left.map((e) => e.peer)).toEqual(['drop-a'])
    expect(rb.statuses).toEqual(['online', 'offline', 'online'])
    b.send({ type: 'update', conversationId: conversation, update: bytes(2) })
    a.send({ type: 'update', conversationId: conversation, update: bytes(3) })
    await waitFor('the update at a', () => ra.messages.some((m) => firstByte(m) === 2))
    await waitFor('the update at b', () => rb.messages.some((m) => firstByte(m) === 3))
  }, 40_000)
})

describe('a lost response', () => {
  /** A device whose fetch can lose the answer of the next push after the server applied it. */
  async function flakyDevice() {
    const credentials = await newUser(emulator)
    const plan = { loseAfter: 0, failBefore: 0 }
    const client = createClient(emulator.url, emulator.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket as never },
      global: {
        fetch: async (input, init) => {
          const url = String(input instanceof Request ? input.url : input)
          if (url.includes('/rpc/push_updates') && plan.failBefore > 0) {
            plan.failBefore--
            throw new TypeError('fetch failed (injected, before sending)')
          }
          const response = await fetch(input, init)
          if (url.includes('/rpc/push_updates') && plan.loseAfter > 0) {
            plan.loseAfter--
            await response.arrayBuffer()
            throw new TypeError('fetch failed (injected, after the server answered)')
          }
          return response
        },
      },
    })
    const { data, error } = await client.auth.signInWithPassword(credentials)
    if (error || !data.user) throw new Error(`sign-in failed: ${error?.message}`)
    const log = createSupabaseRemoteLog({ client, inbox: false })
    cleanups.push(() => log.close())
    const signer = await registerTestDevice(log)
    return { log, plan, signer, userId: data.user.id as UserId }
  }

  it('is retried idempotently: the update is in the log once, with its first seq', async () => {
    const { log, plan, signer } = await flakyDevice()
    const id = randomUUID() as ConversationId
    await log.createConversation({ id })
    const entries = [1, 2, 3].map((n) => signer.entry(bytes(n)))
    plan.loseAfter = 2
    plan.failBefore = 0
    const first = await log.push(id, entries.slice(0, 1)).catch((e: unknown) => e)
    expect(isRemoteLogError(first, 'network')).toBe(true)
    expect(isRemoteLogError(first) && first.retryable).toBe(true)
    const { results, attempts } = await pushWithRetry(log, id, entries)
    expect(attempts).toBe(2)
    expect(results).toEqual<RemotePushResult[]>([
      { clientUpdateId: entries[0]!.clientUpdateId, seq: 1, duplicate: true },
      { clientUpdateId: entries[1]!.clientUpdateId, seq: 2, duplicate: true },
      { clientUpdateId: entries[2]!.clientUpdateId, seq: 3, duplicate: true },
    ])
    const page = await log.pull(id, 0)
    expect(page.updates.map((u) => [u.seq, u.update[0]])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ])
  })

  it('is retried after a request that never left, appending once', async () => {
    const { log, plan, signer } = await flakyDevice()
    const id = randomUUID() as ConversationId
    await log.createConversation({ id })
    plan.failBefore = 3
    const entry = signer.entry(bytes(7))
    const { results, attempts } = await pushWithRetry(log, id, [entry])
    expect(attempts).toBe(4)
    expect(results).toEqual([{ clientUpdateId: entry.clientUpdateId, seq: 1, duplicate: false }])
  })

  it('never duplicates when two devices push the same entries at once', async () => {
    const credentials = await newUser(emulator)
    const [laptop, phone] = [
      await signIn(emulator, credentials),
      await signIn(emulator, credentials),
    ]
    cleanups.push(
      () => laptop.close(),
      () => phone.close(),
    )
    const [l1, l2] = [laptop, phone].map((d) =>
      createSupabaseRemoteLog({ client: d.client, inbox: false }),
    )
    cleanups.push(
      () => l1!.close(),
      () => l2!.close(),
    )
    const id = randomUUID() as ConversationId
    await l1!.createConversation({ id })
    // One device of the user; both clients push its entries.
    const signer = await registerTestDevice(l1!)
    const entries = Array.from({ length: 5 }, (_, n) => signer.entry(bytes(n)))
    const [r1, r2] = await Promise.all([l1!.push(id, entries), l2!.push(id, entries)])
    expect(r1!.map((r) => r.seq)).toEqual(r2!.map((r) => r.seq))
    expect([...r1!, ...r2!].filter((r) => !r.duplicate)).toHaveLength(5)
    expect((await l1!.pull(id, 0)).updates.map((u) => u.seq)).toEqual([1, 2, 3, 4, 5])
  })
})

describe('duplicated and reordered deliveries', () => {
  it('delivers every copy as it comes; the Yjs document converges', async () => {
    const [da, db] = [await device(), await device()]
    const conversation = await shareConversation(da, [db])
    const b = transport(db, 'dup-b', conversation)
    const rb = record(b)
    await waitFor('b online', () => b.status === 'online')
    // A member replays frames of a sender "dup-a": reversed, every one twice.
    const injector = await device()
    await addMember(da, conversation, injector)
    await injector.client.realtime.setAuth()
    const channel = injector.client.channel(await liveTopic(injector, conversation), {
      config: { private: true, broadcast: { self: false, ack: true } },
    })
    await new Promise<void>((resolve, reject) =>
      channel.subscribe((s, e) =>
        s === 'SUBSCRIBED' ? resolve() : s === 'CLOSED' ? undefined : reject(e),
      ),
    )
    const source = new Y.Doc()
    const updates: Uint8Array[] = []
    source.on('update', (u: Uint8Array) => updates.push(u))
    const text = source.getMap('messages')
    for (let i = 0; i < 20; i++) text.set(`m${i}`, { text: `hello ${i}` })
    const frames = updates.map((update) =>
      encodeSupabaseFrame('dup-a' as PeerId, [
        encodeMessageBody({ type: 'update', conversationId: conversation, update }).bytes,
      ]),
    )
    for (const frame of [...frames].reverse().flatMap((f) => [f, f]))
      expect(
        await channel.send({ type: 'broadcast', event: 'update', payload: frame.slice().buffer }),
      ).toBe('ok')
    await waitFor('40 deliveries', () => rb.messages.length >= 40)
    const replica = new Y.Doc()
    for (const m of rb.messages) if (m.type === 'update') Y.applyUpdate(replica, m.update)
    expect(replica.getMap('messages').toJSON()).toEqual(text.toJSON())
    expect(rb.errors).toEqual([])
  })
})
