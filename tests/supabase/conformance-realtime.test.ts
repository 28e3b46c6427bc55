// Realtime conformance through the real supabase-js: broadcast (vsn 1.0.0 and 2.0.0, JSON and
// binary, self and ack), presence, private channels authorized by RLS, write denial, database
// broadcasts and the REST endpoints. Runs against the emulator, or a real project when
// SUPABASE_URL is set (SUPABASE-PROTOCOL.md §1).
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTarget, targetKinds, type SupabaseTarget } from './target.js'
import {
  anonClient,
  Inbox,
  joinError,
  sharedConversation,
  signedInClient,
  subscribe,
  type BroadcastMessage,
  type TestClient,
  type Vsn,
} from './conformance-realtime-helpers.js'

describe.each(targetKinds())('Realtime conformance (%s)', (kind) => {
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

  describe.each<Vsn>(['2.0.0', '1.0.0'])('broadcast on vsn %s', (vsn) => {
    it('delivers JSON between members of a private channel, honouring self and ack', async () => {
      const alice = track(await signedInClient(target, vsn))
      const bob = track(await signedInClient(target, vsn))
      const topic = `conversation:${await sharedConversation(alice, bob)}`

      const aliceGot = new Inbox<BroadcastMessage>()
      const bobGot = new Inbox<BroadcastMessage>()
      const aliceChannel = alice.supabase
        .channel(topic, { config: { private: true, broadcast: { self: true, ack: true } } })
        .on('broadcast', { event: '*' }, aliceGot.push)
      const bobChannel = bob.supabase
        .channel(topic, { config: { private: true } }) // defaults: self false, ack false
        .on('broadcast', { event: '*' }, bobGot.push)
      await subscribe(aliceChannel)
      await subscribe(bobChannel)

      const payload = { text: 'héllo wörld ✓', n: 1, nested: { list: [1, 2] } }
      expect(await aliceChannel.send({ type: 'broadcast', event: 'update', payload })).toBe('ok')
      expect(await bobGot.waitFor((m) => m.event === 'update', 'bob gets update')).toEqual({
        type: 'broadcast',
        event: 'update',
        payload,
      })
      // self: true — the sender hears its own message.
      await aliceGot.waitFor((m) => m.event === 'update', 'alice hears herself')

      // self: false — bob's message reaches alice, but not bob. Alice getting it proves bob's
      // echo would have been written by now (one server, in order).
      expect(await bobChannel.send({ type: 'broadcast', event: 'reply', payload: { x: 2 } })).toBe(
        'ok',
      )
      await aliceGot.waitFor((m) => m.event === 'reply', 'alice gets reply')
      expect(await aliceChannel.send({ type: 'broadcast', event: 'barrier', payload: {} })).toBe(
        'ok',
      )
      await bobGot.waitFor((m) => m.event === 'barrier', 'bob gets barrier')
      expect(bobGot.items.map((m) => m.event)).toEqual(['update', 'barrier'])
    })

    it(`carries ArrayBuffer payloads ${vsn === '2.0.0' ? 'as binary' : 'not at all (v1 cannot)'}`, async () => {
      const sender = track(anonClient(target, vsn))
      const v2 = track(anonClient(target, '2.0.0'))
      const v1 = track(anonClient(target, '1.0.0'))
      const room = `room:${randomUUID()}`
      const v2Got = new Inbox<BroadcastMessage>()
      const v1Got = new Inbox<BroadcastMessage>()
      const channel = sender.supabase.channel(room, { config: { broadcast: { ack: true } } })
      await subscribe(channel)
      await subscribe(v2.supabase.channel(room).on('broadcast', { event: '*' }, v2Got.push))
      await subscribe(v1.supabase.channel(room).on('broadcast', { event: '*' }, v1Got.push))

      const bytes = new Uint8Array([0, 1, 2, 250, 255])
      expect(await channel.send({ type: 'broadcast', event: 'bin', payload: bytes.buffer })).toBe(
        'ok',
      )
      expect(
        await channel.send({ type: 'broadcast', event: 'json', payload: { after: 'bin' } }),
      ).toBe('ok')
      await v2Got.waitFor((m) => m.event === 'json', 'v2 gets json')
      await v1Got.waitFor((m) => m.event === 'json', 'v1 gets json')
      const binary = v2Got.items.find((m) => m.event === 'bin')
      if (vsn === '2.0.0') {
        expect(binary?.payload).toBeInstanceOf(ArrayBuffer)
        expect([...new Uint8Array(binary?.payload as ArrayBuffer)]).toEqual([...bytes])
      } else {
        // A v1 client JSON-encodes the ArrayBuffer into `{}`.
        expect(binary?.payload).toEqual({})
      }
      // A v1 subscriber never sees binary payloads.
      expect(v1Got.items.map((m) => m.event)).toEqual(vsn === '2.0.0' ? ['json'] : ['bin', 'json'])
    })
  })

  it('keeps public and private channels of the same name apart', async () => {
    const alice = track(await signedInClient(target))
    const bob = track(await signedInClient(target))
    const topic = `conversation:${await sharedConversation(alice, bob)}`
    const privateGot = new Inbox<BroadcastMessage>()
    const publicGot = new Inbox<BroadcastMessage>()
    await subscribe(
      bob.supabase
        .channel(topic, { config: { private: true } })
        .on('broadcast', { event: '*' }, privateGot.push),
    )
    const publicListener = track(anonClient(target, '2.0.0'))
    await subscribe(
      publicListener.supabase.channel(topic).on('broadcast', { event: '*' }, publicGot.push),
    )
    const publicSender = track(anonClient(target, '2.0.0'))
    const publicChannel = publicSender.supabase.channel(topic, {
      config: { broadcast: { ack: true } },
    })
    await subscribe(publicChannel)
    const privateChannel = alice.supabase.channel(topic, {
      config: { private: true, broadcast: { ack: true } },
    })
    await subscribe(privateChannel)

    expect(await publicChannel.send({ type: 'broadcast', event: 'public', payload: {} })).toBe('ok')
    expect(await privateChannel.send({ type: 'broadcast', event: 'private', payload: {} })).toBe(
      'ok',
    )
    await publicGot.waitFor((m) => m.event === 'public', 'public message')
    await privateGot.waitFor((m) => m.event === 'private', 'private message')
    expect(publicGot.items.map((m) => m.event)).toEqual(['public'])
    expect(privateGot.items.map((m) => m.event)).toEqual(['private'])
  })

  it('refuses a non-member’s join to a private channel with Realtime’s reason', async () => {
    const alice = track(await signedInClient(target))
    const stranger = track(await signedInClient(target))
    const id = await sharedConversation(alice)
    const reason = await joinError(
      stranger.supabase.channel(`conversation:${id}`, { config: { private: true } }),
    )
    expect(reason).toBe(
      `Unauthorized: You do not have permissions to read from this Channel topic: conversation:${id}`,
    )
  })

  it('drops a broadcast whose write is denied, silently even with ack', async () => {
    // inbox:<user> is readable by its user and writable by nobody (only the database sends).
    const device1 = track(await signedInClient(target))
    const device2 = track(anonClient(target, '2.0.0'))
    await device2.supabase.realtime.setAuth(device1.accessToken)
    const topic = `inbox:${device1.userId}`
    const got1 = new Inbox<BroadcastMessage>()
    const got2 = new Inbox<BroadcastMessage>()
    const sender = device1.supabase
      .channel(topic, { config: { private: true, broadcast: { self: true, ack: true } } })
      .on('broadcast', { event: '*' }, got1.push)
    await subscribe(sender)
    await subscribe(
      device2.supabase
        .channel(topic, { config: { private: true } })
        .on('broadcast', { event: '*' }, got2.push),
    )

    const result = await sender.send(
      { type: 'broadcast', event: 'forged', payload: {} },
      { timeout: 1_500 },
    )
    expect(result).toBe('timed out')
    // The database may write to the inbox: creating a conversation sends `conversation-joined`.
    // Its arrival after the refused send proves the forged message is not merely late.
    await sharedConversation(device1)
    await got2.waitFor((m) => m.event === 'conversation-joined', 'inbox notice on device 2')
    await got1.waitFor((m) => m.event === 'conversation-joined', 'inbox notice on device 1')
    expect([...got1.items, ...got2.items].map((m) => m.event)).not.toContain('forged')
  })

  it('fans out realtime.send() from SQL with the row id as meta', async () => {
    const alice = track(await signedInClient(target))
    const bob = track(await signedInClient(target))
    const id = await sharedConversation(alice)
    const got = new Inbox<BroadcastMessage>()
    await subscribe(
      alice.supabase
        .channel(`conversation:${id}`, { config: { private: true } })
        .on('broadcast', { event: 'members-changed' }, got.push),
    )
    const invite = await alice.supabase.rpc('create_invite', { p_conversation_id: id })
    expect(invite.error).toBeNull()
    await bob.supabase.rpc('join_conversation', { p_code: (invite.data as { code: string }).code })
    const message = await got.waitFor((m) => m.event === 'members-changed', 'members-changed')
    expect(message.payload).toEqual({ conversation_id: id, user_id: bob.userId, change: 'joined' })
    expect(message.meta).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/) })
  })

  it('accepts REST broadcasts: the send() fallback and httpSend, write-checked', async () => {
    const alice = track(await signedInClient(target))
    const bob = track(await signedInClient(target))
    const stranger = track(await signedInClient(target))
    const topic = `conversation:${await sharedConversation(alice, bob)}`
    const got = new Inbox<BroadcastMessage>()
    await subscribe(
      bob.supabase
        .channel(topic, { config: { private: true } })
        .on('broadcast', { event: '*' }, got.push),
    )

    // Not subscribed: send() falls back to POST /api/broadcast (it warns about it).
    const unjoined = alice.supabase.channel(topic, { config: { private: true } })
    const warn = console.warn
    console.warn = () => undefined
    try {
      expect(
        await unjoined.send({ type: 'broadcast', event: 'via-batch', payload: { a: 1 } }),
      ).toBe('ok')
    } finally {
      console.warn = warn
    }
    expect(await unjoined.httpSend('via-event', { b: 2 })).toEqual({ success: true })
    await got.waitFor((m) => m.event === 'via-batch', 'batch REST broadcast')
    const single = await got.waitFor((m) => m.event === 'via-event', 'per-event REST broadcast')
    expect(single.payload).toEqual({ b: 2 })
    expect(got.items.find((m) => m.event === 'via-batch')?.payload).toEqual({ a: 1 })

    const outsider = stranger.supabase.channel(topic, { config: { private: true } })
    await expect(outsider.httpSend('intruder', { c: 3 })).rejects.toThrow()
    await alice.supabase.removeChannel(unjoined)
  })

  it('syncs presence: state on join, joins, updates, untrack and a dropped socket', async () => {
    const alice = track(await signedInClient(target))
    const bob = track(await signedInClient(target))
    const carol = track(await signedInClient(target))
    const topic = `conversation:${await sharedConversation(alice, bob, carol)}`

    type PresenceEvent = { event: string; key: string }
    const aliceEvents = new Inbox<PresenceEvent>()
    const aliceSync = new Inbox<number>()
    const aliceChannel = alice.supabase
      .channel(topic, { config: { private: true, presence: { key: 'alice' } } })
      .on('presence', { event: 'join' }, ({ key }) => aliceEvents.push({ event: 'join', key }))
      .on('presence', { event: 'leave' }, ({ key }) => aliceEvents.push({ event: 'leave', key }))
      .on('presence', { event: 'sync' }, () => aliceSync.push(aliceSync.items.length))
    await subscribe(aliceChannel)
    expect(await aliceChannel.track({ status: 'online' })).toBe('ok')
    await aliceEvents.waitFor((e) => e.event === 'join' && e.key === 'alice', 'alice sees herself')

    const bobChannel = bob.supabase.channel(topic, {
      config: { private: true, presence: { key: 'bob' } },
    })
    const bobSync = new Inbox<number>()
    bobChannel.on('presence', { event: 'sync' }, () => bobSync.push(bobSync.items.length))
    await subscribe(bobChannel)
    // presence_state on join: bob sees alice without anyone tracking again.
    await bobSync.waitFor(() => 'alice' in bobChannel.presenceState(), 'bob syncs alice')
    expect(bobChannel.presenceState().alice).toEqual([
      { status: 'online', presence_ref: expect.any(String) },
    ])
    expect(await bobChannel.track({ status: 'typing' })).toBe('ok')
    await aliceEvents.waitFor((e) => e.event === 'join' && e.key === 'bob', 'alice sees bob')
    expect(await bobChannel.track({ status: 'idle' })).toBe('ok')
    await aliceSync.waitFor(
      () => aliceChannel.presenceState<{ status: string }>().bob?.[0]?.status === 'idle',
      'alice sees bob’s update',
    )
    expect(aliceChannel.presenceState().bob).toHaveLength(1)
    expect(await bobChannel.untrack()).toBe('ok')
    await aliceEvents.waitFor((e) => e.event === 'leave' && e.key === 'bob', 'alice sees bob leave')

    const carolChannel = carol.supabase.channel(topic, {
      config: { private: true, presence: { key: 'carol' } },
    })
    await subscribe(carolChannel)
    expect(await carolChannel.track({ status: 'online' })).toBe('ok')
    await aliceEvents.waitFor((e) => e.event === 'join' && e.key === 'carol', 'alice sees carol')
    // Kill carol's connection without a goodbye: the server must report her leave itself.
    for (const socket of carol.sockets) socket.terminate()
    await aliceEvents.waitFor(
      (e) => e.event === 'leave' && e.key === 'carol',
      'alice sees carol drop',
    )
    expect(Object.keys(aliceChannel.presenceState()).sort()).toEqual(['alice'])
  })
})
