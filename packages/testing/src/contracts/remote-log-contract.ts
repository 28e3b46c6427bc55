// The acceptance suite every RemoteLog passes (the memory log, and the Supabase log against the
// emulator): the guarantees written at the top of packages/core/src/ports/remote-log.ts. The
// trust cases (devices, signed rows, members, compaction) are in remote-log-trust-cases.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  isRemoteLogError,
  isRetryableRemoteLogError,
  type RemoteLog,
  type RemoteLogEvents,
} from '@parley/core/ports'
import { registerTestDevice } from '../register-test-device.js'
import {
  bytes,
  expectCode,
  newConversationId,
  rejection,
  type ContractDevice,
  type EventCollector,
  type RemoteLogContractContext,
  type RemoteLogContractHarness,
  type RemoteLogContractOptions,
} from './remote-log-contract-kit.js'
import { remoteLogTrustCases } from './remote-log-trust-cases.js'

export type {
  RemoteLogContractHarness,
  RemoteLogContractOptions,
} from './remote-log-contract-kit.js'

/**
 * The acceptance suite every {@link RemoteLog} passes, as Vitest blocks: conversations,
 * idempotent gapless push, paging, trusted snapshots, membership and invites, pruning, typed
 * errors, inbox notices and close, plus the trust cases (devices, signed rows, members,
 * compaction, the join rate limit). Each connected device registers a device first. Call it at
 * the top level of a test file.
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

    const connect = async (user: string): Promise<ContractDevice> => {
      const result = await harness.connect(user)
      opened.push(result.log)
      return { ...result, device: await registerTestDevice(result.log) }
    }

    /** Collects one event of `log` and waits until `predicate` holds for one of them. */
    const collect = <E extends keyof RemoteLogEvents>(
      log: RemoteLog,
      event: E,
    ): EventCollector<E> => {
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

    const context: RemoteLogContractContext = {
      harness: () => harness,
      connect,
      collect,
      inboxOnline,
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
      const { log, device } = await connect('alice')
      const entry = (...values: number[]) => device.entry(bytes(...values))
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
      const { log, device } = await connect('alice')
      const id = newConversationId()
      await log.createConversation({ id })
      const original = device.entry(bytes(1))
      await log.push(id, [original])
      const error = await rejection(
        log.push(id, [device.entry(bytes(2)), { ...original, update: bytes(9) }]),
      )
      expect(isRemoteLogError(error, 'conflict')).toBe(true)
      expect(isRetryableRemoteLogError(error)).toBe(false)
      expect((await log.pull(id, 0)).updates.map((u) => u.seq)).toEqual([1])
    })

    it('pages pulls by seq with authors, devices, signatures, copies and a cursor', async () => {
      const { log, userId, device } = await connect('alice')
      const id = newConversationId()
      await log.createConversation({ id })
      const entries = Array.from({ length: 7 }, (_, i) => device.entry(bytes(10 + i, i)))
      await log.push(id, entries)
      const seen: number[] = []
      let cursor = 0
      const pages: boolean[] = []
      for (;;) {
        const page = await log.pull(id, cursor, { limit: 3 })
        pages.push(page.hasMore)
        for (const u of page.updates) {
          const pushed = entries[u.seq - 1]!
          expect(u.author).toBe(userId)
          expect(u.device).toBe(device.device)
          expect(u.signature).toEqual(pushed.signature)
          expect(u.clientUpdateId.toLowerCase()).toBe(pushed.clientUpdateId.toLowerCase())
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
      page.updates[0]!.signature!.fill(0)
      const again = (await log.pull(id, 0, { limit: 1 })).updates[0]!
      expect(again.update).toEqual(bytes(10, 0))
      expect(again.signature).toEqual(entries[0]!.signature)
      const past = await log.pull(id, 99)
      expect(past).toEqual({ updates: [], hasMore: false, lastSeq: 99 })
      await expectCode(log.pull(id, 0, { limit: 1001 }), 'too-large')
      await expectCode(log.pull(id, -1), 'invalid')
    })

    it('serves trusted snapshots that only move forward and steps back with beforeSeq', async () => {
      const { log, device } = await connect('alice')
      const id = newConversationId()
      await log.createConversation({ id })
      expect(await log.getSnapshot(id)).toBeNull()
      await log.push(
        id,
        [1, 2, 3].map((v) => device.entry(bytes(v))),
      )
      const put = (state: Uint8Array, uptoSeq: number) => harness.putSnapshot(id, state, uptoSeq)
      await expectCode(put(bytes(7), 4), 'invalid')
      expect(await put(bytes(1, 2), 2)).toEqual({ stored: true, uptoSeq: 2 })
      expect(await put(bytes(1), 1)).toEqual({ stored: false, uptoSeq: 2 })
      expect(await put(bytes(1, 2, 3), 3)).toEqual({ stored: true, uptoSeq: 3 })
      const newest = await log.getSnapshot(id)
      // Written by the compactor (the service role), not by a member.
      expect(newest).toMatchObject({ state: bytes(1, 2, 3), uptoSeq: 3, createdBy: null })
      expect(typeof newest?.updatedAt).toBe('number')
      expect(await log.getSnapshot(id, { beforeSeq: 3 })).toMatchObject({
        state: bytes(1, 2),
        uptoSeq: 2,
      })
      expect(await log.getSnapshot(id, { beforeSeq: 2 })).toBeNull()
      // The log is untouched by snapshots.
      expect((await log.pull(id, 0)).updates).toHaveLength(3)
      expect((await log.listConversations())[0]?.snapshotUptoSeq).toBe(3)
      expect('putSnapshot' in log).toBe(false)
    })

    it('refuses non-members everything, and a taken conversation id alike', async () => {
      const { log: alice, device } = await connect('alice')
      const { log: bob, device: bobDevice } = await connect('bob')
      const id = newConversationId()
      await alice.createConversation({ id })
      await alice.push(id, [device.entry(bytes(1))])
      await expectCode(bob.push(id, [bobDevice.entry(bytes(2))]), 'forbidden')
      await expectCode(bob.pull(id, 0), 'forbidden')
      await expectCode(bob.getSnapshot(id), 'forbidden')
      await expectCode(bob.createInvite(id), 'forbidden')
      await expectCode(bob.members(id), 'forbidden')
      await expectCode(bob.conversationDevices(id), 'forbidden')
      await expectCode(bob.requestCompaction(id), 'forbidden')
      // A taken id answers like one that does not exist, so ids cannot be probed.
      await expectCode(bob.createConversation({ id }), 'forbidden')
      // A conversation that does not exist looks the same as one you are not in.
      await expectCode(bob.pull(newConversationId(), 0), 'forbidden')
      expect(await bob.listConversations()).toEqual([])
      expect((await alice.pull(id, 0)).updates).toHaveLength(1)
    })

    it('joins by invite code, once per use, and leaves idempotently', async () => {
      const { log: alice, device } = await connect('alice')
      const { log: bob, userId: bobId, device: bobDevice } = await connect('bob')
      const { log: carol } = await connect('carol')
      const id = newConversationId()
      await alice.createConversation({ id, title: 'Invite me' })
      await alice.push(id, [device.entry(bytes(5))])
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
      const pushed = await bob.push(id, [bobDevice.entry(bytes(6))])
      expect(pushed[0]?.seq).toBe(2)
      expect((await alice.pull(id, 1)).updates[0]).toMatchObject({
        author: bobId,
        device: bobDevice.device,
      })
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
      const { log, device } = await connect('alice')
      const id = newConversationId()
      await log.createConversation({ id })
      await log.push(
        id,
        [1, 2, 3, 4].map((v) => device.entry(bytes(v))),
      )
      await harness.putSnapshot(id, bytes(1, 2, 3), 3)
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
      const { log, device } = await connect('alice')
      const id = newConversationId()
      await log.createConversation({ id })
      const error = await rejection(
        log.push(id, [device.entry(bytes(1)), device.entry(new Uint8Array(262_145))]),
      )
      expect(isRemoteLogError(error, 'too-large')).toBe(true)
      expect((error as { details: Record<string, unknown> }).details).toMatchObject({ index: 1 })
      await expectCode(log.push(id, [device.entry(bytes())]), 'invalid')
      expect((await log.pull(id, 0)).updates).toEqual([])
    })

    it('notifies every member device of new seqs and the user of joins and leaves', async () => {
      const { log: alice, device } = await connect('alice')
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
      await alice.push(id, [device.entry(bytes(1)), device.entry(bytes(2))])
      await phoneUpdated.until('seq 2 at the phone', (e) => e.conversationId === id && e.seq === 2)
      await bobUpdated.until('seq 2 at bob', (e) => e.conversationId === id && e.seq === 2)
      await bob.leaveConversation(id)
      await bobLeft.until('bob left', (e) => e.conversationId === id)
    })

    it('closes idempotently: calls reject with closed, the inbox reports closed', async () => {
      const { log, device } = await connect('alice')
      const statuses: string[] = []
      log.on('inbox-status', ({ status }) => statuses.push(status))
      log.close()
      log.close()
      expect(log.inboxStatus).toBe('closed')
      expect(statuses.filter((s) => s === 'closed')).toHaveLength(1)
      await expectCode(log.listConversations(), 'closed')
      await expectCode(log.push(newConversationId(), [device.entry(bytes(1))]), 'closed')
      await expectCode(log.members(newConversationId()), 'closed')
      await expectCode(log.requestCompaction(newConversationId()), 'closed')
    })

    remoteLogTrustCases(context)
  })
}
