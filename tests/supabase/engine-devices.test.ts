// Two devices through the whole stack in Node: the worker host's owner logic with the Supabase
// connector (anonymous sign-in, session in the engine's storage), the engine's server sync over
// the RPCs, and the live Realtime transport — against the emulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startSupabaseEmulator, type SupabaseEmulator } from '@parley/supabase-emulator'
import {
  createMemoryStorage,
  createMemoryStorageData,
  type MemoryStorageData,
} from '@parley/testing'
import { createSupabaseConnector } from '@parley/transport-supabase'
import { createHostCore, type HostCore } from '@parley/worker/host'
import type { MessageItem } from '@parley/core'

let emulator: SupabaseEmulator

beforeAll(async () => {
  emulator = await startSupabaseEmulator({ port: 0, database: 'memory' })
})
afterAll(async () => {
  await emulator?.stop()
})

function device(data: MemoryStorageData = createMemoryStorageData()): HostCore {
  return createHostCore({
    kind: 'shared',
    locks: undefined,
    createStorage: () => createMemoryStorage({ data }),
    connect: ({ storage }) =>
      createSupabaseConnector({
        url: emulator.url,
        anonKey: emulator.anonKey,
        storage,
        clientOptions: { realtime: { transport: WebSocket as never } },
      }),
    engine: { deliveredDelayMs: 10 },
  })
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
    const alice = device(aliceData)
    const bob = device()
    const signedOut = await alice.api.init({ tabId: 'a1' })
    expect(signedOut.user).toBe('')
    const aliceInfo = await alice.api.signIn({ displayName: 'Alice' })
    const bobInfo = await bob.api
      .init({ tabId: 'b1' })
      .then(() => bob.api.signIn({ displayName: 'Bob' }))
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

    // A reopened device restores its session from storage and has everything.
    await alice.close()
    const again = device(aliceData)
    const restored = await again.api.init({ tabId: 'a2' })
    expect(restored.user).toBe(aliceInfo.user)
    const list = await again.api.listConversations()
    expect(list.map((c) => c.id)).toContain(convo.id)
    await again.close()
    await bob.close()
  })
})
