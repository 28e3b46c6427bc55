import { describe, expect, it } from 'vitest'
import {
  createMemoryStorage,
  createMemoryStorageData,
  createMemoryTransportHub,
} from '@parley/testing'
import { Engine } from './engine.js'
import { isStorageError } from './storage-error.js'
import type { StorageAdapter } from './storage-adapter.js'
import type { Transport } from './transport.js'

function openEngine(storage: StorageAdapter, user = 'alice', transports: Transport[] = []) {
  return Engine.open({ storage, user, transports })
}

describe('Engine', () => {
  it('makes a send durable before it resolves, with an outbox entry and a tail', async () => {
    const data = createMemoryStorageData()
    const storage = createMemoryStorage({ data })
    const engine = await openEngine(storage)
    const convo = await engine.createConversation({ title: 'Lunch', kind: 'group' })
    const sent = await engine.send(convo.id, { text: 'hello' })
    expect(sent.status).toBe('sending')
    const stored = await storage.loadDoc(convo.id)
    expect(stored.log.length + stored.snapshots.length).toBeGreaterThan(0)
    const outbox = await storage.listOutbox({ conversationId: convo.id })
    expect(outbox.map((e) => (e.meta as { messageIds: string[] }).messageIds).flat()).toContain(
      sent.id,
    )
    expect(engine.syncStatus().pending).toBe(outbox.length)
    const list = await engine.listConversations()
    expect(list[0]).toMatchObject({ id: convo.id, title: 'Lunch', lastMessagePreview: 'hello' })
    await engine.close()
  })

  it('renames a conversation durably, in its state and in the list; a bad title is refused', async () => {
    const data = createMemoryStorageData()
    const engine = await openEngine(createMemoryStorage({ data }))
    const convo = await engine.createConversation({ title: 'Lunch' })
    await engine.renameConversation(convo.id, 'Dinner')
    expect((await engine.conversationState(convo.id)).meta.title).toBe('Dinner')
    expect((await engine.listConversations())[0]).toMatchObject({ id: convo.id, title: 'Dinner' })
    await expect(engine.renameConversation(convo.id, 'x'.repeat(10_000))).rejects.toMatchObject({
      name: 'ParleyError',
      code: 'invalid-argument',
    })
    await engine.close()
    const again = await openEngine(createMemoryStorage({ data }))
    expect((await again.listConversations())[0]?.title).toBe('Dinner')
    await again.close()
  })

  it('reopens with the full history, and paints first from the tail without hydrating', async () => {
    const data = createMemoryStorageData()
    const first = await openEngine(createMemoryStorage({ data }))
    const convo = await first.createConversation({ title: 'T' })
    for (let i = 0; i < 120; i++) await first.send(convo.id, { text: `m${i}` })
    await first.close()

    const second = await openEngine(createMemoryStorage({ data }))
    const state = await second.conversationState(convo.id)
    expect(state.fromTail).toBe(true)
    expect(state.page.messages.map((m) => m.text).slice(-2)).toEqual(['m118', 'm119'])
    expect(state.page.hasBefore).toBe(true)
    const older = await second.page(convo.id, { before: state.page.messages[0]!, limit: 100 })
    expect(older.messages.length).toBe(70)
    expect(older.messages[0]!.text).toBe('m0')
    await second.close()
  })

  it('batches concurrent sends into few commits, and keeps their order', async () => {
    const storage = createMemoryStorage()
    let commits = 0
    const commit = storage.commit.bind(storage)
    storage.commit = (writes) => {
      commits++
      return commit(writes)
    }
    const engine = await openEngine(storage)
    const convo = await engine.createConversation({})
    commits = 0
    const sent = await Promise.all(
      Array.from({ length: 200 }, (_, i) => engine.send(convo.id, { text: `b${i}` })),
    )
    expect(commits).toBeLessThanOrEqual(2)
    const page = await engine.page(convo.id, { limit: 500 })
    expect(page.messages.map((m) => m.id)).toEqual(sent.map((m) => m.id))
    await engine.close()
  })

  it('turns a quota error into a typed rejection and a failed status, losing nothing stored', async () => {
    const data = createMemoryStorageData()
    const storage = createMemoryStorage({ data })
    const engine = await openEngine(storage)
    const convo = await engine.createConversation({ title: 'Q' })
    const kept = await engine.send(convo.id, { text: 'kept' })
    const failures: string[] = []
    engine.on('message-failed', ({ failure }) => failures.push(failure.code))
    storage.failNext({ code: 'quota-exceeded', operation: 'commit' })
    const error = await engine.send(convo.id, { text: 'too much' }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(isStorageError(error) && error.code).toBe('quota-exceeded')
    expect(failures).toEqual(['quota-exceeded'])
    const page = await engine.page(convo.id, { limit: 10 })
    const failed = page.messages.find((m) => m.text === 'too much')
    expect(failed?.status).toBe('failed')
    expect(failed?.failure?.code).toBe('quota-exceeded')
    expect(engine.syncStatus().failed).toBe(1)

    // Storage still has the earlier message; a retry saves the failed one.
    const reopened = await openEngine(createMemoryStorage({ data }), 'alice')
    const before = await reopened.page(convo.id, { limit: 10 })
    expect(before.messages.map((m) => m.id)).toEqual([kept.id])
    await reopened.close()

    await engine.retry(convo.id, failed!.id)
    const after = await engine.page(convo.id, { limit: 10 })
    expect(after.messages.find((m) => m.id === failed!.id)?.status).toBe('sending')
    expect(engine.syncStatus().failed).toBe(0)
    await engine.close()
    const third = await openEngine(createMemoryStorage({ data }))
    expect((await third.page(convo.id, { limit: 10 })).messages.map((m) => m.text)).toEqual([
      'kept',
      'too much',
    ])
    await third.close()
  })

  it('makes a retried send with the same id idempotent', async () => {
    const engine = await openEngine(createMemoryStorage())
    const convo = await engine.createConversation({})
    const a = await engine.send(convo.id, { text: 'once', id: 'fixed-id-1' as never })
    const b = await engine.send(convo.id, { text: 'once', id: 'fixed-id-1' as never })
    expect(b.id).toBe(a.id)
    expect((await engine.page(convo.id, { limit: 10 })).messages).toHaveLength(1)
    await engine.close()
  })

  it('compacts the log into a snapshot past the bound and keeps every message', async () => {
    const data = createMemoryStorageData()
    const storage = createMemoryStorage({ data })
    const engine = await Engine.open({ storage, user: 'alice', compactAfter: 50 })
    const convo = await engine.createConversation({})
    for (let i = 0; i < 120; i++) await engine.send(convo.id, { text: `c${i}` })
    await engine.flush()
    await new Promise((resolve) => setTimeout(resolve, 0))
    const stored = await storage.loadDoc(convo.id)
    expect(stored.snapshots).toHaveLength(1)
    expect(stored.log.length).toBeLessThan(50)
    await engine.close()
    const reopened = await openEngine(createMemoryStorage({ data }))
    expect((await reopened.page(convo.id, { limit: 500 })).messages).toHaveLength(120)
    await reopened.close()
  })

  it('evicts idle conversations beyond the hot-set bound but never a retained one', async () => {
    const engine = await Engine.open({
      storage: createMemoryStorage(),
      user: 'u',
      maxOpenConversations: 2,
    })
    const a = await engine.createConversation({ title: 'a' })
    const release = await engine.retain(a.id)
    const b = await engine.createConversation({ title: 'b' })
    const c = await engine.createConversation({ title: 'c' })
    await engine.flush()
    await engine.conversationState(c.id)
    expect(engine.openConversations()).toContain(a.id)
    expect(engine.openConversations().length).toBeLessThanOrEqual(3)
    release()
    await engine.conversationState(b.id)
    expect(engine.openConversations().length).toBeLessThanOrEqual(2)
    await engine.close()
  })

  it('converges two engines over a transport, with presence and typing', async () => {
    const hub = createMemoryTransportHub({ seed: 7 })
    const alice = await openEngine(createMemoryStorage(), 'alice', [hub.createTransport('a')])
    const bob = await openEngine(createMemoryStorage(), 'bob', [hub.createTransport('b')])
    const convo = await alice.createConversation({ title: 'shared' })
    await alice.send(convo.id, { text: 'from alice' })
    await bob.retain(convo.id)
    await hub.flush()
    await bob.send(convo.id, { text: 'from bob' })
    await alice.setTyping(convo.id, true)
    await hub.flush()
    const a = await alice.page(convo.id, { limit: 10 })
    const b = await bob.page(convo.id, { limit: 10 })
    expect(b.messages.map((m) => m.text)).toEqual(['from alice', 'from bob'])
    expect(a.messages.map((m) => m.id)).toEqual(b.messages.map((m) => m.id))
    const bobState = await bob.conversationState(convo.id)
    expect(bobState.meta.title).toBe('shared')
    expect(bobState.presence).toEqual([
      expect.objectContaining({ user: 'alice', typing: true, status: 'online' }),
    ])
    await alice.close()
    await bob.close()
    hub.close()
  })

  it('rejects intents after close with a typed error', async () => {
    const engine = await openEngine(createMemoryStorage())
    await engine.close()
    await engine.close()
    await expect(engine.createConversation({})).rejects.toMatchObject({ code: 'closed' })
  })
})
