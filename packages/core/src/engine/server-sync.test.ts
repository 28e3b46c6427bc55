// ServerSync on its own, over the in-memory server and in-memory ports: pushes, acknowledgements,
// refusals, backoff, offline creation and catch-up. Everything settles on microtasks: each test
// awaits the promise of `drain()` or `catchUp()`; a retry is scheduled a minute out and only
// observed through the outbox port (close() cancels it).
import { describe, expect, it } from 'vitest'
import { createMemoryRemoteLogServer, type MemoryRemoteLogServer } from '@parley/testing'
import { ConversationDoc } from '../conversation-doc.js'
import { asConversationId, asDeviceId, type ConversationId } from '../ids.js'
import type { ConversationMeta } from '../message-view.js'
import { createRetryPolicy } from '../ports/retry-policy.js'
import type { OutboxEntry } from '../ports/storage-records.js'
import type { OutboxPort } from './outbox-port.js'
import { ServerSync, type PushSigner } from './server-sync.js'
import type { ServerSyncEvents } from './server-sync-events.js'
import type { SyncCursor } from './sync-cursor.js'
import type { SyncDocuments } from './sync-documents.js'

const convo = asConversationId('c1')
/** Outbox entry ids are client update ids: UUIDs. */
const uuid = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`

/** An outbox in memory; what the port was asked is recorded on the entries themselves. */
function memoryOutbox(): OutboxPort & { entries: OutboxEntry[] } {
  const entries: OutboxEntry[] = []
  return {
    entries,
    list: ({ limit }) => Promise.resolve(entries.slice(0, limit)),
    acknowledge(done) {
      for (const e of done) entries.splice(entries.indexOf(e), 1)
      return Promise.resolve()
    },
    reject(refused, failure) {
      for (const e of refused) Object.assign(e, { status: 'failed', error: failure })
      return Promise.resolve()
    },
    postpone(later, next) {
      for (const e of later) Object.assign(e, next)
      return Promise.resolve()
    },
  }
}

/** Documents in memory: one ConversationDoc per conversation, cursors in a map. */
function memoryDocuments(user: string, device: string) {
  const docs = new Map<ConversationId, ConversationDoc>()
  const cursors = new Map<ConversationId, SyncCursor>()
  const doc = (id: ConversationId): ConversationDoc => {
    let d = docs.get(id)
    if (!d) docs.set(id, (d = new ConversationDoc({ id, user, device })))
    return d
  }
  const documents: SyncDocuments = {
    open: (id) => Promise.resolve(doc(id)),
    meta: (id): Promise<ConversationMeta> => Promise.resolve(doc(id).meta()),
    encodeState: (id) => Promise.resolve(doc(id).encodeStateAsUpdate()),
    applyRemote(id, rows, cursor) {
      for (const r of rows) doc(id).applyUpdate(r.update, { source: 'remote', peer: 'server' })
      cursors.set(id, cursor)
      return Promise.resolve(cursor)
    },
    applySnapshot(id, state, cursor) {
      doc(id).applyUpdate(state, { source: 'remote', peer: 'server' })
      cursors.set(id, cursor)
      return Promise.resolve()
    },
    saveCursor(id, cursor) {
      cursors.set(id, cursor)
      return Promise.resolve()
    },
    loadCursor: (id) => Promise.resolve(cursors.get(id)),
  }
  return { documents, doc, cursors }
}

/**
 * A device's signer for ServerSync: registers one client id, signs with zeros (the server
 * stores signatures; replicas verify them, which is not ServerSync's part).
 */
function testSigner(name: string, clientId: number): PushSigner {
  let unregistered: number[] = [clientId]
  return {
    device: asDeviceId(`00000000-0000-4000-8000-${name.padStart(12, '0')}`),
    publicKey: new Uint8Array(32).fill(7),
    get unregistered() {
      return unregistered
    },
    registered() {
      unregistered = []
      return Promise.resolve()
    },
    sign: () => Promise.resolve(new Uint8Array(64)),
  }
}

function device(server: MemoryRemoteLogServer, user = 'alice', deviceId = 'd1') {
  const outbox = memoryOutbox()
  const { documents, doc, cursors } = memoryDocuments(user, deviceId)
  const events: {
    acknowledged?: ServerSyncEvents['acknowledged'][]
    rejected?: ServerSyncEvents['rejected'][]
    created?: ServerSyncEvents['created'][]
    error?: ServerSyncEvents['error'][]
  } = {}
  const sync = new ServerSync(
    {
      remote: server.connect(user),
      outbox,
      documents,
      signer: testSigner(deviceId, doc(convo).ydoc.clientID),
      wallClock: () => 1000,
    },
    // A minute, always: a retry is observed on the outbox, never waited for.
    { retry: createRetryPolicy({ baseDelayMs: 60_000, maxDelayMs: 60_000, random: () => 1 }) },
  )
  sync.on('acknowledged', (e) => (events.acknowledged ??= []).push(e))
  sync.on('rejected', (e) => (events.rejected ??= []).push(e))
  sync.on('created', (e) => (events.created ??= []).push(e))
  sync.on('error', (e) => (events.error ??= []).push(e))
  /** A local change of `doc(id)` put in the outbox, as the write path does. */
  let n = 0
  const write = (text: string, id = convo): void => {
    const before = doc(id).encodeStateVector()
    doc(id).send({ text })
    outbox.entries.push({
      id: uuid(++n),
      seq: n,
      conversationId: id,
      update: doc(id).encodeStateAsUpdate(before),
      createdAt: 1000,
      attempts: 0,
      status: 'pending',
    })
  }
  return { sync, outbox, doc, cursors, events, write }
}

/** A device that has pushed one entry, then writes a second whose push meets `code`. */
async function secondPushFails(code: 'forbidden' | 'network') {
  const server = createMemoryRemoteLogServer()
  const a = device(server)
  a.write('first')
  await a.sync.drain()
  server.failNext({ operation: 'push', code })
  a.write('second')
  await a.sync.drain()
  return a
}

describe('ServerSync', () => {
  it('creates an unknown conversation first, pushes the outbox oldest first, and acknowledges it', async () => {
    const server = createMemoryRemoteLogServer()
    const a = device(server)
    a.doc(convo).initialize({ kind: 'group', title: 'made here' })
    a.write('one')
    a.write('two')
    await a.sync.drain()
    expect(a.events.error).toBeUndefined()
    expect(server.inspect(convo)?.title).toBe('made here')
    expect(a.events.created).toEqual([{ conversationId: convo }])
    expect(a.outbox.entries).toEqual([])
    expect(a.events.acknowledged?.flatMap((e) => e.entries.map((x) => x.id))).toEqual([
      uuid(1),
      uuid(2),
    ])
    // Nobody else pushed: the cursor moves past our own updates without a pull.
    expect(a.cursors.get(convo)).toEqual({ seq: 2, known: true })
    a.sync.close()
  })

  it('marks refused entries failed with the server’s code and keeps them', async () => {
    const a = await secondPushFails('forbidden')
    expect(a.outbox.entries).toMatchObject([
      { id: uuid(2), status: 'failed', error: { code: 'forbidden' } },
    ])
    expect(a.events.rejected?.map((e) => e.failure.code)).toEqual(['forbidden'])
    a.sync.close()
  })

  it('postpones entries on a retryable failure and keeps them', async () => {
    const a = await secondPushFails('network')
    expect(a.outbox.entries).toMatchObject([{ id: uuid(2), attempts: 1, nextAttemptAt: 61_000 }])
    expect(a.events.error).toHaveLength(1)
    a.sync.close()
  })

  it('catches a new device up from the log, storing the cursor with each page, and resumes from it', async () => {
    const server = createMemoryRemoteLogServer()
    const a = device(server)
    a.write('one')
    a.write('two')
    await a.sync.drain()
    const b = device(server, 'alice', 'd2')
    await b.sync.catchUp(convo)
    expect(
      b
        .doc(convo)
        .lastPage(10)
        .messages.map((m) => m.text),
    ).toEqual(['one', 'two'])
    expect(b.cursors.get(convo)).toEqual({ seq: 2, known: true })
    a.write('three')
    await a.sync.drain()
    const pulls = server.calls.pull ?? 0
    await b.sync.catchUp(convo)
    expect(
      b
        .doc(convo)
        .lastPage(10)
        .messages.map((m) => m.text),
    ).toEqual(['one', 'two', 'three'])
    expect((server.calls.pull ?? 0) - pulls).toBe(1)
    a.sync.close()
    b.sync.close()
  })

  it('does nothing while the network is down, and reports status changes', async () => {
    const server = createMemoryRemoteLogServer()
    const a = device(server)
    const statuses: ServerSyncEvents['status-changed'][] = []
    a.sync.on('status-changed', (s) => statuses.push(s))
    a.sync.setNetwork(false)
    expect(a.sync.online).toBe(false)
    a.write('offline')
    await a.sync.drain()
    expect(a.outbox.entries).toHaveLength(1)
    a.sync.setNetwork(true)
    await a.sync.drain()
    expect(a.outbox.entries).toHaveLength(0)
    expect(statuses[0]).toEqual({ online: false, busy: false })
    a.sync.close()
  })
})
