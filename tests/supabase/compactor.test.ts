// The trusted compactor (supabase/functions/parley-compact) served by the emulator and called
// with the real supabase-js `functions.invoke`: members only, short logs skipped, a bad update
// left out of the snapshot, the log pruned behind it, one run per minute.
// Emulator targets only: a hosted project would need the function deployed, and the rate-limit
// test ages the snapshot with superuser SQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { FunctionsHttpError, type SupabaseClient } from '@supabase/supabase-js'
import { ConversationDoc } from '@parley/core'
import { createTestClient, startTarget, targetKinds, type SupabaseTarget } from './target.js'

const kinds = targetKinds().filter((kind) => kind !== 'remote')

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64')
const random = (length: number) => globalThis.crypto.getRandomValues(new Uint8Array(length))
const randomClientId = () =>
  (globalThis.crypto.getRandomValues(new Uint32Array(1))[0]! % 0x7fffffff) + 1

interface Person {
  client: SupabaseClient
  id: string
  device: string
  clientId: number
}

async function person(target: SupabaseTarget, register = true): Promise<Person> {
  const client = createTestClient(target)
  const { data, error } = await client.auth.signInAnonymously()
  if (error) throw error
  const device = globalThis.crypto.randomUUID()
  const clientId = randomClientId()
  if (register) {
    const { error: registerError } = await client.rpc('register_device', {
      p_device_id: device,
      p_public_key: base64(random(32)),
      p_client_ids: [clientId],
    })
    if (registerError) throw registerError
  }
  return { client, id: data.user!.id, device, clientId }
}

/** Pushes updates as `who` (the server checks the device, not the signature's value). */
async function push(who: Person, conversationId: string, updates: Uint8Array[]): Promise<void> {
  for (let i = 0; i < updates.length; i += 100) {
    const { error } = await who.client.rpc('push_updates', {
      p_conversation_id: conversationId,
      p_updates: updates.slice(i, i + 100).map((update) => ({
        client_update_id: globalThis.crypto.randomUUID(),
        update: base64(update),
        device_id: who.device,
        signature: base64(random(64)),
      })),
    })
    if (error) throw error
  }
}

function docOf(who: Person, conversationId: string): { doc: ConversationDoc; out: Uint8Array[] } {
  const doc = new ConversationDoc({
    id: conversationId,
    user: who.id,
    device: who.device,
    clientId: who.clientId,
  })
  const out: Uint8Array[] = []
  doc.on('update', ({ update }) => out.push(update))
  return { doc, out }
}

async function compact(who: SupabaseClient, conversationId: string) {
  return who.functions.invoke('parley-compact', { body: { conversation_id: conversationId } })
}

describe.each(kinds)('parley-compact (%s)', (kind) => {
  let target: SupabaseTarget
  let owner: Person
  let member: Person
  let outsider: Person
  const conversationId = globalThis.crypto.randomUUID()
  const ownerUpdates: Uint8Array[] = []
  const memberUpdates: Uint8Array[] = []

  beforeAll(async () => {
    target = await startTarget(kind)
    owner = await person(target)
    member = await person(target)
    outsider = await person(target, false)
    const created = await owner.client.rpc('create_conversation', { p_id: conversationId })
    if (created.error) throw created.error
    const invite = await owner.client.rpc('create_invite', { p_conversation_id: conversationId })
    if (invite.error) throw invite.error
    const joined = await member.client.rpc('join_conversation', { p_code: invite.data.code })
    if (joined.error) throw joined.error

    // 1 + 60 rows by the owner, 60 by the member, then the member's forged title (meta is the
    // owners'): 122 rows, one of which the rules refuse.
    const mine = docOf(owner, conversationId)
    mine.doc.initialize({ kind: 'group', title: 'Plans' })
    for (let i = 0; i < 60; i++) mine.doc.send({ text: `owner ${i}` })
    ownerUpdates.push(...mine.out)
    const theirs = docOf(member, conversationId)
    theirs.doc.applyUpdate(mine.doc.encodeStateAsUpdate(), { source: 'storage' })
    for (let i = 0; i < 60; i++) theirs.doc.send({ text: `member ${i}` })
    memberUpdates.push(...theirs.out)
    const forger = new Y.Doc()
    Y.applyUpdate(forger, theirs.doc.encodeStateAsUpdate())
    forger.clientID = member.clientId // after the state: Yjs would pick another id on seeing its own
    const before = Y.encodeStateVector(forger)
    forger.getMap('meta').set('title', 'Hacked')
    memberUpdates.push(Y.encodeStateAsUpdate(forger, before))
    mine.doc.close()
    theirs.doc.close()
  })

  afterAll(async () => {
    await target?.stop()
  })

  it('refuses non-members (403) and callers without a user (401)', async () => {
    const forbidden = await compact(outsider.client, conversationId)
    expect(forbidden.error).toBeInstanceOf(FunctionsHttpError)
    const response = (forbidden.error as FunctionsHttpError).context as Response
    expect(response.status).toBe(403)
    expect(await response.json()).toMatchObject({ code: 'PARLEY_NOT_MEMBER' })

    const signedOut = await compact(createTestClient(target), conversationId)
    expect(((signedOut.error as FunctionsHttpError).context as Response).status).toBe(401)

    const bad = await member.client.functions.invoke('parley-compact', { body: { nope: 1 } })
    expect(((bad.error as FunctionsHttpError).context as Response).status).toBe(400)
  })

  it('skips a log of fewer than 100 rows', async () => {
    await push(owner, conversationId, ownerUpdates.slice(0, 30))
    const { data, error } = await compact(member.client, conversationId)
    expect(error).toBeNull()
    expect(data).toMatchObject({ started: false })
  })

  it('replays the log through the rules, stores the snapshot and prunes the log', async () => {
    await push(owner, conversationId, ownerUpdates.slice(30))
    await push(member, conversationId, memberUpdates)
    const total = ownerUpdates.length + memberUpdates.length
    expect(total).toBe(122)

    const { data, error } = await compact(member.client, conversationId)
    expect(error).toBeNull()
    expect(data).toEqual({
      started: true,
      upto_seq: total,
      rejected: 1,
      held_from: null,
      pruned_upto_seq: total,
    })

    // Members load the snapshot: every message, and the owner's title, not the forged one.
    const snapshot = await member.client.rpc('get_snapshot', { p_conversation_id: conversationId })
    expect(snapshot.error).toBeNull()
    expect(snapshot.data).toMatchObject({ upto_seq: total, created_by: null })
    const loaded = new Y.Doc()
    Y.applyUpdate(loaded, Buffer.from(snapshot.data.state as string, 'base64'))
    expect(loaded.getMap('meta').get('title')).toBe('Plans')
    const texts = JSON.stringify(loaded.getArray('chunks').toJSON())
    expect(texts).toContain('owner 59')
    expect(texts).toContain('member 59')

    // The log is pruned behind the snapshot; a pull from before it says so.
    const rows = await target.emulator!.sql<{ n: number }>(
      'select count(*)::int as n from public.conversation_updates where conversation_id = $1',
      [conversationId],
    )
    expect(rows[0]?.n).toBe(0)
    const pull = await member.client.rpc('pull_updates', {
      p_conversation_id: conversationId,
      p_after_seq: 0,
    })
    expect(pull.error?.hint).toBe('PARLEY_HISTORY_PRUNED')
  })

  it('runs at most once a minute per conversation (429 { started: false })', async () => {
    const again = await compact(owner.client, conversationId)
    const response = (again.error as FunctionsHttpError).context as Response
    expect(response.status).toBe(429)
    expect(await response.json()).toMatchObject({ started: false })

    await target.emulator!.sql(
      `update public.conversation_snapshots set updated_at = now() - interval '2 minutes'
        where conversation_id = $1`,
      [conversationId],
    )
    const later = await compact(owner.client, conversationId)
    expect(later.error).toBeNull()
    expect(later.data).toMatchObject({ started: false }) // nothing new since the snapshot
  })
})
