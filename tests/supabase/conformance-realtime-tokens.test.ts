// Realtime token lifetime through the real supabase-js (SUPABASE-PROTOCOL.md §1.10): a channel
// closes when its token expires (system message, then CLOSED, no automatic rejoin), joining
// again with a fresh token works, and an `access_token` refresh keeps a channel alive past the
// first token's expiry. Forges short-lived tokens, so it needs the JWT secret (always known for
// the emulator; SUPABASE_JWT_SECRET for a real project).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signJwt } from '@parley/supabase-emulator'
import { isRemoteRun, startTarget, targetKinds, type SupabaseTarget } from './target.js'
import {
  Inbox,
  sharedConversation,
  signedInClient,
  subscribe,
  tokenClient,
  type BroadcastMessage,
  type TestClient,
} from './conformance-realtime-helpers.js'

const canForgeTokens = !isRemoteRun() || Boolean(process.env.SUPABASE_JWT_SECRET)

interface SystemMessage {
  extension: string
  status: string
  message: string
  channel: string
}

// Without the secret there is nothing to run: tokens with a chosen expiry cannot be made.
describe.runIf(canForgeTokens).each(targetKinds())('Realtime token lifetime (%s)', (kind) => {
  let target: SupabaseTarget
  const clients: TestClient[] = []
  const track = <T extends TestClient>(client: T): T => {
    clients.push(client)
    return client
  }

  beforeAll(async () => {
    target = await startTarget(kind)
  })

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()))
    await target.stop()
  })

  /** A user token for `sub` that expires `seconds` from now (0 or less: already expired). */
  const forge = (sub: string, seconds: number) => {
    const now = Math.floor(Date.now() / 1000)
    return signJwt(
      {
        aud: 'authenticated',
        role: 'authenticated',
        sub,
        iat: now,
        exp: now + seconds,
        is_anonymous: true,
      },
      target.jwtSecret as string,
    )
  }

  /** Alice (through a token-controlled client) and Bob share a conversation. */
  async function setup() {
    const alice = track(await signedInClient(target))
    const bob = track(await signedInClient(target))
    const topic = `conversation:${await sharedConversation(alice, bob)}`
    const bobChannel = bob.supabase.channel(topic, {
      config: { private: true, broadcast: { ack: true } },
    })
    await subscribe(bobChannel)
    let current = forge(alice.userId as string, 2)
    const device = track(tokenClient(target, () => current))
    await device.supabase.realtime.setAuth()
    return {
      alice,
      topic,
      bobChannel,
      device,
      setToken: (token: string) => (current = token),
    }
  }

  function watch(client: TestClient, topic: string) {
    const system = new Inbox<SystemMessage>()
    const statuses = new Inbox<string>()
    const got = new Inbox<BroadcastMessage>()
    const channel = client.supabase
      .channel(topic, { config: { private: true } })
      .on('system', {}, (message: SystemMessage) => system.push(message))
      .on('broadcast', { event: '*' }, got.push)
    channel.subscribe((status) => statuses.push(status))
    return { channel, system, statuses, got }
  }

  it('closes a channel when its token expires; a fresh token joins again', async () => {
    const { alice, topic, bobChannel, device, setToken } = await setup()
    const first = watch(device, topic)
    await first.statuses.waitFor((s) => s === 'SUBSCRIBED', 'join with the short token')
    const expired = await first.system.waitFor((m) => m.status === 'error', 'expiry notice')
    expect(expired).toEqual({
      extension: 'system',
      status: 'error',
      message: expect.stringMatching(/^Token has expired \d+ seconds ago$/),
      channel: topic,
    })
    await first.statuses.waitFor((s) => s === 'CLOSED', 'channel closed')

    setToken(alice.accessToken)
    await device.supabase.realtime.setAuth()
    const second = watch(device, topic)
    await second.statuses.waitFor((s) => s === 'SUBSCRIBED', 'rejoin with a fresh token')
    expect(await bobChannel.send({ type: 'broadcast', event: 'after', payload: { n: 1 } })).toBe(
      'ok',
    )
    await second.got.waitFor((m) => m.event === 'after', 'broadcast after rejoin')
    // A closed channel stays closed: the client did not rejoin it behind our back.
    expect(first.statuses.items.filter((s) => s === 'SUBSCRIBED')).toHaveLength(1)
  })

  it('keeps a channel alive past the first token’s expiry after an access_token refresh', async () => {
    const { alice, topic, bobChannel, device, setToken } = await setup()
    const watched = watch(device, topic)
    await watched.statuses.waitFor((s) => s === 'SUBSCRIBED', 'join with the short token')
    setToken(alice.accessToken)
    await device.supabase.realtime.setAuth() // pushes access_token to the joined channel
    // Outlive the short token (2 s) by a margin; only real time can show the watchdog held off.
    await new Promise((resolve) => setTimeout(resolve, 3_000))
    expect(await bobChannel.send({ type: 'broadcast', event: 'still-here', payload: {} })).toBe(
      'ok',
    )
    await watched.got.waitFor((m) => m.event === 'still-here', 'broadcast after the old expiry')
    expect(watched.system.items).toEqual([])
    expect(watched.statuses.items).toEqual(['SUBSCRIBED'])
  })

  it('closes a channel refreshed with an expired token, with the reason', async () => {
    const { alice, topic, device, setToken } = await setup()
    setToken(alice.accessToken)
    await device.supabase.realtime.setAuth()
    const watched = watch(device, topic)
    await watched.statuses.waitFor((s) => s === 'SUBSCRIBED', 'join')
    setToken(forge(alice.userId as string, -30))
    await device.supabase.realtime.setAuth()
    const notice = await watched.system.waitFor((m) => m.status === 'error', 'refusal notice')
    expect(notice.message).toMatch(/^Token has expired \d+ seconds ago$/)
    await watched.statuses.waitFor((s) => s === 'CLOSED', 'channel closed')
  })
})
