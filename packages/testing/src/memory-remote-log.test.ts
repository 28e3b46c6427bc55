import { describe, expect, it } from 'vitest'
import {
  isRemoteLogError,
  newClientUpdateId,
  type ConversationId,
  type RemoteLogEvents,
  type UserId,
} from '@parley/core/ports'
import { remoteLogContract } from './contracts/remote-log-contract.js'
import { createMemoryRemoteLog, createMemoryRemoteLogServer } from './memory-remote-log.js'

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
  }
})

const conv = 'conv-1' as ConversationId
const entry = (value: number) => ({
  clientUpdateId: newClientUpdateId(),
  update: new Uint8Array([value]),
})

describe('createMemoryRemoteLog', () => {
  it('accepts readable ids unless requireUuidIds is set', async () => {
    const log = createMemoryRemoteLog()
    expect((await log.createConversation({ id: conv })).id).toBe(conv)
    const strict = createMemoryRemoteLog({ serverOptions: { requireUuidIds: true } })
    const error = await strict.createConversation({ id: conv }).catch((e: unknown) => e)
    expect(isRemoteLogError(error, 'invalid')).toBe(true)
  })

  it('loses a response after applying the call, and the retry is idempotent', async () => {
    const log = createMemoryRemoteLog()
    await log.createConversation({ id: conv })
    log.server.failNext({ operation: 'push', applied: true })
    const first = entry(1)
    const error = await log.push(conv, [first]).catch((e: unknown) => e)
    expect(isRemoteLogError(error, 'network')).toBe(true)
    expect(log.server.inspect(conv)?.lastSeq).toBe(1)
    expect(await log.push(conv, [first])).toEqual([
      { clientUpdateId: first.clientUpdateId, seq: 1, duplicate: true },
    ])
    expect(log.server.inspect(conv)?.updates).toHaveLength(1)
    expect(log.server.calls.push).toBe(2)
  })

  it('refuses before applying by default, for the matching operation only', async () => {
    const log = createMemoryRemoteLog()
    await log.createConversation({ id: conv })
    log.server.failNext({ code: 'unavailable', operation: 'push', count: 2 })
    await log.pull(conv, 0)
    for (let i = 0; i < 2; i++) {
      const error = await log.push(conv, [entry(1)]).catch((e: unknown) => e)
      expect(isRemoteLogError(error, 'unavailable') && error.retryable).toBe(true)
    }
    expect(log.server.inspect(conv)?.lastSeq).toBe(0)
    expect((await log.push(conv, [entry(1)]))[0]?.seq).toBe(1)
  })

  it('goes offline: calls fail with network, the inbox reports it and loses notices', async () => {
    const server = createMemoryRemoteLogServer()
    const laptop = server.connect('u1')
    const phone = server.connect('u1')
    const statuses: string[] = []
    const updates: RemoteLogEvents['conversation-updated'][] = []
    phone.on('inbox-status', ({ status }) => statuses.push(status))
    phone.on('conversation-updated', (e) => updates.push(e))
    await laptop.createConversation({ id: conv })
    server.setOffline(true)
    const error = await laptop.push(conv, [entry(1)]).catch((e: unknown) => e)
    expect(isRemoteLogError(error, 'network')).toBe(true)
    expect(phone.inboxStatus).toBe('offline')
    server.setOffline(false)
    await laptop.push(conv, [entry(2)])
    await Promise.resolve()
    expect(statuses).toEqual(['offline', 'online'])
    expect(updates).toEqual([{ conversationId: conv, seq: 1 }])
  })

  it('keeps the newest three snapshots and the pruning anchor', async () => {
    const log = createMemoryRemoteLog()
    await log.createConversation({ id: conv })
    await log.push(conv, [1, 2, 3, 4, 5, 6].map(entry))
    await log.putSnapshot(conv, new Uint8Array([1]), 1)
    log.server.prune(conv, 1)
    for (const seq of [2, 3, 4, 5]) await log.putSnapshot(conv, new Uint8Array([seq]), seq)
    expect(log.server.inspect(conv)?.snapshots).toEqual([1, 3, 4, 5])
    expect(() => log.server.prune(conv, 2)).toThrow()
  })

  it('appends a retried push again once its original was pruned', async () => {
    const log = createMemoryRemoteLog()
    await log.createConversation({ id: conv })
    const first = entry(1)
    await log.push(conv, [first])
    await log.putSnapshot(conv, new Uint8Array([1]), 1)
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
})
