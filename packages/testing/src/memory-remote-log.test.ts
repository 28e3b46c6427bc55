import { describe, expect, it } from 'vitest'
import {
  isRemoteLogError,
  type ConversationId,
  type DeviceId,
  type RemoteLog,
  type RemotePushEntry,
  type RemoteLogEvents,
  type UserId,
} from '@parley/core/ports'
import { remoteLogContract } from './contracts/remote-log-contract.js'
import {
  createMemoryRemoteLog,
  createMemoryRemoteLogServer,
  type MemoryCompactorInput,
} from './memory-remote-log.js'
import { registerTestDevice, type TestDevice } from './register-test-device.js'

remoteLogContract('memory', () => {
  const server = createMemoryRemoteLogServer({ requireUuidIds: true })
  return {
    connect: (user) => {
      const log = server.connect(user)
      return Promise.resolve({ log, userId: user as UserId })
    },
    prune: (id, uptoSeq) => {
      server.prune(id, uptoSeq)
      return Promise.resolve()
    },
    putSnapshot: (id, state, uptoSeq) => {
      try {
        return Promise.resolve(server.putTrustedSnapshot(id, state, uptoSeq))
      } catch (error) {
        return Promise.reject(error as Error)
      }
    },
  }
})

const conv = 'conv-1' as ConversationId
const one = (value: number) => new Uint8Array([value])

/** Registers a device of `log`'s user; `entry(v)` pushes the one-byte update `v`. */
async function deviceOf(
  log: RemoteLog,
): Promise<TestDevice & { entry1(v: number): RemotePushEntry }> {
  const device = await registerTestDevice(log)
  return { ...device, entry1: (v) => device.entry(one(v)) }
}

describe('createMemoryRemoteLog', () => {
  it('accepts readable ids unless requireUuidIds is set', async () => {
    const log = createMemoryRemoteLog()
    expect((await log.createConversation({ id: conv })).id).toBe(conv)
    await log.registerDevice({
      id: 'laptop' as DeviceId,
      publicKey: new Uint8Array(32),
      clientIds: [7],
    })
    const strict = createMemoryRemoteLog({ serverOptions: { requireUuidIds: true } })
    const error = await strict.createConversation({ id: conv }).catch((e: unknown) => e)
    expect(isRemoteLogError(error, 'invalid')).toBe(true)
    const device = strict.registerDevice({
      id: 'laptop' as DeviceId,
      publicKey: new Uint8Array(32),
      clientIds: [8],
    })
    expect(isRemoteLogError(await device.catch((e: unknown) => e), 'invalid')).toBe(true)
  })

  it('loses a response after applying the call, and the retry is idempotent', async () => {
    const log = createMemoryRemoteLog()
    const device = await deviceOf(log)
    await log.createConversation({ id: conv })
    log.server.failNext({ operation: 'push', applied: true })
    const first = device.entry1(1)
    const error = await log.push(conv, [first]).catch((e: unknown) => e)
    expect(isRemoteLogError(error, 'network')).toBe(true)
    expect(log.server.inspect(conv)?.lastSeq).toBe(1)
    expect(await log.push(conv, [first])).toEqual([
      { clientUpdateId: first.clientUpdateId, seq: 1, duplicate: true },
    ])
    expect(log.server.inspect(conv)?.updates).toEqual([
      expect.objectContaining({ seq: 1, device: device.device }),
    ])
    expect(log.server.calls.push).toBe(2)
  })

  it('refuses before applying by default, for the matching operation only', async () => {
    const log = createMemoryRemoteLog()
    const device = await deviceOf(log)
    await log.createConversation({ id: conv })
    log.server.failNext({ code: 'unavailable', operation: 'push', count: 2 })
    await log.pull(conv, 0)
    for (let i = 0; i < 2; i++) {
      const error = await log.push(conv, [device.entry1(1)]).catch((e: unknown) => e)
      expect(isRemoteLogError(error, 'unavailable') && error.retryable).toBe(true)
    }
    expect(log.server.inspect(conv)?.lastSeq).toBe(0)
    expect((await log.push(conv, [device.entry1(1)]))[0]?.seq).toBe(1)
  })

  it('goes offline: calls fail with network, the inbox reports it and loses notices', async () => {
    const server = createMemoryRemoteLogServer()
    const laptop = server.connect('u1')
    const phone = server.connect('u1')
    const device = await deviceOf(laptop)
    const statuses: string[] = []
    const updates: RemoteLogEvents['conversation-updated'][] = []
    phone.on('inbox-status', ({ status }) => statuses.push(status))
    phone.on('conversation-updated', (e) => updates.push(e))
    await laptop.createConversation({ id: conv })
    server.setOffline(true)
    const error = await laptop.push(conv, [device.entry1(1)]).catch((e: unknown) => e)
    expect(isRemoteLogError(error, 'network')).toBe(true)
    expect(phone.inboxStatus).toBe('offline')
    server.setOffline(false)
    await laptop.push(conv, [device.entry1(2)])
    await Promise.resolve()
    expect(statuses).toEqual(['offline', 'online'])
    expect(updates).toEqual([{ conversationId: conv, seq: 1 }])
  })

  it('keeps the newest three snapshots and the pruning anchor', async () => {
    const log = createMemoryRemoteLog()
    const device = await deviceOf(log)
    await log.createConversation({ id: conv })
    await log.push(conv, [1, 2, 3, 4, 5, 6].map(device.entry1))
    log.server.putTrustedSnapshot(conv, one(1), 1)
    log.server.prune(conv, 1)
    for (const seq of [2, 3, 4, 5]) log.server.putTrustedSnapshot(conv, one(seq), seq)
    expect(log.server.inspect(conv)?.snapshots).toEqual([1, 3, 4, 5])
    expect(() => log.server.prune(conv, 2)).toThrow()
    expect(() => log.server.putTrustedSnapshot(conv, one(9), 7)).toThrow(/beyond the log/)
  })

  it('appends a retried push again once its original was pruned', async () => {
    const log = createMemoryRemoteLog()
    const device = await deviceOf(log)
    await log.createConversation({ id: conv })
    const first = device.entry1(1)
    await log.push(conv, [first])
    log.server.putTrustedSnapshot(conv, one(1), 1)
    log.server.prune(conv, 1)
    expect(await log.push(conv, [first])).toEqual([
      { clientUpdateId: first.clientUpdateId, seq: 2, duplicate: false },
    ])
  })

  it('expires invites on the injected clock and builds invite links', async () => {
    let now = 1_000_000
    const server = createMemoryRemoteLogServer({
      now: () => now,
      inviteUrl: (code) => `https://chat.example/join/${code}`,
    })
    const alice = server.connect('alice')
    const bob = server.connect('bob')
    await alice.createConversation({ id: conv })
    const invite = await alice.createInvite(conv, { ttlSeconds: 60 })
    expect(invite.url).toBe(`https://chat.example/join/${invite.code}`)
    expect(invite.expiresAt).toBe(now + 60_000)
    now += 60_000
    const error = await bob.joinConversation(invite.code).catch((e: unknown) => e)
    expect(isRemoteLogError(error, 'invite-expired')).toBe(true)
    const forever = await alice.createInvite(conv, { ttlSeconds: null })
    expect(forever.expiresAt).toBeNull()
    expect((await bob.joinConversation(forever.code)).role).toBe('member')
  })

  it('lifts the join rate limit when the window ends on the injected clock', async () => {
    let now = 1_000_000
    const server = createMemoryRemoteLogServer({ now: () => now })
    const mallory = server.connect('mallory')
    const code = async () =>
      (await mallory.joinConversation('ZZZZZZZZ').catch((e: unknown) => e)) as {
        code: string
        details: Record<string, unknown>
      }
    for (let i = 0; i < 10; i++) expect((await code()).code).toBe('invite-not-found')
    now += 100_000
    expect(await code()).toMatchObject({ code: 'rate-limited', details: { retryAfterS: 500 } })
    now += 500_000
    expect((await code()).code).toBe('invite-not-found')
  })

  it('answers requestCompaction with started: false without a compactor', async () => {
    const log = createMemoryRemoteLog()
    await log.createConversation({ id: conv })
    expect(await log.requestCompaction(conv)).toEqual({ started: false })
  })

  it('runs the compactor on the log after the newest snapshot and stores what it returns', async () => {
    const inputs: MemoryCompactorInput[] = []
    let answer: { state: Uint8Array; uptoSeq: number } | null = null
    const server = createMemoryRemoteLogServer({
      compactor: (input) => {
        inputs.push(input)
        return answer
      },
    })
    const alice = server.connect('alice')
    const bob = server.connect('bob')
    const aliceDevice = await deviceOf(alice)
    await deviceOf(bob)
    await alice.createConversation({ id: conv })
    await bob.joinConversation((await alice.createInvite(conv)).code)
    await alice.push(conv, [1, 2, 3].map(aliceDevice.entry1))
    // Nothing worth compacting: nothing stored.
    expect(await alice.requestCompaction(conv)).toEqual({ started: false })
    expect(inputs[0]).toMatchObject({ conversationId: conv, snapshot: null })
    expect(inputs[0]?.rows.map((r) => [r.seq, r.device])).toEqual([
      [1, aliceDevice.device],
      [2, aliceDevice.device],
      [3, aliceDevice.device],
    ])
    expect(inputs[0]?.members.map((m) => [m.user, m.role])).toEqual([
      ['alice', 'owner'],
      ['bob', 'member'],
    ])
    expect(inputs[0]?.devices.map((d) => d.user)).toEqual(['alice', 'bob'])

    answer = { state: one(42), uptoSeq: 2 }
    expect(await bob.requestCompaction(conv)).toEqual({ started: true })
    expect(await bob.getSnapshot(conv)).toMatchObject({
      state: one(42),
      uptoSeq: 2,
      createdBy: null,
    })
    // The log is not pruned; the next run starts from the snapshot.
    expect((await alice.pull(conv, 0)).updates).toHaveLength(3)
    await alice.requestCompaction(conv)
    expect(inputs[2]?.snapshot).toEqual(one(42))
    expect(inputs[2]?.rows.map((r) => r.seq)).toEqual([3])
  })

  it('fails requestCompaction with unavailable when the compactor throws', async () => {
    const log = createMemoryRemoteLog({
      serverOptions: {
        compactor: () => {
          throw new Error('boom')
        },
      },
    })
    await log.createConversation({ id: conv })
    const error = await log.requestCompaction(conv).catch((e: unknown) => e)
    expect(isRemoteLogError(error, 'unavailable')).toBe(true)
  })
})
