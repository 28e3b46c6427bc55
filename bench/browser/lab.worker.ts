// The bench's lab: a dedicated worker that builds the data set through the real Engine, and runs
// the y-indexeddb baseline (IndexeddbPersistence, as an app using it would) on the same document.
import * as Y from 'yjs'
import { IndexeddbPersistence } from 'y-indexeddb'
import {
  ConversationDoc,
  Engine,
  STORAGE_ORIGIN,
  asConversationId,
  type MessageRecord,
} from '@parley/core'
import { createDexieStorage } from '@parley/storage-indexeddb'
import {
  BENCH,
  type BuildResult,
  type LabReply,
  type LabRequest,
  type StoreHydrateResult,
  type YHydrateResult,
  type YLastPageResult,
} from './bench-api.js'

/** 80 characters, as in bench/core.bench.ts, but each message's own (numbered) string. */
const BASE_TEXT =
  'The quick brown fox jumps over the lazy dog while the chat keeps scrolling ever on.'
let sentCount = 0
const text = (): string => `${++sentCount} ${BASE_TEXT}`.slice(0, 80)

const post = (reply: LabReply): void => postMessage(reply)
const progress = (message: string): void => post({ type: 'progress', message })

/** Resolves once every transaction issued before on `db`'s `updates` store has committed. */
function settled(db: IDBDatabase): Promise<void> {
  return new Promise((resolve, reject) => {
    // IndexedDB runs transactions with overlapping scopes in order, so this readonly one
    // completes only after every earlier readwrite one did.
    const tx = db.transaction(['updates'], 'readonly')
    tx.oncomplete = () => resolve()
    tx.onerror = () => reject(tx.error ?? new Error('transaction failed'))
  })
}

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name)
    request.onsuccess = () => resolve()
    request.onerror = () => reject(request.error ?? new Error(`deleting ${name} failed`))
  })
}

async function build(request: Extract<LabRequest, { type: 'build' }>): Promise<BuildResult> {
  const t0 = performance.now()
  const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`
  await deleteDatabase(BENCH.dbName)
  await deleteDatabase(BENCH.yName)
  await deleteDatabase(BENCH.ySendName)
  const storage = createDexieStorage({ name: BENCH.dbName })
  const { deviceId } = await storage.getOrCreateDevice()
  let engine = await Engine.open({ storage, user: BENCH.user })
  const sendAll = async (id: string, n: number): Promise<void> => {
    const sends: Promise<unknown>[] = []
    for (let j = 0; j < n; j++) sends.push(engine.send(id, { text: text() }))
    // The engine commits every send of this task in one transaction.
    await Promise.all(sends)
  }
  const big = await engine.createConversation({ title: '100k messages' })
  await engine.close()

  // Bulk of the 100k conversation: the same ConversationDoc the engine hydrates, written by this
  // device, folded into one snapshot exactly as the engine's compaction writes it
  // (`doc.encodeStateAsUpdate()`, log trimmed). Sending them through the Engine works too, but
  // takes minutes (see docs/BENCHMARKS.md).
  const bulk = request.big - request.viaEngine
  const stored = await storage.loadDoc(big.id)
  const doc = new ConversationDoc({ id: big.id, user: BENCH.user, device: deviceId })
  for (const s of stored.snapshots) doc.applyUpdate(s.update, STORAGE_ORIGIN)
  for (const row of stored.log) doc.applyUpdate(row.update, STORAGE_ORIGIN)
  for (let j = 0; j < bulk; j++) doc.send({ text: text() })
  const upTo = stored.log.at(-1)?.key ?? null
  await storage.compact(big.id, { snapshot: doc.encodeStateAsUpdate(), upTo })
  doc.close()
  progress(`big: ${bulk} messages written as a snapshot (${elapsed()})`)

  // The newest messages go through the Engine, so the tail and index entry are the engine's.
  engine = await Engine.open({ storage, user: BENCH.user })
  await sendAll(big.id, request.viaEngine)
  // The user has read their conversation (the tail's unread count is 0).
  await engine.markRead(big.id)
  progress(`big: last ${request.viaEngine} sent through the engine (${elapsed()})`)
  const small = await engine.createConversation({ title: '100 messages' })
  await sendAll(small.id, request.small)
  await engine.markRead(small.id)
  const evict: string[] = []
  for (let e = 0; e < request.evict; e++) {
    const conversation = await engine.createConversation({ title: `evictor ${e}` })
    await sendAll(conversation.id, 1)
    evict.push(conversation.id)
  }
  await engine.flush()
  // No server in this bench, so sent messages stay in the outbox; a synced app's outbox is
  // empty, and the engine reads the outbox on open and on hydration.
  const outbox = await storage.listOutbox()
  await storage.removeOutbox(outbox.map((entry) => entry.id))
  await engine.close()

  const final = await storage.loadDoc(big.id)
  const snapshotBytes = final.snapshots.reduce((sum, s) => sum + s.update.length, 0)
  await storage.close()

  // The y-indexeddb baseline: the same document, as y-indexeddb keeps it after a trim (one
  // full-state record; IndexeddbPersistence writes it when opened on a doc that holds it).
  const ydoc = new Y.Doc()
  Y.transact(ydoc, () => {
    for (const s of final.snapshots) Y.applyUpdate(ydoc, s.update)
    for (const row of final.log) Y.applyUpdate(ydoc, row.update)
  })
  const persistence = new IndexeddbPersistence(BENCH.yName, ydoc)
  await persistence.whenSynced
  if (persistence.db) await settled(persistence.db)
  await persistence.destroy()
  ydoc.destroy()
  progress(`built in ${elapsed()}`)
  return {
    big: big.id,
    small: small.id,
    evict,
    bigCount: request.big,
    smallCount: request.small,
    buildMs: performance.now() - t0,
    snapshotBytes,
    logRows: final.log.length,
  }
}

/** Docs the lab keeps loaded for a heap measurement. */
let kept: Y.Doc | undefined

async function yHydrate(name: string, keep: boolean): Promise<YHydrateResult> {
  const t0 = performance.now()
  const doc = new Y.Doc()
  const persistence = new IndexeddbPersistence(name, doc)
  await persistence.whenSynced
  const ms = performance.now() - t0
  const stateBytes = Y.encodeStateAsUpdate(doc).length
  await persistence.destroy()
  if (keep) kept = doc
  else doc.destroy()
  return { ms, stateBytes }
}

/**
 * What a y-indexeddb app needs for a first paint: the whole doc (whenSynced), then the newest
 * messages (the last chunk or two, sorted by stamp).
 */
async function yLastPage(name: string): Promise<YLastPageResult> {
  const t0 = performance.now()
  const doc = new Y.Doc()
  const persistence = new IndexeddbPersistence(name, doc)
  await persistence.whenSynced
  const chunks = doc.getArray<Y.Array<MessageRecord>>('chunks')
  const records: MessageRecord[] = []
  for (let c = chunks.length - 1; c >= 0 && records.length < 50; c--) {
    const chunk = chunks.get(c)
    if (chunk instanceof Y.Array) records.push(...chunk.toArray())
  }
  records.sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0))
  const page = records.slice(-50)
  const ms = performance.now() - t0
  await persistence.destroy()
  doc.destroy()
  return { ms, count: page.length }
}

/** Parley's own hydration, split: the Dexie read, then the model (validation, sorted view). */
async function storeHydrate(id: string): Promise<StoreHydrateResult> {
  const conversationId = asConversationId(id)
  const storage = createDexieStorage({ name: BENCH.dbName })
  try {
    // The connection is opened before timing, as the running engine's is.
    await storage.getTail(conversationId)
    const t0 = performance.now()
    const stored = await storage.loadDoc(conversationId)
    const t1 = performance.now()
    const doc = new ConversationDoc({ id: conversationId, user: BENCH.user, device: 'lab' })
    for (const s of stored.snapshots) doc.applyUpdate(s.update, STORAGE_ORIGIN)
    for (const row of stored.log) doc.applyUpdate(row.update, STORAGE_ORIGIN)
    doc.lastPage(50)
    const t2 = performance.now()
    const size = doc.size
    doc.close()
    return { loadMs: t1 - t0, applyMs: t2 - t1, size }
  } finally {
    await storage.close()
  }
}

/**
 * The send baseline: Parley's model on y-indexeddb persistence, which writes each update in its
 * own IndexedDB transaction and never reports completion; durability is observed by a readonly
 * transaction queued behind the write.
 */
async function ySend(name: string, samples: number): Promise<number[]> {
  await deleteDatabase(name)
  const doc = new ConversationDoc({ id: crypto.randomUUID(), user: BENCH.user, device: 'lab' })
  doc.initialize({ kind: 'group', title: 'y send' })
  const persistence = new IndexeddbPersistence(name, doc.ydoc)
  await persistence.whenSynced
  const db = persistence.db as IDBDatabase
  const times: number[] = []
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now()
    doc.send({ text: text() })
    await settled(db)
    times.push(performance.now() - t0)
  }
  await persistence.destroy()
  doc.close()
  return times
}

async function yBurst(name: string, count: number): Promise<number> {
  await deleteDatabase(name)
  const doc = new ConversationDoc({ id: crypto.randomUUID(), user: BENCH.user, device: 'lab' })
  doc.initialize({ kind: 'group', title: 'y burst' })
  const persistence = new IndexeddbPersistence(name, doc.ydoc)
  await persistence.whenSynced
  const db = persistence.db as IDBDatabase
  const t0 = performance.now()
  for (let i = 0; i < count; i++) doc.send({ text: text() })
  await settled(db)
  const ms = performance.now() - t0
  await persistence.destroy()
  doc.close()
  return ms
}

async function run(request: LabRequest): Promise<unknown> {
  switch (request.type) {
    case 'build':
      return build(request)
    case 'y-hydrate':
      return yHydrate(request.name, request.keep)
    case 'y-release':
      kept?.destroy()
      kept = undefined
      return null
    case 'y-last-page':
      return yLastPage(request.name)
    case 'store-hydrate':
      return storeHydrate(request.conversationId)
    case 'y-send':
      return ySend(request.name, request.samples)
    case 'y-burst':
      return yBurst(request.name, request.count)
  }
}

onmessage = (event: MessageEvent<{ id: number; request: LabRequest }>) => {
  const { id, request } = event.data
  run(request).then(
    (value) => post({ type: 'result', id, value }),
    (error: unknown) =>
      post({
        type: 'error',
        id,
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
  )
}
