// The live topic of a conversation (docs/TRUST.md): the transport joins the epoch topic the
// server names (`conversation_topic`), and when someone leaves, the remaining members' rooms move
// to the new epoch's topic as soon as their inbox says `members-changed`, leaving the old topic
// (which the leaver may still hold) silent.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import type { ConversationId, PeerId, RemoteLog } from '@parley/core/ports'
import type { SupabaseEmulator } from '@parley/supabase-emulator'
import {
  createSupabaseRemoteLog,
  createSupabaseTransport,
  type SupabaseRemoteLog,
  type SupabaseTransport,
} from '@parley/transport-supabase'
import {
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
let cleanups: (() => unknown)[] = []

beforeAll(async () => {
  emulator = await startEmulator()
})

afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
  cleanups = []
})

afterAll(async () => {
  await emulator?.stop()
})

interface Member {
  device: Device
  log: SupabaseRemoteLog
  t: SupabaseTransport
  r: Recorder
  /** How many listeners the transport holds on the log. */
  listening(): number
}

/** A member with a remote log (its inbox) and a transport wired to it, joined to `id`. */
async function member(device: Device, peerId: string, id: ConversationId): Promise<Member> {
  const log = createSupabaseRemoteLog({ client: device.client })
  let listening = 0
  const remoteLog: Pick<RemoteLog, 'on'> = {
    on(event, listener) {
      listening++
      const off = log.on(event, listener)
      return () => {
        listening--
        off()
      }
    },
  }
  const t = createSupabaseTransport({ client: device.client, peerId, remoteLog })
  cleanups.push(
    () => t.close(),
    () => log.close(),
  )
  const r = record(t)
  t.join(id)
  await waitFor(`${peerId}'s inbox`, () => log.inboxStatus === 'online')
  return { device, log, t, r, listening: () => listening }
}

/** The topics of the channels a client holds (rt-js prefixes them with `realtime:`). */
const topics = (m: Member) => m.device.client.getChannels().map((c) => c.topic)

it('joins the epoch topic and moves to the new one when a member leaves', async () => {
  const devices = await Promise.all([1, 2, 3].map(() => newDevice(emulator)))
  cleanups.push(...devices.map((d) => () => d.close()))
  const [da, db, dc] = devices as [Device, Device, Device]
  const id = await shareConversation(da, [db, dc])
  const first = await liveTopic(da, id)
  expect(first).toMatch(new RegExp(`^conversation:${id}:[0-9a-f]{32}$`))
  const [a, b, c] = [
    await member(da, 'topic-a', id),
    await member(db, 'topic-b', id),
    await member(dc, 'topic-c', id),
  ]
  const sees = (x: Member, peer: string) => x.t.peers().includes(peer as PeerId)
  await waitFor(
    'all discovered',
    () => sees(a, 'topic-b') && sees(a, 'topic-c') && sees(b, 'topic-a'),
  )
  expect(topics(a)).toContain(`realtime:${first}`)

  // Carol leaves (the engine would leave her room too; here it stays, on the old topic).
  await c.log.leaveConversation(id)
  const second = await liveTopic(da, id)
  expect(second).not.toBe(first)
  await waitFor('a and b moved', () => a.t.stats().topicMoves === 1 && b.t.stats().topicMoves === 1)
  await waitFor('a and b on the new topic', () =>
    [a, b].every((m) => topics(m).includes(`realtime:${second}`)),
  )
  expect(topics(a)).not.toContain(`realtime:${first}`)
  // The peers left with the old channel and came back on the new one: the resync cue.
  expect(a.r.left.some((e) => e.peer === 'topic-b' && e.conversationId === id)).toBe(true)
  await waitFor('a and b rediscovered', () => sees(a, 'topic-b') && sees(b, 'topic-a'))
  expect(a.t.peers()).not.toContain('topic-c')

  a.t.send({ type: 'update', conversationId: id, update: bytes(7) })
  c.t.send({ type: 'update', conversationId: id, update: bytes(66) })
  await waitFor('the update at b', () => b.r.messages.some((m) => firstByte(m) === 7))
  // Nothing crosses between the old topic and the new one.
  expect(b.r.messages.map(firstByte)).not.toContain(66)
  expect(c.r.messages.map(firstByte)).not.toContain(7)

  // Closing lets go of the log.
  expect(a.listening()).toBe(2)
  a.t.close()
  a.t.close()
  expect(a.listening()).toBe(0)
})

it('reports a conversation it may not join, and joins once it may', async () => {
  const [owner, late] = [await newDevice(emulator), await newDevice(emulator)]
  cleanups.push(
    () => owner.close(),
    () => late.close(),
  )
  const id = await shareConversation(owner, [])
  const t = createSupabaseTransport({ client: late.client, peerId: 'topic-late' })
  cleanups.push(() => t.close())
  const r = record(t)
  t.join(id)
  await waitFor('join-failed', () => r.errors.some((e) => e.code === 'join-failed'))
  expect(r.errors[0]).toMatchObject({ conversationId: id })
  expect(r.errors[0]?.message).toMatch(/topic/)
  expect(late.client.getChannels()).toEqual([])

  const invite = await owner.client.rpc('create_invite', { p_conversation_id: id })
  const joined = await late.client.rpc('join_conversation', {
    p_code: (invite.data as { code: string }).code,
  })
  expect(joined.error).toBeNull()
  t.join(id)
  const topic = await liveTopic(owner, id)
  await waitFor('joined', () => t.stats().joins === 1)
  expect(late.client.getChannels().map((c) => c.topic)).toEqual([`realtime:${topic}`])
})
