// A malicious member against honest replicas, through the real stack in Node (docs/TRUST.md):
// Alice (owner) and Carol run the engine on the emulator; Mallory joins with an invite and then
// uses raw supabase-js and hand-built Yjs updates, signed with her own registered device key,
// through the durable log (`push_updates`) and through Realtime broadcast. Every honest replica
// shows none of it, reports `rejected` with the reason, keeps every honest message, and still
// converges with the others. The browser half (the demo app) is in tests/e2e/attacks.spec.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import { startSupabaseEmulator, type SupabaseEmulator } from '@parley/supabase-emulator'
import { createMemoryStorage } from '@parley/testing'
import { createSupabaseServer, type SupabaseServerSession } from '@parley/transport-supabase'
import {
  Engine,
  createDeviceKeyPair,
  signUpdate,
  type ConversationId,
  type DeviceId,
  type MessageItem,
  type RejectedUpdate,
  type RuleViolation,
} from '@parley/core'
import type { ClientUpdateId, RemoteLog, Transport } from '@parley/core/ports'

let emulator: SupabaseEmulator

beforeAll(async () => {
  emulator = await startSupabaseEmulator({ port: 0, database: 'memory' })
})
afterAll(async () => {
  await emulator?.stop()
})

const clientOptions = { realtime: { transport: WebSocket as never } }

interface Account {
  client: SupabaseClient
  user: string
  token: string
  server: SupabaseServerSession
}

async function signIn(name: string): Promise<Account> {
  const client = createClient(emulator.url, emulator.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    ...clientOptions,
  })
  const { data, error } = await client.auth.signInAnonymously({
    options: { data: { display_name: name } },
  })
  if (error !== null || data.session === null) throw error ?? new Error('no session')
  const token = data.session.access_token
  const server = createSupabaseServer({ url: emulator.url, key: emulator.anonKey, clientOptions })
  const session = server.open({
    user: { id: data.session.user.id, displayName: name },
    accessToken: () => token,
  })
  return { client, user: data.session.user.id, token, server: session }
}

interface Honest {
  engine: Engine
  user: string
  rejected: RejectedUpdate[]
}

async function honest(name: string): Promise<Honest> {
  const account = await signIn(name)
  const engine = await Engine.open({
    storage: createMemoryStorage(),
    user: account.user,
    displayName: name,
    remote: account.server.remote,
    transports: account.server.transports,
    deliveredDelayMs: 10,
  })
  const rejected: RejectedUpdate[] = []
  engine.on('rejected', (event) => rejected.push(event))
  return { engine, user: account.user, rejected }
}

/** Mallory: a member with her own registered device, writing raw Yjs. */
interface Attacker {
  account: Account
  remote: RemoteLog
  transport: Transport
  device: DeviceId
  /** A fresh registered client id for each forgery (none builds on her refused structs). */
  nextClientId(): number
  sign(conversationId: ConversationId, update: Uint8Array): Promise<Uint8Array>
}

async function attacker(): Promise<Attacker> {
  const account = await signIn('Mallory')
  const keys = await createDeviceKeyPair()
  const device = crypto.randomUUID() as DeviceId
  const base = 2 ** 40 + Math.floor(Math.random() * 2 ** 30)
  const clientIds = Array.from({ length: 64 }, (_, k) => base + k)
  const remote = account.server.remote
  await remote.registerDevice({ id: device, publicKey: keys.publicKey, clientIds })
  let used = 0
  return {
    account,
    remote,
    transport: account.server.transports[0]!,
    device,
    nextClientId: () => clientIds[used++]!,
    sign: (id, update) => signUpdate(keys.privateKey, id, update),
  }
}

/** The honest part of the log in a raw document writing as a fresh client id of Mallory's. */
async function rawState(m: Attacker, id: ConversationId): Promise<Y.Doc> {
  const doc = new Y.Doc({ gc: true })
  let after = 0
  for (;;) {
    const page = await m.remote.pull(id, after)
    for (const row of page.updates) {
      if (row.author !== m.account.user) Y.applyUpdate(doc, row.update)
    }
    after = page.lastSeq
    if (!page.hasMore) break
  }
  doc.clientID = m.nextClientId()
  return doc
}

/** The update of one change to a raw document. */
function change(doc: Y.Doc, edit: (doc: Y.Doc) => void): Uint8Array {
  const updates: Uint8Array[] = []
  const on = (u: Uint8Array): void => {
    updates.push(u)
  }
  doc.on('update', on)
  doc.transact(() => edit(doc))
  doc.off('update', on)
  return Y.mergeUpdates(updates)
}

async function pushSigned(m: Attacker, id: ConversationId, update: Uint8Array): Promise<void> {
  await m.remote.push(id, [
    {
      clientUpdateId: crypto.randomUUID() as ClientUpdateId,
      update,
      device: m.device,
      signature: await m.sign(id, update),
    },
  ])
}

async function broadcastSigned(
  m: Attacker,
  id: ConversationId,
  update: Uint8Array,
  as: { device: DeviceId; signature: Uint8Array } | undefined = undefined,
): Promise<void> {
  const signed = as ?? { device: m.device, signature: await m.sign(id, update) }
  m.transport.send({ type: 'update', conversationId: id, update, ...signed })
}

async function until<T>(
  read: () => T | Promise<T>,
  ok: (v: T) => boolean,
  what: string,
): Promise<T> {
  const end = Date.now() + 15_000
  for (;;) {
    const value = await read()
    if (ok(value)) return value
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

const texts = async (h: Honest, id: ConversationId): Promise<string[]> =>
  (await h.engine.page(id, { limit: 100 })).messages.map((m: MessageItem) =>
    m.deleted ? `(deleted) ${m.author}` : `${m.author}: ${m.text}`,
  )

/** Waits until `h` reported a refusal with `reason` from `source` after `since` events. */
async function refused(
  h: Honest,
  since: number,
  reason: RuleViolation,
  source: 'live' | 'log',
): Promise<RejectedUpdate> {
  const found = await until(
    () => h.rejected.slice(since).find((r) => r.reason === reason && r.source === source),
    (r) => r !== undefined,
    `${reason} from ${source}`,
  )
  return found!
}

describe('a malicious member against honest replicas', () => {
  it('forgeries through the log and through broadcast are refused by every honest replica', async () => {
    const alice = await honest('Alice')
    const carol = await honest('Carol')
    const mallory = await attacker()
    const convo = await alice.engine.createConversation({
      id: crypto.randomUUID(),
      title: 'Ours',
      kind: 'group',
    })
    const id = convo.id
    const invite = await alice.engine.createInvite(id)
    await carol.engine.joinConversation(invite.code)
    await mallory.remote.joinConversation(invite.code)
    mallory.transport.join(id)
    await until(
      () => mallory.transport.peers().length,
      (n) => n >= 2,
      'mallory sees the others live',
    )
    const hello = await alice.engine.send(id, { text: 'hello from alice' })
    await alice.engine.react(id, hello.id, '👍')
    await alice.engine.flush()
    await until(
      () => texts(carol, id),
      (t) => t.includes(`${alice.user}: hello from alice`),
      'carol has hello',
    )
    const honestView = await texts(carol, id)

    const forgeries: [string, (doc: Y.Doc) => void, RuleViolation][] = [
      [
        "edit Alice's message",
        (doc) =>
          doc.getMap('edits').set(hello.id, {
            i: hello.id,
            a: alice.user,
            h: alice.engine.clock.now(),
            t: 'forged by mallory',
          }),
        'not-author',
      ],
      [
        "remove Alice's message from its chunk",
        (doc) => (doc.getArray('chunks').get(0) as Y.Array<unknown>).delete(0, 1),
        'not-author',
      ],
      ['remove the chunk', (doc) => doc.getArray('chunks').delete(0, 1), 'chunk-removed'],
      [
        "rewrite Alice's receipt",
        (doc) => doc.getMap('receipts').set(`${alice.user}/x`, {}),
        'not-author',
      ],
      [
        "swap Alice's reaction",
        (doc) => doc.getMap('reactions').delete(`${hello.id}/${alice.user}/👍`),
        'not-author',
      ],
      ['retitle without the role', (doc) => doc.getMap('meta').set('title', 'pwned'), 'not-owner'],
      [
        'make herself owner',
        (doc) =>
          doc.getMap('members').set(mallory.account.user, {
            role: 'owner',
            addedBy: mallory.account.user,
            addedAt: alice.engine.clock.now(),
          }),
        'not-owner',
      ],
      [
        'remove Alice from the members',
        (doc) => doc.getMap('members').delete(alice.user),
        'not-owner',
      ],
    ]
    for (const [what, edit, reason] of forgeries) {
      for (const route of ['log', 'live'] as const) {
        const doc = await rawState(mallory, id)
        const update = change(doc, edit)
        const since = carol.rejected.length
        const sinceAlice = alice.rejected.length
        if (route === 'log') await pushSigned(mallory, id, update)
        else await broadcastSigned(mallory, id, update)
        const at = await refused(carol, since, reason, route).catch((error: unknown) => {
          throw new Error(
            `${what} via ${route}: ${String(error)}; got ${JSON.stringify(carol.rejected.slice(since))}`,
          )
        })
        expect(at.user, what).toBe(mallory.account.user)
        await refused(alice, sinceAlice, reason, route)
      }
    }

    // Structs under Alice's client id (read from her message's struct in the log).
    const doc = await rawState(mallory, id)
    const aliceClient = [...Y.decodeStateVector(Y.encodeStateVector(doc)).keys()].find(
      (c) => c !== doc.clientID,
    )!
    doc.clientID = aliceClient
    const impersonation = change(doc, (d) =>
      (d.getArray('chunks').get(0) as Y.Array<unknown>).push([
        { i: 'impersonated000000001', a: alice.user, h: alice.engine.clock.now(), t: 'as alice' },
      ]),
    )
    let since = carol.rejected.length
    await pushSigned(mallory, id, impersonation)
    await refused(carol, since, 'foreign-client', 'log')

    // A forged signature with Alice's device id; a valid update of Alice's replayed elsewhere.
    since = carol.rejected.length
    await broadcastSigned(mallory, id, impersonation, {
      device: alice.engine.device,
      signature: new Uint8Array(64).fill(9),
    })
    await refused(carol, since, 'bad-signature', 'live')

    // Junk through the log.
    since = carol.rejected.length
    await pushSigned(mallory, id, new Uint8Array([0, 1, 2, 3, 250, 251]))
    await refused(carol, since, 'malformed', 'log')

    // A snapshot that drops history: members may not write snapshots at all.
    const put = await mallory.account.client.rpc('put_snapshot', {
      p_conversation_id: id,
      p_state: Buffer.from(Y.encodeStateAsUpdate(new Y.Doc())).toString('base64'),
      p_upto_seq: 1,
    })
    expect(put.error).not.toBeNull()

    // Pushing under another user's device is refused by the server.
    await expect(
      mallory.remote.push(id, [
        {
          clientUpdateId: crypto.randomUUID() as ClientUpdateId,
          update: impersonation,
          device: alice.engine.device,
          signature: new Uint8Array(64),
        },
      ]),
    ).rejects.toMatchObject({ code: 'forbidden' })

    // Nothing changed for the honest replicas, and they still converge on new honest messages.
    expect(await texts(carol, id)).toEqual(honestView)
    await carol.engine.send(id, { text: 'carol is here' })
    for (const h of [alice, carol]) {
      await until(
        () => texts(h, id),
        (t) =>
          t.includes(`${carol.user}: carol is here`) &&
          t.includes(`${alice.user}: hello from alice`),
        'both honest messages everywhere',
      )
    }
    const a = (await alice.engine.conversationState(id)).meta.title
    const c = (await carol.engine.conversationState(id)).meta.title
    expect([a, c]).toEqual(['Ours', 'Ours'])
    for (const h of [alice, carol]) await h.engine.close()
    mallory.transport.close()
    mallory.remote.close()
  }, 120_000)

  it("refuses a signed update replayed into another conversation, and cuts a leaver's live access within seconds", async () => {
    const alice = await honest('Alice')
    const carol = await honest('Carol')
    const mallory = await attacker()
    const first = await alice.engine.createConversation({ id: crypto.randomUUID(), title: 'One' })
    const second = await alice.engine.createConversation({ id: crypto.randomUUID(), title: 'Two' })
    for (const c of [first, second]) {
      const invite = await alice.engine.createInvite(c.id)
      await carol.engine.joinConversation(invite.code)
      await mallory.remote.joinConversation(invite.code)
      mallory.transport.join(c.id)
    }
    // Mallory records what crosses the first conversation live (Alice's signed updates).
    const captured: { update: Uint8Array; device: DeviceId; signature: Uint8Array }[] = []
    mallory.transport.on('message', ({ message }) => {
      if (message.type === 'update' && message.conversationId === first.id && message.device)
        captured.push({
          update: message.update,
          device: message.device,
          signature: message.signature!,
        })
    })
    await until(
      () => mallory.transport.peers().length,
      (n) => n >= 2,
      'mallory live',
    )
    await alice.engine.send(first.id, { text: 'only for the first' })
    const stolen = await until(
      () => captured[0],
      (c) => c !== undefined,
      "Alice's live update",
    )
    const since = carol.rejected.length
    mallory.transport.send({ type: 'update', conversationId: second.id, ...stolen! })
    await refused(carol, since, 'bad-signature', 'live')
    expect((await texts(carol, second.id)).join()).not.toContain('only for the first')

    // A raw channel on the current topic, kept open by a client that does not play along.
    await mallory.account.client.realtime.setAuth(mallory.account.token)
    const { data: topic } = await mallory.account.client.rpc('conversation_topic', {
      p_conversation_id: first.id,
    })
    const heard: unknown[] = []
    await new Promise<void>((resolve, reject) => {
      mallory.account.client
        .channel(String(topic), { config: { private: true, broadcast: { self: false } } })
        .on('broadcast', { event: '*' }, (payload) => heard.push(payload))
        .subscribe((status, error) => {
          if (status === 'SUBSCRIBED') resolve()
          else if (status !== 'CLOSED') reject(error ?? new Error(status))
        })
    })
    await alice.engine.send(first.id, { text: 'before leaving' })
    await until(
      () => heard.length,
      (n) => n > 0,
      'the raw channel hears the conversation',
    )

    await mallory.remote.leaveConversation(first.id)
    // The others move to the new epoch's topic within seconds; the old one goes quiet.
    await new Promise((resolve) => setTimeout(resolve, 3000))
    const before = heard.length
    await alice.engine.send(first.id, { text: 'after mallory left' })
    await until(
      () => texts(carol, first.id),
      (t) => t.includes(`${alice.user}: after mallory left`),
      'carol live',
    )
    await new Promise((resolve) => setTimeout(resolve, 1000))
    expect(heard.length).toBe(before)

    for (const h of [alice, carol]) await h.engine.close()
    mallory.transport.close()
    mallory.remote.close()
  }, 120_000)
})
