// The acceptance suite every StorageAdapter runs, in every environment it ships to (Node on
// fake-indexeddb, real Chromium). It checks the guarantees written at the top of
// packages/core/src/ports/storage-adapter.ts. Records are written the way the engine writes them,
// through `commit`, and read back through `loadDoc`, `getTail`, `listIndex`, `listOutbox` and
// `getCursor`.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { asConversationId, isStorageError } from '@parley/core/ports'
import type {
  ConversationId,
  ConversationIndexEntry,
  LogKey,
  NewOutboxEntry,
  StorageAdapter,
  StorageErrorCode,
} from '@parley/core/ports'

/** One database under test; `open` may be called again after `close()` to reopen it. */
export interface StorageAdapterContractContext {
  /** Opens (or reopens) an adapter on this test's database. */
  open(): Promise<StorageAdapter>
  /** Deletes the database; called after the test closed every adapter it opened. */
  teardown?(): Promise<void>
}

/** Options of {@link runStorageAdapterContract}. */
export interface StorageAdapterContractOptions {
  /**
   * Makes every later write of `adapter` fail like a full disk (e.g. by patching
   * `IDBObjectStore.prototype.put`/`add` to throw a `QuotaExceededError`); returns the function
   * that removes the fault. Without it the quota test is not registered.
   */
  injectQuotaExceeded?: (adapter: StorageAdapter) => () => void
}

const A = asConversationId('conversation-a')
const B = asConversationId('conversation-b')
const C1 = asConversationId('c1')
const C2 = asConversationId('c2')
const C3 = asConversationId('c3')
const UNKNOWN = asConversationId('never-written')

/** Appends `updates` to one segment's log through `commit`; resolves with the last key. */
async function append(
  storage: StorageAdapter,
  conversationId: ConversationId,
  updates: readonly Uint8Array[],
  segment?: number,
): Promise<LogKey | null> {
  const { lastKeys } = await storage.commit([{ conversationId, updates, segment }])
  return lastKeys[0] ?? null
}

/** Adds outbox entries through `commit`, one conversation write per entry. */
function addOutbox(storage: StorageAdapter, ...entries: NewOutboxEntry[]) {
  return storage.commit(
    entries.map((entry) => ({ conversationId: entry.conversationId, outbox: [entry] })),
  )
}

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values)
}

/** Plain arrays, so comparisons do not depend on the realm or subclass of the byte arrays. */
function plain(list: readonly Uint8Array[]): number[][] {
  return list.map((b) => Array.from(b))
}

function outboxEntry(
  id: string,
  conversationId: ConversationId,
  ...update: number[]
): NewOutboxEntry {
  return { id, conversationId, update: bytes(...update), createdAt: 1_000 }
}

function indexEntry(id: ConversationId, lastActivity: number): ConversationIndexEntry {
  return { id, title: `title ${id}`, lastMessagePreview: 'hi', lastActivity, unreadCount: 1 }
}

async function expectStorageError(promise: Promise<unknown>, code: StorageErrorCode) {
  const error: unknown = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  )
  expect(isStorageError(error), String(error)).toBe(true)
  expect((error as { code: unknown }).code).toBe(code)
}

/**
 * Registers the StorageAdapter contract tests under `describe(name)`. `createContext` is called
 * before each test and must return a fresh, empty database.
 */
export function runStorageAdapterContract(
  name: string,
  createContext: () => StorageAdapterContractContext | Promise<StorageAdapterContractContext>,
  options: StorageAdapterContractOptions = {},
): void {
  describe(`StorageAdapter contract: ${name}`, () => {
    let context: StorageAdapterContractContext
    let opened: StorageAdapter[] = []
    let storage: StorageAdapter

    async function reopen(): Promise<StorageAdapter> {
      await storage.close()
      storage = await context.open()
      opened.push(storage)
      return storage
    }

    beforeEach(async () => {
      context = await createContext()
      opened = []
      storage = await context.open()
      opened.push(storage)
    })

    afterEach(async () => {
      for (const adapter of opened) await adapter.close()
      await context.teardown?.()
    })

    describe('documents', () => {
      it('loads an unknown conversation as empty', async () => {
        expect(await storage.loadDoc(A)).toEqual({ snapshots: [], log: [] })
      })

      it('appends updates in order with increasing keys and returns the last key', async () => {
        const first = await append(storage, A, [bytes(1), bytes(2)])
        const second = await append(storage, A, [bytes(3)])
        expect(await append(storage, A, [])).toBeNull()
        const doc = await storage.loadDoc(A)
        expect(plain(doc.log.map((r) => r.update))).toEqual([[1], [2], [3]])
        const keys = doc.log.map((r) => r.key)
        expect(keys[0]! < keys[1]! && keys[1]! < keys[2]!).toBe(true)
        expect(first).toBe(keys[1])
        expect(second).toBe(keys[2])
        expect(doc.log.every((r) => r.segment === 0)).toBe(true)
        expect(await storage.loadDoc(B)).toEqual({ snapshots: [], log: [] })
      })

      it('keeps appended updates across close and reopen', async () => {
        await append(storage, A, [bytes(1, 2, 3)])
        const again = await reopen()
        expect(plain((await again.loadDoc(A)).log.map((r) => r.update))).toEqual([[1, 2, 3]])
      })

      it('does not add records when a conversation is only opened', async () => {
        await append(storage, A, [bytes(1), bytes(2)])
        await storage.loadDoc(A)
        const again = await reopen()
        await again.loadDoc(A)
        const doc = await (await reopen()).loadDoc(A)
        expect(doc.log).toHaveLength(2)
        expect(doc.snapshots).toHaveLength(0)
      })

      it('applies calls in call order (read-your-writes before the write resolves)', async () => {
        const write = append(storage, A, [bytes(7)])
        const read = storage.loadDoc(A)
        await write
        expect(plain((await read).log.map((r) => r.update))).toEqual([[7]])
      })

      it('copies values in and out', async () => {
        const update = bytes(1, 2)
        await append(storage, A, [update])
        update[0] = 99
        const loaded = await storage.loadDoc(A)
        loaded.log[0]!.update[1] = 99
        expect(plain((await storage.loadDoc(A)).log.map((r) => r.update))).toEqual([[1, 2]])
      })

      it('compacts atomically: new snapshot, log trimmed exactly up to the key', async () => {
        await append(storage, A, [bytes(1), bytes(2)])
        const upTo = await append(storage, A, [bytes(3)])
        await append(storage, A, [bytes(4)])
        await storage.compact(A, { snapshot: bytes(9, 9), upTo })
        const later = await append(storage, A, [bytes(5)])
        let doc = await storage.loadDoc(A)
        expect(doc.snapshots.map((s) => [s.segment, Array.from(s.update)])).toEqual([[0, [9, 9]]])
        expect(plain(doc.log.map((r) => r.update))).toEqual([[4], [5]])
        expect(doc.log[1]!.key).toBe(later)

        // A second compaction replaces the snapshot: never more than one per segment.
        await storage.compact(A, { snapshot: bytes(8), upTo: later })
        doc = await (await reopen()).loadDoc(A)
        expect(doc.snapshots.map((s) => Array.from(s.update))).toEqual([[8]])
        expect(doc.log).toEqual([])
      })

      it('compacts with upTo null without trimming the log', async () => {
        await append(storage, A, [bytes(1)])
        await storage.compact(A, { snapshot: bytes(2), upTo: null })
        const doc = await storage.loadDoc(A)
        expect(plain(doc.snapshots.map((s) => s.update))).toEqual([[2]])
        expect(plain(doc.log.map((r) => r.update))).toEqual([[1]])
      })

      it('keeps segments apart', async () => {
        const zero = await append(storage, A, [bytes(1)])
        const one = await append(storage, A, [bytes(2)], 1)
        await storage.compact(A, { segment: 1, snapshot: bytes(20), upTo: one })
        const doc = await storage.loadDoc(A)
        expect(doc.snapshots.map((s) => [s.segment, Array.from(s.update)])).toEqual([[1, [20]]])
        expect(doc.log.map((r) => [r.segment, r.key, Array.from(r.update)])).toEqual([
          [0, zero, [1]],
        ])
      })

      it('keeps the record count bounded under repeated compaction', async () => {
        let last: LogKey | null = null
        for (let round = 0; round < 5; round++) {
          for (let i = 0; i < 20; i++) last = await append(storage, A, [bytes(round, i)])
          await storage.compact(A, { snapshot: bytes(round), upTo: last })
        }
        const doc = await storage.loadDoc(A)
        expect(doc.snapshots).toHaveLength(1)
        expect(doc.log).toHaveLength(0)
      })
    })

    describe('commit', () => {
      it('writes updates, outbox, tail, index and cursor together', async () => {
        const result = await storage.commit([
          {
            conversationId: A,
            updates: [bytes(1), bytes(2)],
            outbox: [outboxEntry('o1', A, 1, 2)],
            tail: { messages: [{ id: 'm1', text: 'hello' }] },
            indexEntry: indexEntry(A, 10),
            cursor: { seq: 4 },
          },
          { conversationId: B, tail: { messages: [] } },
          { conversationId: A, updates: [bytes(3)], outbox: [outboxEntry('o2', A, 3)] },
        ])
        expect(result.lastKeys).toHaveLength(3)
        expect(result.lastKeys[1]).toBeNull()

        const again = await reopen()
        const doc = await again.loadDoc(A)
        expect(plain(doc.log.map((r) => r.update))).toEqual([[1], [2], [3]])
        expect(result.lastKeys[0]).toBe(doc.log[1]!.key)
        expect(result.lastKeys[2]).toBe(doc.log[2]!.key)
        expect((await again.listOutbox()).map((e) => e.id)).toEqual(['o1', 'o2'])
        expect(await again.getTail(A)).toEqual({ messages: [{ id: 'm1', text: 'hello' }] })
        expect(await again.getTail(B)).toEqual({ messages: [] })
        expect(await again.listIndex()).toEqual([indexEntry(A, 10)])
        expect(await again.getCursor(A)).toEqual({ seq: 4 })
      })

      it('resolves an empty batch', async () => {
        expect(await storage.commit([])).toEqual({ lastKeys: [] })
      })

      it('rejects a duplicate outbox id with a StorageError', async () => {
        await addOutbox(storage, outboxEntry('dup', A, 1))
        await expectStorageError(
          storage.commit([{ conversationId: A, outbox: [outboxEntry('dup', A, 2)] }]),
          'unknown',
        )
        expect((await storage.listOutbox()).map((e) => Array.from(e.update))).toEqual([[1]])
      })

      it('writes nothing of a conversation write that fails', async () => {
        await addOutbox(storage, outboxEntry('dup', B, 1))
        await storage.commit([{ conversationId: A, tail: 'old tail' }])
        await expectStorageError(
          storage.commit([
            {
              conversationId: A,
              updates: [bytes(5)],
              tail: 'new tail',
              cursor: 1,
              outbox: [outboxEntry('dup', A, 2)],
            },
          ]),
          'unknown',
        )
        expect(await storage.loadDoc(A)).toEqual({ snapshots: [], log: [] })
        expect(await storage.getTail(A)).toBe('old tail')
        expect(await storage.getCursor(A)).toBeUndefined()
        expect(await storage.listOutbox()).toHaveLength(1)
      })

      it('writes nothing of the batch when a later write has an invalid outbox entry', async () => {
        await addOutbox(storage, outboxEntry('dup', B, 1))
        await expectStorageError(
          storage.commit([
            { conversationId: A, updates: [bytes(5)], tail: 'first', cursor: 1 },
            { conversationId: B, outbox: [outboxEntry('dup', B, 2)] },
          ]),
          'unknown',
        )
        expect(await storage.loadDoc(A)).toEqual({ snapshots: [], log: [] })
        expect(await storage.getTail(A)).toBeUndefined()
        expect(await storage.getCursor(A)).toBeUndefined()
        expect(await storage.listOutbox()).toHaveLength(1)
      })

      it('rejects an index entry of another conversation without writing anything', async () => {
        await expectStorageError(
          storage.commit([{ conversationId: A, tail: 'tail', indexEntry: indexEntry(B, 1) }]),
          'unknown',
        )
        expect(await storage.getTail(A)).toBeUndefined()
        expect(await storage.listIndex()).toEqual([])
      })
    })

    describe('tail and index', () => {
      it('round-trips and replaces the tail', async () => {
        expect(await storage.getTail(A)).toBeUndefined()
        await storage.commit([{ conversationId: A, tail: { page: [1, 2, 3], at: 5 } }])
        await storage.commit([{ conversationId: A, tail: { page: [4], at: 6 } }])
        expect(await (await reopen()).getTail(A)).toEqual({ page: [4], at: 6 })
      })

      it('lists the index newest first, with a limit, and replaces entries', async () => {
        expect(await storage.listIndex()).toEqual([])
        await storage.commit([
          { conversationId: C1, indexEntry: indexEntry(C1, 10) },
          { conversationId: C2, indexEntry: indexEntry(C2, 30) },
        ])
        await storage.commit([{ conversationId: C3, indexEntry: indexEntry(C3, 20) }])
        const replaced = { ...indexEntry(C1, 40), unreadCount: 0, extra: { k: 1 } }
        await storage.commit([{ conversationId: C1, indexEntry: replaced }])
        const again = await reopen()
        expect(await again.listIndex()).toEqual([replaced, indexEntry(C2, 30), indexEntry(C3, 20)])
        expect((await again.listIndex({ limit: 2 })).map((e) => e.id)).toEqual([C1, C2])
      })

      it('orders index entries with the same activity by id', async () => {
        await storage.commit(
          [C3, C1, C2].map((id) => ({ conversationId: id, indexEntry: indexEntry(id, 5) })),
        )
        expect((await storage.listIndex()).map((e) => e.id)).toEqual([C1, C2, C3])
      })
    })

    describe('outbox', () => {
      it('keeps insertion order across calls and reopen, with defaults', async () => {
        await addOutbox(storage, outboxEntry('z', A, 1), outboxEntry('a', B, 2))
        const added = await storage.listOutbox()
        expect(added.map((e) => [e.id, e.attempts, e.status])).toEqual([
          ['z', 0, 'pending'],
          ['a', 0, 'pending'],
        ])
        expect(added[0]!.seq < added[1]!.seq).toBe(true)
        await storage.commit([{ conversationId: A, outbox: [outboxEntry('m', A, 3)] }])
        await addOutbox(storage, { ...outboxEntry('b', A, 4), attempts: 2, status: 'failed' })
        const again = await reopen()
        expect((await again.listOutbox()).map((e) => e.id)).toEqual(['z', 'a', 'm', 'b'])
        expect((await again.listOutbox({ conversationId: A })).map((e) => e.id)).toEqual([
          'z',
          'm',
          'b',
        ])
        expect((await again.listOutbox({ limit: 2 })).map((e) => e.id)).toEqual(['z', 'a'])
        const [first] = await again.listOutbox({ limit: 1 })
        expect(first).toMatchObject({ id: 'z', conversationId: A, createdAt: 1_000 })
        expect(Array.from(first!.update)).toEqual([1])
        // Delivery fields given with a new entry are kept.
        expect((await again.listOutbox({ conversationId: A }))[2]).toMatchObject({
          id: 'b',
          attempts: 2,
          status: 'failed',
        })
      })

      it('updates delivery fields and removes entries', async () => {
        await addOutbox(storage, outboxEntry('x', A, 1), outboxEntry('y', A, 2))
        expect(
          await storage.updateOutbox('x', {
            attempts: 3,
            status: 'failed',
            error: { code: 'rls', message: 'denied' },
            nextAttemptAt: 50,
            meta: { messageIds: ['m1'] },
          }),
        ).toBe(true)
        expect(await storage.updateOutbox('missing', { attempts: 1 })).toBe(false)
        let [x] = await storage.listOutbox({ limit: 1 })
        expect(x).toMatchObject({
          id: 'x',
          attempts: 3,
          status: 'failed',
          error: { code: 'rls', message: 'denied' },
          nextAttemptAt: 50,
          meta: { messageIds: ['m1'] },
        })
        await storage.updateOutbox('x', { status: 'pending', error: null, nextAttemptAt: null })
        ;[x] = await storage.listOutbox({ limit: 1 })
        expect(x?.error).toBeUndefined()
        expect(x?.nextAttemptAt).toBeUndefined()
        expect(x?.status).toBe('pending')
        expect(x?.attempts).toBe(3)
        await storage.removeOutbox(['x', 'unknown'])
        expect((await (await reopen()).listOutbox()).map((e) => e.id)).toEqual(['y'])
      })

      it('rejects a duplicate id, stored or in the same batch, without writing anything', async () => {
        await addOutbox(storage, outboxEntry('d', A, 1))
        await expectStorageError(
          addOutbox(storage, outboxEntry('e', A, 2), outboxEntry('d', A, 3)),
          'unknown',
        )
        await expectStorageError(
          storage.commit([
            { conversationId: A, outbox: [outboxEntry('f', A, 4), outboxEntry('f', A, 5)] },
          ]),
          'unknown',
        )
        expect((await storage.listOutbox()).map((e) => e.id)).toEqual(['d'])
      })
    })

    describe('cursors, device, kv', () => {
      it('round-trips cursors per conversation', async () => {
        await storage.commit([
          { conversationId: A, cursor: { seq: 1, snapshotSeq: 0 } },
          { conversationId: B, cursor: 'b' },
        ])
        await storage.commit([{ conversationId: A, cursor: { seq: 2, snapshotSeq: 0 } }])
        const again = await reopen()
        expect(await again.getCursor(A)).toEqual({ seq: 2, snapshotSeq: 0 })
        expect(await again.getCursor(B)).toBe('b')
        expect(await again.getCursor(UNKNOWN)).toBeUndefined()
      })

      it('creates the device identity once and keeps it across reopen', async () => {
        const [one, two] = await Promise.all([
          storage.getOrCreateDevice(),
          storage.getOrCreateDevice(),
        ])
        expect(one.deviceId).toMatch(/^[0-9a-f-]{36}$/)
        expect(typeof one.createdAt).toBe('number')
        expect(two).toEqual(one)
        expect(await (await reopen()).getOrCreateDevice()).toEqual(one)
      })

      it('stores, replaces and deletes kv values', async () => {
        expect(await storage.kvGet('k')).toBeUndefined()
        await storage.kvPut('k', { a: [1, 2] })
        await storage.kvPut('k', { a: [3] })
        await storage.kvPut('other', 1)
        await storage.kvPut('other', undefined)
        const again = await reopen()
        expect(await again.kvGet('k')).toEqual({ a: [3] })
        expect(await again.kvGet('other')).toBeUndefined()
      })
    })

    describe('deleteConversation', () => {
      it('removes everything of one conversation and nothing else', async () => {
        for (const id of [A, B]) {
          await storage.commit([
            {
              conversationId: id,
              updates: [bytes(1)],
              outbox: [outboxEntry(`o-${id}`, id, 1)],
              tail: 't',
              indexEntry: indexEntry(id, 1),
              cursor: 'c',
            },
          ])
        }
        const last = await append(storage, A, [bytes(2)], 1)
        await storage.compact(A, { segment: 1, snapshot: bytes(3), upTo: last })
        await storage.deleteConversation(A)
        const again = await reopen()
        expect(await again.loadDoc(A)).toEqual({ snapshots: [], log: [] })
        expect(await again.getTail(A)).toBeUndefined()
        expect((await again.listIndex()).map((e) => e.id)).toEqual([B])
        expect(await again.getCursor(A)).toBeUndefined()
        expect((await again.listOutbox()).map((e) => e.id)).toEqual([`o-${B}`])
        expect((await again.loadDoc(B)).log).toHaveLength(1)
        expect(await again.getTail(B)).toBe('t')
      })
    })

    describe('lifecycle and errors', () => {
      it('closes idempotently, emits closed once, and rejects later calls with closed', async () => {
        let closedEvents = 0
        storage.on('closed', () => {
          closedEvents += 1
        })
        const pending = append(storage, A, [bytes(1)])
        await Promise.all([storage.close(), storage.close()])
        await storage.close()
        expect(await pending).not.toBeNull()
        expect(storage.closed).toBe(true)
        expect(closedEvents).toBe(1)
        const calls: Promise<unknown>[] = [
          storage.loadDoc(A),
          storage.compact(A, { snapshot: bytes(1), upTo: null }),
          storage.commit([{ conversationId: A, tail: 1 }]),
          storage.getTail(A),
          storage.listIndex(),
          storage.listOutbox(),
          storage.updateOutbox('x', { attempts: 1 }),
          storage.removeOutbox(['x']),
          storage.getCursor(A),
          storage.getOrCreateDevice(),
          storage.kvGet('k'),
          storage.kvPut('k', 1),
          storage.deleteConversation(A),
        ]
        for (const call of calls) await expectStorageError(call, 'closed')
        // The write made before close() is durable.
        const fresh = await context.open()
        opened.push(fresh)
        expect((await fresh.loadDoc(A)).log).toHaveLength(1)
      })

      it('rejects values that cannot be stored with a StorageError', async () => {
        const unclonable = { f: () => 1 }
        const error: unknown = await storage.commit([{ conversationId: A, tail: unclonable }]).then(
          () => undefined,
          (e: unknown) => e,
        )
        expect(isStorageError(error)).toBe(true)
        expect(await storage.getTail(A)).toBeUndefined()
      })

      const inject = options.injectQuotaExceeded
      if (inject !== undefined) {
        it('turns a full disk into quota-exceeded and loses nothing stored before', async () => {
          await storage.commit([
            {
              conversationId: A,
              updates: [bytes(1)],
              outbox: [outboxEntry('before', A, 1)],
              tail: 'tail before',
              indexEntry: indexEntry(A, 1),
            },
          ])
          const restore = inject(storage)
          try {
            await expectStorageError(
              storage.commit([
                {
                  conversationId: A,
                  updates: [bytes(2)],
                  outbox: [outboxEntry('after', A, 2)],
                  tail: 'tail after',
                },
              ]),
              'quota-exceeded',
            )
            await expectStorageError(append(storage, A, [bytes(3)]), 'quota-exceeded')
            await expectStorageError(
              storage.compact(A, { snapshot: bytes(4), upTo: null }),
              'quota-exceeded',
            )
          } finally {
            restore()
          }
          expect(storage.closed).toBe(false)
          const doc = await storage.loadDoc(A)
          expect(plain(doc.log.map((r) => r.update))).toEqual([[1]])
          expect(doc.snapshots).toEqual([])
          expect((await storage.listOutbox()).map((e) => e.id)).toEqual(['before'])
          expect(await storage.getTail(A)).toBe('tail before')
          // The adapter keeps working once space is back.
          await append(storage, A, [bytes(5)])
          expect(plain((await (await reopen()).loadDoc(A)).log.map((r) => r.update))).toEqual([
            [1],
            [5],
          ])
        })
      }
    })
  })
}
