// The write path on its own: group commit, one log row and one outbox entry per conversation per
// commit, derived records, the cursor written with its updates, failures kept for retry, and
// compaction. Memory storage settles on microtasks; commits run in the next task, which awaiting
// the returned promise covers (no timers).
import { describe, expect, it, vi } from 'vitest'
import { createMemoryStorage, type MemoryStorage } from '@parley/testing'
import { HybridLogicalClock } from '../hlc.js'
import { asConversationId, asDeviceId, asUserId, type MessageId } from '../ids.js'
import { ConversationSession } from './conversation-session.js'
import { LocalStore, type LocalStoreEvents } from './local-store.js'
import { Outbox } from './outbox.js'
import { outboxMessageIds } from './outbox-entry.js'
import { readTailRecord } from './tail-record.js'

const user = asUserId('alice')
const device = asDeviceId('device-a')
const c1 = asConversationId('c1')
const c2 = asConversationId('c2')

async function setup(options: { compactAfter?: number } = {}) {
  const storage = createMemoryStorage()
  const outbox = new Outbox(storage, await storage.listOutbox())
  const store = new LocalStore({
    storage,
    outbox,
    tailSize: 10,
    compactAfter: options.compactAfter ?? 500,
    wallClock: () => 1000,
  })
  const clock = new HybridLogicalClock({ device, wallClock: () => 1000 })
  const sessions: ConversationSession[] = []
  /** A hot session attached to the store, whose local updates go to `store.write`. */
  const open = async (id = c1): Promise<ConversationSession> => {
    const loaded = await store.load(id)
    const session = new ConversationSession({
      id,
      user,
      device,
      clock,
      wallClock: () => 1000,
      onError: (error) => {
        throw error
      },
    })
    store.attach(session, loaded)
    session.doc.on('update', ({ update, messageIds }) => {
      void store.write(id, update, messageIds)
    })
    sessions.push(session)
    return session
  }
  const events: { [E in keyof LocalStoreEvents]: LocalStoreEvents[E][] } = {
    committed: [],
    'write-failed': [],
    error: [],
  }
  store.on('committed', (e) => events.committed.push(e))
  store.on('write-failed', (e) => events['write-failed'].push(e))
  store.on('error', (e) => events.error.push(e))
  return { storage, outbox, store, open, events, close: () => sessions.forEach((s) => s.close()) }
}

function commits(storage: MemoryStorage) {
  return vi.spyOn(storage, 'commit')
}

describe('LocalStore', () => {
  it('commits the changes of one task in one transaction: one log row and one outbox entry per conversation', async () => {
    const { storage, outbox, store, open, events, close } = await setup()
    const a = await open(c1)
    const b = await open(c2)
    const spy = commits(storage)
    const ids: MessageId[] = []
    for (let i = 0; i < 20; i++) ids.push(a.doc.send({ text: `a${i}` }).id)
    b.doc.send({ text: 'b' })
    expect(store.waiting).toBe(21)
    const settled = store.settled(c1)
    expect(settled).toBeDefined()
    await settled
    expect(spy).toHaveBeenCalledTimes(1)
    const [writes] = spy.mock.calls[0]!
    expect(writes.map((w) => [w.conversationId, w.updates?.length, w.outbox?.length])).toEqual([
      [c1, 1, 1],
      [c2, 1, 1],
    ])
    expect(store.waiting).toBe(0)
    expect(outbox.pending).toBe(2)
    const stored = await storage.listOutbox({ conversationId: c1 })
    expect(outboxMessageIds(stored[0]!.meta)).toEqual(ids)
    expect(events.committed).toEqual([{ conversationIds: [c1, c2], outboxEntries: 2 }])
    // The tail and the index entry are written with the commit.
    const tail = readTailRecord(await storage.getTail(c1))
    expect(tail?.messages.map((m) => m.text).at(-1)).toBe('a19')
    const index = await storage.listIndex()
    expect(index.find((e) => e.id === c1)?.lastMessagePreview).toBe('a19')
    close()
  })

  it('writes the next commit as a diff of what storage holds, and reloads to the same document', async () => {
    const { storage, store, open, close } = await setup()
    const a = await open()
    a.doc.send({ text: 'one' })
    await store.settled(c1)
    a.doc.send({ text: 'two' })
    await store.settled(c1)
    const { log } = await storage.loadDoc(c1)
    expect(log).toHaveLength(2)
    store.detach(c1)
    const again = await open()
    expect(again.doc.lastPage(10).messages.map((m) => m.text)).toEqual(['one', 'two'])
    close()
  })

  it('stores remote updates with their cursor in one commit, and never puts them in the outbox', async () => {
    const { storage, outbox, store, open, close } = await setup()
    const a = await open()
    const other = new ConversationSession({
      id: c1,
      user: asUserId('bob'),
      device: asDeviceId('device-b'),
      clock: new HybridLogicalClock({ device: asDeviceId('device-b') }),
      wallClock: () => 1000,
      onError: () => undefined,
    })
    other.doc.send({ text: 'from bob' })
    const update = other.doc.encodeStateAsUpdate()
    expect(a.doc.applyUpdate(update, { source: 'remote', peer: 'server' }).ok).toBe(true)
    const spy = commits(storage)
    await store.writeRemote(c1, [update], { seq: 7, known: true })
    expect(spy).toHaveBeenCalledTimes(1)
    expect(await storage.getCursor(c1)).toEqual({ seq: 7, known: true })
    expect(await storage.listOutbox()).toEqual([])
    expect(outbox.pending).toBe(0)
    other.close()
    close()
  })

  it('keeps a failed commit’s changes as unsaved, reports them, and saves them on retry', async () => {
    const { storage, outbox, store, open, events, close } = await setup()
    const a = await open()
    storage.failNext({ code: 'quota-exceeded', operation: 'commit' })
    const sent = a.doc.send({ text: 'lost?' })
    await expect(store.settled(c1)).rejects.toMatchObject({ code: 'quota-exceeded' })
    expect(events['write-failed']).toEqual([
      { conversationId: c1, messageIds: [sent.id], error: expect.objectContaining({}) },
    ])
    expect(store.busy(c1)).toBe(true)
    expect(outbox.pending).toBe(0)
    const retried = store.retry(c1, sent.id)
    expect(retried?.messageIds).toEqual([sent.id])
    await retried?.committed
    expect(store.busy(c1)).toBe(false)
    expect(store.retry(c1)).toBeUndefined()
    expect(outbox.pending).toBe(1)
    store.detach(c1)
    const again = await open()
    expect(again.doc.message(sent.id)?.text).toBe('lost?')
    close()
  })

  it('compacts the log into the snapshot once it is due', async () => {
    const { storage, store, open, events, close } = await setup({ compactAfter: 3 })
    const a = await open()
    for (let i = 0; i < 3; i++) {
      a.doc.send({ text: `m${i}` })
      await store.settled(c1)
    }
    await store.drain()
    // The compaction runs after the third commit; memory storage settles it on microtasks.
    await storage.listIndex()
    const stored = await storage.loadDoc(c1)
    expect(stored.snapshots).toHaveLength(1)
    expect(stored.log).toHaveLength(0)
    expect(events.error).toEqual([])
    close()
  })

  it('resolves settled() with nothing queued, and drain() when everything is committed', async () => {
    const { store, open, close } = await setup()
    expect(store.settled(c1)).toBeUndefined()
    await store.drain()
    const a = await open()
    a.doc.markRead()
    const drained = store.drain()
    expect(store.waiting).toBe(0)
    await drained
    close()
  })
})
