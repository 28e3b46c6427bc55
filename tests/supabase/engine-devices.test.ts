// Two devices through the whole stack in Node: each app signs in with its own supabase-js client
// and hands the session to the worker host (as connectSupabaseAuth does in a tab), whose Supabase
// server connector syncs through the RPCs and the live Realtime transport — against the emulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startSupabaseEmulator, type SupabaseEmulator } from '@parley/supabase-emulator'
import {
  createMemoryStorage,
  createMemoryStorageData,
  type MemoryStorageData,
} from '@parley/testing'
import { createClient } from '@supabase/supabase-js'
import { createSupabaseServer, toParleySession } from '@parley/transport-supabase'
import {
  createHostCore,
  createMemoryAuthMemory,
  type AuthMemory,
  type HostCore,
} from '@parley/worker/host'
import type { MessageItem } from '@parley/core'

let emulator: SupabaseEmulator

beforeAll(async () => {
  emulator = await startSupabaseEmulator({ port: 0, database: 'memory' })
})
afterAll(async () => {
  await emulator?.stop()
})

function device(
  data: MemoryStorageData = createMemoryStorageData(),
  authMemory: AuthMemory = createMemoryAuthMemory(),
): HostCore {
  return createHostCore({
    kind: 'shared',
    locks: undefined,
    createStorage: () => createMemoryStorage({ data }),
    connect: () =>
      createSupabaseServer({
        url: emulator.url,
        key: emulator.anonKey,
        clientOptions: { realtime: { transport: WebSocket as never } },
      }),
    authMemory,
    engine: { deliveredDelayMs: 10 },
  })
}

/** The app's own sign-in (anonymous here, with a display name in the user metadata). */
async function appSignIn(name: string) {
  const app = createClient(emulator.url, emulator.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  })
  const { data, error } = await app.auth.signInAnonymously({
    options: { data: { display_name: name } },
  })
  if (error !== null || data.session === null) throw error ?? new Error('no session')
  return toParleySession(data.session)
}

async function until<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  what: string,
  ms = 15_000,
): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const value = await read()
    if (ok(value)) return value
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

const find = (messages: readonly MessageItem[], text: string) =>
  messages.find((m) => m.text === text)

describe('two devices through the emulator', () => {
  it('sign in, invite, join, exchange live, walk statuses to read, and restore the session', async () => {
    const aliceData = createMemoryStorageData()
    const aliceMemory = createMemoryAuthMemory()
    const alice = device(aliceData, aliceMemory)
    const bob = device()
    const signedOut = await alice.api.init({ tabId: 'a1' })
    expect(signedOut.user).toBe('')
    const aliceSession = await appSignIn('Alice')
    await alice.api.setSession(aliceSession)
    const aliceInfo = await alice.api.init({ tabId: 'a1' })
    await bob.api.init({ tabId: 'b1' })
    await bob.api.setSession(await appSignIn('Bob'))
    const bobInfo = await bob.api.init({ tabId: 'b1' })
    expect(aliceInfo.user).not.toBe(bobInfo.user)
    expect(aliceInfo.displayName).toBe('Alice')

    const convo = await alice.api.createConversation({ id: crypto.randomUUID(), title: 'devices' })
    const invite = await alice.api.createInvite(convo.id)
    expect(invite.code).toMatch(/^[A-Z0-9]{6,}$/)
    const joined = await bob.api.joinConversation(invite.code)
    expect(joined.id).toBe(convo.id)
    // Each member records its display name; the other device learns it with the conversation.
    await until(
      () => alice.api.displayNames([aliceInfo.user, bobInfo.user]),
      (names) => names[bobInfo.user] === 'Bob' && names[aliceInfo.user] === 'Alice',
      'display names at alice',
    )

    await alice.api.send(convo.id, { id: 'm-alice-1' as never, text: 'hello bob' })
    const atBob = await until(
      () => bob.api.page(convo.id, { limit: 50 }),
      (p) => find(p.messages, 'hello bob') !== undefined,
      'bob receives',
    )
    expect(find(atBob.messages, 'hello bob')?.author).toBe(aliceInfo.user)
    await until(
      () => alice.api.page(convo.id, { limit: 50 }),
      (p) => find(p.messages, 'hello bob')?.status === 'delivered',
      'delivered at alice',
    )
    await bob.api.markRead(convo.id)
    await until(
      () => alice.api.page(convo.id, { limit: 50 }),
      (p) => find(p.messages, 'hello bob')?.status === 'read',
      'read at alice',
    )
    await bob.api.send(convo.id, { id: 'm-bob-1' as never, text: 'hi alice' })
    await until(
      () => alice.api.page(convo.id, { limit: 50 }),
      (p) => find(p.messages, 'hi alice') !== undefined,
      'alice receives',
    )
    await until(
      () => alice.api.syncStatus(),
      (s) => s.pending === 0 && s.state === 'online',
      'alice synced',
    )

    // Typing shows on the other device.
    await alice.api.setTyping(convo.id, true)
    await until(
      () => bob.api.conversationState(convo.id),
      (s) => s.presence.some((p) => p.user === aliceInfo.user && p.typing),
      'typing at bob',
    )

    // A reopened device restores the remembered user (offline, no token yet) with everything,
    // and syncs again once the app hands its session over.
    await alice.close()
    const again = device(aliceData, aliceMemory)
    const restored = await again.api.init({ tabId: 'a2' })
    expect(restored.user).toBe(aliceInfo.user)
    expect(await again.api.authState()).toMatchObject({ token: 'missing' })
    const list = await again.api.listConversations()
    expect(list.map((c) => c.id)).toContain(convo.id)
    await again.api.send(convo.id, { id: 'm-alice-2' as never, text: 'back again' })
    await again.api.setSession(aliceSession)
    await until(
      () => bob.api.page(convo.id, { limit: 50 }),
      (p) => find(p.messages, 'back again') !== undefined,
      'bob receives after the restore',
    )
    await again.close()
    await bob.close()
  })
})
