// A Realtime server restart, seen through the real supabase-js: the emulator stops (closing
// every socket) and a new one starts on the same port over the same data; clients reconnect
// with their own backoff and rejoin their private channels without any help from the test.
// Emulator only: a real project cannot be restarted from a test.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  DEFAULT_MIGRATIONS_DIR,
  startSupabaseEmulator,
  type SupabaseEmulator,
} from '@parley/supabase-emulator'
import { FIXTURE_MIGRATIONS_DIR, isRemoteRun } from './target.js'
import {
  Inbox,
  sharedConversation,
  signedInClient,
  type BroadcastMessage,
  type TestClient,
} from './conformance-realtime-helpers.js'

describe.runIf(!isRemoteRun())('Realtime across an emulator restart', () => {
  const clients: TestClient[] = []
  const emulators: SupabaseEmulator[] = []
  let dir = ''

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()))
    for (const emulator of emulators) await emulator.stop()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  const start = async (port: number) => {
    const emulator = await startSupabaseEmulator({
      port,
      database: { dir },
      migrationsDir: [DEFAULT_MIGRATIONS_DIR, FIXTURE_MIGRATIONS_DIR],
    })
    emulators.push(emulator)
    return emulator
  }

  it('lets clients reconnect and rejoin on their own', async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-realtime-restart-'))
    const first = await start(0)
    const alice = await signedInClient(first)
    const bob = await signedInClient(first)
    clients.push(alice, bob)
    const topic = `conversation:${await sharedConversation(alice, bob)}`

    const aliceStatus = new Inbox<string>()
    const bobStatus = new Inbox<string>()
    const bobGot = new Inbox<BroadcastMessage>()
    const aliceChannel = alice.supabase.channel(topic, {
      config: { private: true, broadcast: { ack: true } },
    })
    aliceChannel.subscribe((status) => aliceStatus.push(status))
    bob.supabase
      .channel(topic, { config: { private: true } })
      .on('broadcast', { event: '*' }, bobGot.push)
      .subscribe((status) => bobStatus.push(status))
    await aliceStatus.waitFor((s) => s === 'SUBSCRIBED', 'alice joined')
    await bobStatus.waitFor((s) => s === 'SUBSCRIBED', 'bob joined')
    expect(await aliceChannel.send({ type: 'broadcast', event: 'before', payload: {} })).toBe('ok')
    await bobGot.waitFor((m) => m.event === 'before', 'broadcast before the restart')

    await first.stop()
    await aliceStatus.waitFor((s) => s === 'CHANNEL_ERROR', 'alice sees the socket drop')
    await start(first.port)

    // The rejoin reports SUBSCRIBED a second time on the same channel object.
    const rejoined = (statuses: Inbox<string>) => () =>
      statuses.items.filter((s) => s === 'SUBSCRIBED').length >= 2
    await aliceStatus.waitFor(rejoined(aliceStatus), 'alice rejoined')
    await bobStatus.waitFor(rejoined(bobStatus), 'bob rejoined')
    expect(await aliceChannel.send({ type: 'broadcast', event: 'after', payload: { n: 2 } })).toBe(
      'ok',
    )
    expect(
      (await bobGot.waitFor((m) => m.event === 'after', 'broadcast after the restart')).payload,
    ).toEqual({
      n: 2,
    })
  })
})
