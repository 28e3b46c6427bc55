// The engine with a server log (in-memory double of the Supabase RPCs): outbox pushes, sent and
// delivered/read statuses, offline creation, catch-up, permanent rejections.
import { describe, expect, it } from 'vitest'
import {
  createMemoryRemoteLogServer,
  createMemoryStorage,
  createMemoryStorageData,
  type MemoryRemoteLogServer,
} from '@parley/testing'
import type { RemoteLog } from '../ports/remote-log.js'
import { createRetryPolicy } from '../ports/retry-policy.js'
import { Engine } from './engine.js'

async function device(
  server: MemoryRemoteLogServer,
  user: string,
  data = createMemoryStorageData(),
  remote: RemoteLog = server.connect(user),
) {
  return Engine.open({
    storage: createMemoryStorage({ data }),
    user,
    remote,
    deliveredDelayMs: 0,
    serverSync: { retry: createRetryPolicy({ baseDelayMs: 5, maxDelayMs: 20, random: () => 0.5 }) },
  })
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  throw new Error(`timed out: ${what}`)
}

async function statusOf(engine: Engine, conversationId: string, text: string) {
  const page = await engine.page(conversationId, { limit: 100 })
  return page.messages.find((m) => m.text === text)?.status
}

describe('Engine with a server log', () => {
  it('pushes the outbox, walks sending → sent → delivered → read, and empties pending', async () => {
    const server = createMemoryRemoteLogServer()
    const alice = await device(server, 'alice')
    const bob = await device(server, 'bob')
    const convo = await alice.createConversation({ title: 'walk' })
    const invite = await alice.createInvite(convo.id)
    await bob.joinConversation(invite.code)

    const sent = await alice.send(convo.id, { text: 'hi bob' })
    expect(sent.status).toBe('sending')
    await until(async () => (await statusOf(alice, convo.id, 'hi bob')) !== 'sending', 'sent')
    await until(
      async () =>
        (await bob.page(convo.id, { limit: 10 })).messages.some((m) => m.text === 'hi bob'),
      'bob has it',
    )
    await until(
      async () => (await statusOf(alice, convo.id, 'hi bob')) === 'delivered',
      'delivered',
    )
    await bob.markRead(convo.id)
    await until(async () => (await statusOf(alice, convo.id, 'hi bob')) === 'read', 'read')
    await until(() => alice.syncStatus().pending === 0, 'alice pending 0')
    expect(
      server
        .inspect(convo.id)!
        .members.map((m) => m.userId)
        .sort(),
    ).toEqual(['alice', 'bob'])
    await alice.close()
    await bob.close()
  })

  it('creates a conversation made offline once the server is back, and retries pushes', async () => {
    const server = createMemoryRemoteLogServer()
    server.setOffline(true)
    const alice = await device(server, 'alice')
    const convo = await alice.createConversation({ title: 'made offline' })
    for (let i = 0; i < 5; i++) await alice.send(convo.id, { text: `o${i}` })
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(alice.syncStatus().state).toBe('offline')
    expect(alice.syncStatus().pending).toBeGreaterThanOrEqual(5)
    expect(server.inspect(convo.id)).toBeUndefined()
    server.setOffline(false)
    await until(() => alice.syncStatus().pending === 0, 'drained')
    expect(server.inspect(convo.id)?.title).toBe('made offline')
    expect(alice.syncStatus().state).toBe('online')
    await alice.close()
  })

  it('never duplicates when a push response is lost', async () => {
    const server = createMemoryRemoteLogServer()
    const alice = await device(server, 'alice')
    const convo = await alice.createConversation({})
    await until(() => alice.syncStatus().pending === 0, 'created')
    const before = server.inspect(convo.id)!.lastSeq
    server.failNext({ operation: 'push', code: 'network', applied: true })
    await alice.send(convo.id, { text: 'once' })
    await until(() => alice.syncStatus().pending === 0, 'drained after retry')
    expect(server.inspect(convo.id)!.lastSeq).toBe(before + 1)
    await alice.close()
  })

  it('marks a message failed with the reason when the server refuses it for good', async () => {
    const server = createMemoryRemoteLogServer()
    const alice = await device(server, 'alice')
    const convo = await alice.createConversation({})
    await until(() => alice.syncStatus().pending === 0, 'created')
    server.failNext({ operation: 'push', code: 'forbidden', count: 2 })
    await alice.send(convo.id, { text: 'refused' })
    await until(async () => (await statusOf(alice, convo.id, 'refused')) === 'failed', 'failed')
    const page = await alice.page(convo.id, { limit: 10 })
    expect(page.messages[0]?.failure?.code).toBe('forbidden')
    await alice.close()
  })

  it('catches a new device up from snapshot and log, and resumes from its cursor', async () => {
    const server = createMemoryRemoteLogServer()
    const alice = await device(server, 'alice')
    const convo = await alice.createConversation({ title: 'history' })
    for (let i = 0; i < 300; i++) void alice.send(convo.id, { text: `h${i}` })
    await alice.flush()
    await until(() => alice.syncStatus().pending === 0, 'pushed')

    const data = createMemoryStorageData()
    const laptop = await device(server, 'alice', data)
    await until(async () => (await laptop.listConversations()).length === 1, 'listed')
    await until(
      async () => (await laptop.page(convo.id, { limit: 1000 })).messages.length === 300,
      'caught up',
    )
    await laptop.close()

    // Later messages only: the reopened device pulls after its stored cursor, never from the
    // start and never the snapshot again. (Counted on this device's own log: the other devices'
    // pulls, e.g. after this one's delivered receipt, depend on timing.)
    await alice.send(convo.id, { text: 'late' })
    await until(() => alice.syncStatus().pending === 0, 'pushed late')
    const remote = server.connect('alice')
    const pulledFrom: number[] = []
    const pull = remote.pull.bind(remote)
    remote.pull = (id, since, options) => {
      pulledFrom.push(since)
      return pull(id, since, options)
    }
    const snapshotsBefore = server.calls.getSnapshot ?? 0
    const again = await device(server, 'alice', data, remote)
    await until(
      async () => (await again.page(convo.id, { limit: 1000 })).messages.length === 301,
      'late arrived',
    )
    expect(pulledFrom.length).toBeGreaterThan(0)
    expect(pulledFrom.every((since) => since >= 2)).toBe(true)
    expect((server.calls.getSnapshot ?? 0) - snapshotsBefore).toBe(0)
    await again.close()
    await alice.close()
  })
})
