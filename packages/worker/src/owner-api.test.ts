// The owner's auth state machine: per-user engines over per-user databases, session hand-over,
// token expiry, sign-out with pending changes, wiping, and the remembered user.
import { describe, expect, it, vi } from 'vitest'
import type { MessageId, StorageAdapter } from '@parley/core'
import {
  createMemoryRemoteLogServer,
  createMemoryStorage,
  createMemoryStorageData,
  type MemoryRemoteLogServer,
  type MemoryStorageData,
} from '@parley/testing'
import { createMemoryAuthMemory } from './auth-memory.js'
import type { AuthSession, AuthState } from './auth-state.js'
import { isHostError } from './host-api.js'
import { createOwnerApi, type OwnerApi } from './owner-api.js'
import type { ServerConnector, ServerOpenContext } from './server-connector.js'

interface Setup {
  owner: OwnerApi
  databases: Map<string, MemoryStorageData>
  deleted: string[]
  opened: ServerOpenContext[]
  server: MemoryRemoteLogServer
  memory: ReturnType<typeof createMemoryAuthMemory>
}

function setup(
  options: {
    now?: () => number
    createStorage?: (user: string) => StorageAdapter
    memory?: ReturnType<typeof createMemoryAuthMemory>
    tokenChanges?: string[]
  } = {},
): Setup {
  const databases = new Map<string, MemoryStorageData>()
  const deleted: string[] = []
  const opened: ServerOpenContext[] = []
  const server = createMemoryRemoteLogServer()
  const memory = options.memory ?? createMemoryAuthMemory()
  const connector: ServerConnector = {
    open: (context) => {
      opened.push(context)
      return {
        remote: server.connect(context.user.id),
        transports: [],
        tokenChanged: () => options.tokenChanges?.push(context.accessToken() ?? 'null'),
      }
    },
    close: () => undefined,
  }
  const owner = createOwnerApi({
    createStorage:
      options.createStorage !== undefined
        ? ({ user }) => options.createStorage!(user)
        : ({ user }) => {
            let data = databases.get(user)
            if (data === undefined) databases.set(user, (data = createMemoryStorageData()))
            return createMemoryStorage({ data })
          },
    deleteStorage: async ({ user }) => {
      deleted.push(user)
      databases.delete(user)
    },
    connector,
    memory,
    mode: 'shared-worker',
    engineId: 'engine-1',
    onError: () => undefined,
    ...(options.now !== undefined ? { now: options.now } : {}),
  })
  return { owner, databases, deleted, opened, server, memory }
}

const session = (user: string, token = `token-${user}`, expiresAt?: number): AuthSession => ({
  user: { id: user, displayName: user.toUpperCase() },
  accessToken: token,
  ...(expiresAt !== undefined ? { expiresAt } : {}),
})

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (error: unknown) => error,
  )
}

describe('owner API: auth', () => {
  it('is signed out until a tab hands over a session, then serves that user', async () => {
    const { owner, databases, opened } = setup()
    const info = await owner.init({ tabId: 't1' })
    expect(info.user).toBe('')
    expect(await owner.authState()).toEqual({ status: 'signed-out' })
    expect(isHostError(await rejection(owner.listConversations()))).toBe(true)

    const state = await owner.setSession(session('alice'))
    expect(state).toEqual({
      status: 'signed-in',
      user: { id: 'alice', displayName: 'ALICE' },
      token: 'valid',
    })
    expect([...databases.keys()]).toEqual(['alice'])
    expect(opened[0]?.accessToken()).toBe('token-alice')
    expect((await owner.init({ tabId: 't2' })).user).toBe('alice')
    await owner.close()
  })

  it('never shows one user the conversations of another', async () => {
    const { owner, databases } = setup()
    await owner.setSession(session('alice'))
    await owner.createConversation({ id: '00000000-0000-4000-8000-000000000001', title: 'A' })
    // A declared action reaches the engine through the owner's router with no code of its own.
    await owner.renameConversation('00000000-0000-4000-8000-000000000001', 'A only')
    expect((await owner.listConversations()).map((c) => c.title)).toEqual(['A only'])

    await owner.setSession(session('bob'))
    expect((await owner.authState()).status).toBe('signed-in')
    expect(await owner.listConversations()).toEqual([])
    expect([...databases.keys()].sort()).toEqual(['alice', 'bob'])

    await owner.setSession(session('alice', 'token-2'))
    expect((await owner.listConversations()).map((c) => c.title)).toEqual(['A only'])
    await owner.close()
  })

  it('refuses a database that records another user (createStorage ignoring the user)', async () => {
    const shared = createMemoryStorageData()
    const { owner } = setup({ createStorage: () => createMemoryStorage({ data: shared }) })
    await owner.setSession(session('alice'))
    const error = await rejection(owner.setSession(session('bob')))
    expect(error).toMatchObject({ name: 'HostError', code: 'storage-user-mismatch' })
    expect(await owner.authState()).toEqual({ status: 'signed-out' })
    await owner.close()
  })

  it('renews the token of a running engine without reopening it', async () => {
    const tokenChanges: string[] = []
    const { owner, opened } = setup({ tokenChanges })
    await owner.setSession(session('alice', 'one'))
    await owner.setSession(session('alice', 'two'))
    await owner.setSession(session('alice', 'two'))
    expect(opened).toHaveLength(1)
    expect(tokenChanges).toEqual(['two'])
    expect(opened[0]?.accessToken()).toBe('two')
    await owner.close()
  })

  it('marks an expired token and keeps the engine offline until a fresh one arrives', async () => {
    vi.useFakeTimers()
    try {
      let clock = 1_000_000
      const { owner, opened } = setup({ now: () => clock })
      const states: AuthState[] = []
      await owner.subscribeAuth('t1', (state) => states.push(state))
      await owner.setSession(session('alice', 'short', (clock + 60_000) / 1000))
      clock += 60_000
      await vi.advanceTimersByTimeAsync(60_000)
      expect(await owner.authState()).toMatchObject({ token: 'expired' })
      expect(opened[0]?.accessToken()).toBeNull()
      expect((await owner.syncStatus()).state).toBe('offline')
      await owner.setSession(session('alice', 'fresh', (clock + 3_600_000) / 1000))
      expect(await owner.authState()).toMatchObject({ token: 'valid' })
      expect(states.map((s) => (s.status === 'signed-in' ? s.token : s.status))).toEqual([
        'signed-out',
        'valid',
        'expired',
        'valid',
      ])
      await owner.close()
    } finally {
      vi.useRealTimers()
    }
  })

  it('refuses to sign out with pending changes unless forced, and keeps them for the next sign-in', async () => {
    const { owner, server, databases } = setup()
    await owner.setSession(session('alice'))
    server.setOffline(true)
    const conversation = await owner.createConversation({
      id: '00000000-0000-4000-8000-000000000002',
    })
    await owner.send(conversation.id, { id: 'm1' as MessageId, text: 'not on the server yet' })
    const error = await rejection(owner.signOut())
    expect(error).toMatchObject({ name: 'HostError', code: 'pending-changes' })
    expect((await owner.authState()).status).toBe('signed-in')

    expect(await owner.signOut({ force: true })).toEqual({ status: 'signed-out' })
    expect(databases.has('alice')).toBe(true)
    await owner.setSession(session('alice'))
    expect((await owner.syncStatus()).pending).toBeGreaterThan(0)
    await owner.close()
  })

  it('wipes the local data when asked', async () => {
    const { owner, deleted, databases } = setup()
    await owner.setSession(session('alice'))
    await owner.signOut({ localData: 'wipe' })
    expect(deleted).toEqual(['alice'])
    expect(databases.has('alice')).toBe(false)
    await owner.close()
  })

  it('restores the remembered user without a token, and forgets them on sign-out', async () => {
    const memory = createMemoryAuthMemory({ id: 'alice', displayName: 'Alice' })
    const { owner } = setup({ memory })
    const info = await owner.init({ tabId: 't1' })
    expect(info.user).toBe('alice')
    expect(await owner.authState()).toMatchObject({ token: 'missing' })
    expect((await owner.syncStatus()).state).toBe('offline')
    await owner.signOut()
    expect(await memory.load()).toBeNull()
    await owner.close()
  })

  it('remembers the user a session was handed for', async () => {
    const { owner, memory } = setup()
    await owner.setSession(session('bob'))
    expect(await memory.load()).toEqual({ id: 'bob', displayName: 'BOB' })
    await owner.close()
  })

  it('refuses a malformed session with a typed error', async () => {
    const { owner } = setup()
    for (const bad of [
      null,
      {},
      { user: { id: '' }, accessToken: 'x' },
      { user: { id: 'a', displayName: 'A' } },
    ]) {
      const error = await rejection(owner.setSession(bad as unknown as AuthSession))
      expect(error).toMatchObject({ name: 'HostError', code: 'invalid-session' })
    }
    await owner.close()
  })

  it('runs concurrent hand-overs one at a time (one engine, the last user wins)', async () => {
    const { owner, opened } = setup()
    await Promise.all([
      owner.setSession(session('alice')),
      owner.setSession(session('alice')),
      owner.setSession(session('bob')),
    ])
    expect(opened.map((o) => o.user.id)).toEqual(['alice', 'bob'])
    expect(await owner.authState()).toMatchObject({ user: { id: 'bob' } })
    await owner.close()
  })
})
