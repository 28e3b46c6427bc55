// A server restart: the emulator stops (every socket and request fails) and a new one starts on
// the same port over the same data directory. Transports go offline and come back with their
// peers; pushes made during the outage fail retryably and land once when retried; the log kept
// everything.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  createRetryPolicy,
  isRemoteLogError,
  type ConversationId,
  type PeerId,
  type RemoteLog,
  type RemotePushEntry,
} from '@parley/core/ports'
import type { SupabaseEmulator } from '@parley/supabase-emulator'
import { registerTestDevice } from '@parley/testing'
import { createSupabaseRemoteLog, createSupabaseTransport } from '@parley/transport-supabase'
import {
  bytes,
  firstByte,
  newDevice,
  record,
  shareConversation,
  startEmulator,
  waitFor,
  type Device,
} from './transport-helpers.js'

let dir: string
let emulator: SupabaseEmulator | undefined
const devices: Device[] = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'parley-transport-restart-'))
  emulator = await startEmulator({ database: { dir } })
})

afterAll(async () => {
  await Promise.all(devices.map((d) => d.close()))
  await emulator?.stop()
  await rm(dir, { recursive: true, force: true })
})

async function pushWithRetry(log: RemoteLog, id: ConversationId, entries: RemotePushEntry[]) {
  const policy = createRetryPolicy({ baseDelayMs: 100, maxDelayMs: 1_000 })
  for (let attempt = 0; ; attempt++) {
    try {
      return await log.push(id, entries)
    } catch (error) {
      const delay = policy.next(error, attempt)
      if (delay === null) throw error
      await new Promise((resolve) => setTimeout(resolve, delay))
    }
  }
}

it('recovers from a server restart on the same port and data', async () => {
  const first = emulator!
  const endpoint = { url: first.url, anonKey: first.anonKey }
  const [da, db] = [await newDevice(endpoint), await newDevice(endpoint)]
  devices.push(da, db)
  const conversation = await shareConversation(da, [db])
  const a = createSupabaseTransport({ client: da.client, peerId: 'restart-a' })
  const b = createSupabaseTransport({ client: db.client, peerId: 'restart-b' })
  const log = createSupabaseRemoteLog({ client: da.client })
  const [ra, rb] = [record(a), record(b)]
  try {
    a.join(conversation)
    b.join(conversation)
    await waitFor(
      'discovery',
      () => a.peers().includes('restart-b' as PeerId) && b.peers().includes('restart-a' as PeerId),
    )
    await waitFor('inbox online', () => log.inboxStatus === 'online')
    const signer = await registerTestDevice(log)
    const before = [1, 2].map((n) => signer.entry(bytes(n)))
    await log.push(conversation, before)

    await first.stop()
    emulator = undefined
    await waitFor('both offline', () => a.status === 'offline' && b.status === 'offline')
    expect(a.peers()).toEqual([])
    expect(log.inboxStatus).toBe('offline')
    const during = signer.entry(bytes(3))
    const failed = await log.push(conversation, [during]).catch((e: unknown) => e)
    expect(isRemoteLogError(failed) && failed.retryable).toBe(true)
    expect(a.send({ type: 'update', conversationId: conversation, update: bytes(9) })).toBe(false)

    emulator = await startEmulator({ database: { dir }, port: first.port })
    expect(emulator.url).toBe(first.url)
    const results = await pushWithRetry(log, conversation, [...before, during])
    expect(results.map((r) => [r.seq, r.duplicate])).toEqual([
      [1, true],
      [2, true],
      [3, false],
    ])
    expect((await log.pull(conversation, 0)).updates.map((u) => u.update[0])).toEqual([1, 2, 3])
    // supabase-js reconnects with its backoff (1, 2, 5, 10 s), then the channels rejoin.
    await waitFor('both online', () => a.status === 'online' && b.status === 'online', 30_000)
    await waitFor('rediscovery', () => ra.joined.length >= 2 && rb.joined.length >= 2, 30_000)
    await waitFor('inbox online again', () => log.inboxStatus === 'online', 30_000)
    b.send({ type: 'update', conversationId: conversation, update: bytes(4) })
    await waitFor('the update at a', () => ra.messages.some((m) => firstByte(m) === 4))
    expect(ra.statuses).toEqual(['online', 'offline', 'online'])
  } finally {
    a.close()
    b.close()
    log.close()
  }
}, 90_000)
