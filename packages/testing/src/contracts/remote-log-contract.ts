import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  isRemoteLogError,
  isRetryableRemoteLogError,
  newClientUpdateId,
  type ConversationId,
  type RemoteLog,
  type RemoteLogErrorCode,
  type RemoteLogEvents,
  type RemotePushEntry,
  type UserId,
} from '@parley/core/ports'

/** What a RemoteLog implementation gives {@link remoteLogContract}: one fresh server per test. */
export interface RemoteLogContractHarness {
  /**
   * A remote log signed in as the user called `user` on this harness's server: the same name
   * is the same user (a new device), another name another user.
   */
  connect(user: string): Promise<{ log: RemoteLog; userId: UserId }>
  /** The trusted compaction: prunes the log up to a stored snapshot's `uptoSeq`. */
  prune(conversationId: ConversationId, uptoSeq: number): Promise<void>
  /** Releases the server after each test (logs are closed before). */
  dispose?(): void | Promise<void>
}

/** Options of {@link remoteLogContract}. */
export interface RemoteLogContractOptions {
  /** How long to wait for an expected notice, in ms. Default 5,000. */
  timeoutMs?: number
}

const bytes = (...values: number[]) => new Uint8Array(values)
const newConversationId = () => globalThis.crypto.randomUUID() as ConversationId
const entry = (...values: number[]): RemotePushEntry => ({
  clientUpdateId: newClientUpdateId(),
  update: bytes(...values),
})

/** Resolves with the rejection of `promise`, failing if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the call to reject, but it resolved')
}

async function expectCode(promise: Promise<unknown>, code: RemoteLogErrorCode): Promise<void> {
  const error = await rejection(promise)
  expect(isRemoteLogError(error), String(error)).toBe(true)
  expect((error as { code: string }).code).toBe(code)
}

/**
 * The acceptance suite every {@link RemoteLog} passes, as Vitest blocks: conversations,
 * idempotent gapless push, paging, snapshots, membership and invites, pruning, typed errors,
 * inbox notices and close. Call it at the top level of a test file.
 */
export function remoteLogContract(
  name: string,
  makeHarness: () => RemoteLogContractHarness | Promise<RemoteLogContractHarness>,
  options: RemoteLogContractOptions = {},
): void {
  const timeoutMs = options.timeoutMs ?? 5_000
  const realSetTimeout = globalThis.setTimeout
  const realClearTimeout = globalThis.clearTimeout

  describe(`${name}: remote log contract`, () => {
    let harness: RemoteLogContractHarness
    let opened: RemoteLog[] = []

    beforeEach(async () => {
      harness = await makeHarness()
      opened = []
    })

    afterEach(async () => {
      for (const log of opened) log.close()
      await harness.dispose?.()
    })

    const connect = async (user: string) => {
      const result = await harness.connect(user)
      opened.push(result.log)
      return result
    }

    /** Collects one event of `log` and waits until `predicate` holds for one of them. */
    const collect = <E extends keyof RemoteLogEvents>(log: RemoteLog, event: E) => {
      const seen: RemoteLogEvents[E][] = []
      const waiters = new Set<() => void>()
      log.on(event, (payload) => {
        seen.push(payload)
        for (const waiter of [...waiters]) waiter()
      })
      return {
        seen,
        until(what: string, predicate: (payload: RemoteLogEvents[E]) => boolean) {
          return new Promise<void>((resolve, reject) => {
            const check = () => {
              if (!seen.some(predicate)) return
              realClearTimeout(timer)
              waiters.delete(check)
              resolve()
            }
            const timer = realSetTimeout(() => {
              waiters.delete(check)
              reject(new Error(`${name}: timed out after ${timeoutMs} ms waiting for ${what}`))
            }, timeoutMs)
            waiters.add(check)
            check()
          })
        },
      }
    }

    const inboxOnline = (log: RemoteLog) => {
      const statuses = collect(log, 'inbox-status')
      return log.inboxStatus === 'online'
        ? Promise.resolve()
        : statuses.until('the inbox to be online', (s) => s.status === 'online')
    }

    it('creates a conversation idempotently and lists it', async () => {
      const { log, userId } = await connect('alice')
      const id = newConversationId()
      const created = await log.createConversation({ id, title: 'Team', kind: 'chat' })
      expect(created).toMatchObject({
        id,
        title: 'Team',
        kind: 'chat',
        role: 'owner',
        createdBy: userId,
        lastSeq: 0,
        prunedUptoSeq: 0,
        snapshotUptoSeq: null,
        lastUpdateAt: null,
      })
      expect(typeof created.createdAt).toBe('number')
      const again = await log.createConversation({ id, title: 'Other title' })
      expect(again.title).toBe('Team')
      const list = await log.listConversations()
      expect(list.map((c) => c.id)).toEqual([id])
      // Another device of the same user (e.g. an offline-created conversation syncing late).
      const { log: phone } = await connect('alice')
      expect((await phone.createConversation({ id })).role).toBe('owner')
    })

    it('pushes gapless seqs in input order, idempotently per clientUpdateId', async () => {
      const { log } = await connect('alice')
      const id = newConversationId()
      await log.createConversation({ id })
      expect(await log.push(id, [])).toEqual([])
      const first = [entry(1), entry(2), entry(3)]
      const results = await log.push(id, first)
      expect(results).toEqual(
        first.map((e, i) => ({ clientUpdateId: e.clientUpdateId, seq: i + 1, duplicate: false })),
      )
      // A retry of part of the batch with a new entry: the old ones keep their seqs.
      const fourth = entry(4)
      const retried = await log.push(id, [first[1]!, fourth, first[0]!])
      expect(retried).toEqual([
        { clientUpdateId: first[1]!.clientUpdateId, seq: 2, duplicate: true },
        { clientUpdateId: fourth.clientUpdateId, seq: 4, duplicate: false },
        { clientUpdateId: first[0]!.clientUpdateId, seq: 1, duplicate: true },
      ])
      const page = await log.pull(id, 0)
      expect(page.updates.map((u) => [u.seq, u.update[0]])).toEqual([
        [1, 1],
        [2, 2],
        [3, 3],
        [4, 4],
      ])
      const [listed] = await log.listConversations()
      expect(listed?.lastSeq).toBe(4)
      expect(typeof listed?.lastUpdateAt).toBe('number')
    })

    it('rejects a reused clientUpdateId with other bytes, writing nothing of the batch', async () => {
      const { log } = await connect('alice')
      const id = newConversationId()
      await log.createConversation({ id })
      const original = entry(1)
      await log.push(id, [original])
      const error = await rejection(
        log.push(id, [entry(2), { clientUpdateId: original.clientUpdateId, update: bytes(9) }]),
      )
      expect(isRemoteLogError(error, 'conflict')).toBe(true)
      expect(isRetryableRemoteLogError(error)).toBe(false)
      expect((await log.pull(id, 0)).updates.map((u) => u.seq)).toEqual([1])
    })

    it('pages pulls by seq with authors, copies and a cursor', async () => {
      const { log, userId } = await connect('alice')
      const id = newConversationId()
      await log.createConversation({ id })
      const entries = Array.from({ length: 7 }, (_, i) => entry(10 + i, i))
      await log.push(id, entries)
      const seen: number[] = []
      let cursor = 0
      const pages: boolean[] = []
      for (;;) {
        const page = await log.pull(id, cursor, { limit: 3 })
        pages.push(page.hasMore)
        for (const u of page.updates) {
          expect(u.author).toBe(userId)
          expect(u.clientUpdateId.toLowerCase()).toBe(
            entries[u.seq - 1]!.clientUpdateId.toLowerCase(),
          )
          expect(u.update).toEqual(bytes(9 + u.seq, u.seq - 1))
          expect(typeof u.createdAt).toBe('number')
          seen.push(u.seq)
        }
        expect(page.lastSeq).toBe(page.updates.at(-1)?.seq ?? cursor)
        cursor = page.lastSeq
        if (!page.hasMore) break
      }
      expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7])
      expect(pages).toEqual([true, true, false])
      // Returned bytes are copies.
      const page = await log.pull(id, 0, { limit: 1 })
      page.updates[0]!.update.fill(0)
      expect((await log.pull(id, 0, { limit: 1 })).updates[0]!.update).toEqual(bytes(10, 0))
      const past = await log.pull(id, 99)
      expect(past).toEqual({ updates: [], hasMore: false, lastSeq: 99 })
      await expectCode(log.pull(id, 0, { limit: 1001 }), 'too-large')
      await expectCode(log.pull(id, -1), 'invalid')
    })

    it('stores snapshots that only move forward and steps back with beforeSeq', async () => {
      const { log, userId } = await connect('alice')
      const id = newConversationId()
      await log.createConversation({ id })
      expect(await log.getSnapshot(id)).toBeNull()
      await log.push(id, [entry(1), entry(2), entry(3)])
      await expectCode(log.putSnapshot(id, bytes(7), 4), 'invalid')
      expect(await log.putSnapshot(id, bytes(1, 2), 2)).toEqual({ stored: true, uptoSeq: 2 })
      expect(await log.putSnapshot(id, bytes(1), 1)).toEqual({ stored: false, uptoSeq: 2 })
      expect(await log.putSnapshot(id, bytes(1, 2, 3), 3)).toEqual({ stored: true, uptoSeq: 3 })
      const newest = await log.getSnapshot(id)
      expect(newest).toMatchObject({ state: bytes(1, 2, 3), uptoSeq: 3, createdBy: userId })
      expect(typeof newest?.updatedAt).toBe('number')
      expect(await log.getSnapshot(id, { beforeSeq: 3 })).toMatchObject({
        state: bytes(1, 2),
        uptoSeq: 2,
      })
      expect(await log.getSnapshot(id, { beforeSeq: 2 })).toBeNull()
      // The log is untouched by snapshots.
      expect((await log.pull(id, 0)).updates).toHaveLength(3)
      expect((await log.listConversations())[0]?.snapshotUptoSeq).toBe(3)
    })

    it('refuses non-members everything, and a taken conversation id', async () => {
      const { log: alice } = await connect('alice')
      const { log: bob } = await connect('bob')
      const id = newConversationId()
      await alice.createConversation({ id })
      await alice.push(id, [entry(1)])
      await expectCode(bob.push(id, [entry(2)]), 'forbidden')
      await expectCode(bob.pull(id, 0), 'forbidden')
      await expectCode(bob.getSnapshot(id), 'forbidden')
      await expectCode(bob.putSnapshot(id, bytes(1), 1), 'forbidden')
      await expectCode(bob.createInvite(id), 'forbidden')
      await expectCode(bob.createConversation({ id }), 'conflict')
      // A conversation that does not exist looks the same as one you are not in.
      await expectCode(bob.pull(newConversationId(), 0), 'forbidden')
      expect(await bob.listConversations()).toEqual([])
      expect((await alice.pull(id, 0)).updates).toHaveLength(1)
    })

    it('joins by invite code, once per use, and leaves idempotently', async () => {
      const { log: alice } = await connect('alice')
      const { log: bob, userId: bobId } = await connect('bob')
      const { log: carol } = await connect('carol')
      const id = newConversationId()
      await alice.createConversation({ id, title: 'Invite me' })
      await alice.push(id, [entry(5)])
      const invite = await alice.createInvite(id, { maxUses: 1 })
      expect(invite).toMatchObject({ conversationId: id, maxUses: 1, uses: 0 })
      expect(invite.code).toMatch(/^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}$/)
      expect(typeof invite.expiresAt).toBe('number')
      const typed = `${invite.code.slice(0, 4)}-${invite.code.slice(4)}`.toLowerCase()
      const joined = await bob.joinConversation(typed)
      expect(joined).toMatchObject({ id, title: 'Invite me', role: 'member', lastSeq: 1 })
      // Joining again uses nothing up; a third person finds it exhausted.
      expect((await bob.joinConversation(invite.code)).id).toBe(id)
      await expectCode(carol.joinConversation(invite.code), 'invite-exhausted')
      await expectCode(carol.joinConversation('ZZZZZZZZ'), 'invite-not-found')
      const pulled = await bob.pull(id, 0)
      expect(pulled.updates.map((u) => u.update)).toEqual([bytes(5)])
      const pushed = await bob.push(id, [entry(6)])
      expect(pushed[0]?.seq).toBe(2)
      expect((await alice.pull(id, 1)).updates[0]?.author).toBe(bobId)
      await bob.leaveConversation(id)
      await bob.leaveConversation(id)
      await expectCode(bob.pull(id, 0), 'forbidden')
      expect(await bob.listConversations()).toEqual([])
      // The log stays for the others.
      expect((await alice.pull(id, 0)).updates).toHaveLength(2)
    })

    it('hands the owner role on when the last owner leaves', async () => {
      const { log: alice } = await connect('alice')
      const { log: bob } = await connect('bob')
      const id = newConversationId()
      await alice.createConversation({ id })
      await bob.joinConversation((await alice.createInvite(id)).code)
      await alice.leaveConversation(id)
      expect((await bob.listConversations())[0]).toMatchObject({ id, role: 'owner' })
    })

    it('fails a pull below the pruned point with history-pruned', async () => {
      const { log } = await connect('alice')
      const id = newConversationId()
      await log.createConversation({ id })
      await log.push(id, [entry(1), entry(2), entry(3), entry(4)])
      await log.putSnapshot(id, bytes(1, 2, 3), 3)
      await harness.prune(id, 3)
      const error = await rejection(log.pull(id, 0))
      expect(isRemoteLogError(error, 'history-pruned')).toBe(true)
      expect((error as { details: Record<string, unknown> }).details).toMatchObject({
        prunedUptoSeq: 3,
      })
      const page = await log.pull(id, 3)
      expect(page.updates.map((u) => u.seq)).toEqual([4])
      expect((await log.listConversations())[0]).toMatchObject({ prunedUptoSeq: 3, lastSeq: 4 })
    })

    it('enforces the update size limit, naming the entry', async () => {
      const { log } = await connect('alice')
      const id = newConversationId()
      await log.createConversation({ id })
      const error = await rejection(
        log.push(id, [
          entry(1),
          { clientUpdateId: newClientUpdateId(), update: new Uint8Array(262_145) },
        ]),
      )
      expect(isRemoteLogError(error, 'too-large')).toBe(true)
      expect((error as { details: Record<string, unknown> }).details).toMatchObject({ index: 1 })
      await expectCode(
        log.push(id, [{ clientUpdateId: newClientUpdateId(), update: bytes() }]),
        'invalid',
      )
      expect((await log.pull(id, 0)).updates).toEqual([])
    })

    it('notifies every member device of new seqs and the user of joins and leaves', async () => {
      const { log: alice } = await connect('alice')
      const { log: alicePhone } = await connect('alice')
      const { log: bob } = await connect('bob')
      await Promise.all([inboxOnline(alice), inboxOnline(alicePhone), inboxOnline(bob)])
      const phoneJoined = collect(alicePhone, 'conversation-joined')
      const phoneUpdated = collect(alicePhone, 'conversation-updated')
      const bobUpdated = collect(bob, 'conversation-updated')
      const bobJoined = collect(bob, 'conversation-joined')
      const bobLeft = collect(bob, 'conversation-left')
      const id = newConversationId()
      await alice.createConversation({ id })
      await phoneJoined.until('conversation-joined', (e) => e.conversationId === id)
      await bob.joinConversation((await alice.createInvite(id)).code)
      await bobJoined.until('bob joined', (e) => e.conversationId === id)
      await alice.push(id, [entry(1), entry(2)])
      await phoneUpdated.until('seq 2 at the phone', (e) => e.conversationId === id && e.seq === 2)
      await bobUpdated.until('seq 2 at bob', (e) => e.conversationId === id && e.seq === 2)
      await bob.leaveConversation(id)
      await bobLeft.until('bob left', (e) => e.conversationId === id)
    })

    it('closes idempotently: calls reject with closed, the inbox reports closed', async () => {
      const { log } = await connect('alice')
      const statuses: string[] = []
      log.on('inbox-status', ({ status }) => statuses.push(status))
      log.close()
      log.close()
      expect(log.inboxStatus).toBe('closed')
      expect(statuses.filter((s) => s === 'closed')).toHaveLength(1)
      await expectCode(log.listConversations(), 'closed')
      await expectCode(log.push(newConversationId(), [entry(1)]), 'closed')
    })
  })
}
