// Short-lived access tokens (3 s): Realtime closes a private channel the moment its token expires
// (server watchdog), so the transport and the inbox must either keep the token fresh or come back
// after a refresh.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { PeerId } from '@parley/core/ports'
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

const EXPIRY_SECONDS = 3

let emulator: SupabaseEmulator
const cleanups: (() => void | Promise<void>)[] = []

beforeAll(async () => {
  emulator = await startEmulator({ jwtExpirySeconds: EXPIRY_SECONDS })
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

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('token expiry', () => {
  it('keeps channels joined across several expiries by refreshing in time', async () => {
    const [da, db] = [await device(), await device()]
    const conversation = await shareConversation(da, [db])
    const a = createSupabaseTransport({ client: da.client, peerId: 'fresh-a' })
    const b = createSupabaseTransport({ client: db.client, peerId: 'fresh-b' })
    cleanups.push(
      () => a.close(),
      () => b.close(),
    )
    const [ra, rb] = [record(a), record(b)]
    a.join(conversation)
    b.join(conversation)
    await waitFor(
      'discovery',
      () => a.peers().includes('fresh-b' as PeerId) && b.peers().includes('fresh-a' as PeerId),
    )
    const tokenBefore = (await db.client.auth.getSession()).data.session?.access_token
    await pause(EXPIRY_SECONDS * 2_000)
    expect((await db.client.auth.getSession()).data.session?.access_token).not.toBe(tokenBefore)
    a.send({ type: 'update', conversationId: conversation, update: bytes(1) })
    await waitFor('the update at b', () => rb.messages.some((m) => firstByte(m) === 1))
    // Nobody lost anybody on the way: the channels were never closed.
    expect(ra.left).toEqual([])
    expect(rb.left).toEqual([])
    expect(a.stats().resubscribes + b.stats().resubscribes).toBe(0)
  }, 30_000)

  it('re-creates a channel Realtime closed at expiry, and peers come back', async () => {
    const [da, db] = [await device(), await device()]
    const conversation = await shareConversation(da, [db])
    // Without the keeper nobody refreshes the token (supabase-js does not, outside a browser).
    const a = createSupabaseTransport({
      client: da.client,
      peerId: 'stale-a',
      keepSessionFresh: false,
    })
    const b = createSupabaseTransport({
      client: db.client,
      peerId: 'stale-b',
      keepSessionFresh: false,
    })
    cleanups.push(
      () => a.close(),
      () => b.close(),
    )
    const [ra, rb] = [record(a), record(b)]
    a.join(conversation)
    b.join(conversation)
    await waitFor(
      'discovery',
      () => a.peers().includes('stale-b' as PeerId) && b.peers().includes('stale-a' as PeerId),
    )
    await waitFor('a to lose b', () => ra.left.length > 0, EXPIRY_SECONDS * 1_000 + 5_000)
    await waitFor('a resubscribed', () => a.stats().resubscribes > 0)
    await waitFor('both back', () => ra.joined.length >= 2 && rb.joined.length >= 2, 15_000)
    expect(ra.errors.some((e) => e.code === 'join-failed' && /expired/i.test(e.message))).toBe(true)
    b.send({ type: 'update', conversationId: conversation, update: bytes(5) })
    await waitFor('the update at a', () => ra.messages.some((m) => firstByte(m) === 5))
  }, 30_000)

  it('keeps the inbox alive past expiry: notices keep arriving', async () => {
    const [da, db] = [await device(), await device()]
    const conversation = await shareConversation(da, [db])
    const log = createSupabaseRemoteLog({ client: db.client })
    const writer = createSupabaseRemoteLog({ client: da.client, inbox: false })
    cleanups.push(
      () => log.close(),
      () => writer.close(),
    )
    const seqs: number[] = []
    log.on('conversation-updated', ({ seq }) => seqs.push(seq))
    await waitFor('inbox online', () => log.inboxStatus === 'online')
    const signer = await registerTestDevice(writer)
    await writer.push(conversation, [signer.entry(bytes(1))])
    await waitFor('seq 1', () => seqs.includes(1))
    await pause(EXPIRY_SECONDS * 1_500)
    await writer.push(conversation, [signer.entry(bytes(2))])
    await waitFor('seq 2', () => seqs.includes(2))
    expect(log.inboxStatus).toBe('online')
  }, 30_000)
})
