// The demo app in real Chromium against a malicious member (docs/TRUST.md): Alice and Bob chat
// in the app; Mallory joins with the invite code from Node with raw supabase-js, registers her own
// device key, and pushes hand-built Yjs updates signed by it — an edit of Alice's message, its
// removal from its chunk, a new title. Both browsers keep showing the honest conversation, say
// that changes by Mallory were refused, and still exchange messages. (The same attacks through
// Realtime broadcast, and more, run against the engine in tests/supabase/attacks.test.ts.)
import { webcrypto } from 'node:crypto'
import { expect, test } from '@playwright/test'
import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { devicePair, messageByText, messageTexts, send } from './support.js'

const SUPABASE_URL = process.env.PARLEY_CHAT_SUPABASE_URL ?? 'http://127.0.0.1:54371'
/** The Supabase CLI's well-known local anon key, which the emulator serves too. */
const ANON_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0'

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64')

/** What a device signs for an update (the layout of `signedUpdateBytes` in @parley/core). */
function signedBytes(conversationId: string, update: Uint8Array): Uint8Array {
  const head = new TextEncoder().encode(`parley-update/1\0${conversationId}\0`)
  const out = new Uint8Array(head.length + update.length)
  out.set(head)
  out.set(update, head.length)
  return out
}

interface Mallory {
  client: SupabaseClient
  user: string
  push(conversationId: string, change: (doc: Y.Doc) => void): Promise<void>
}

async function mallory(code: string): Promise<Mallory> {
  const client = createClient(SUPABASE_URL, ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  })
  const { data, error } = await client.auth.signInAnonymously({
    options: { data: { display_name: 'Mallory' } },
  })
  if (error !== null || data.user === null) throw error ?? new Error('no user')
  const keys = (await webcrypto.subtle.generateKey({ name: 'Ed25519' }, false, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair
  const publicKey = new Uint8Array(await webcrypto.subtle.exportKey('raw', keys.publicKey))
  const device = webcrypto.randomUUID()
  const clientIds = Array.from({ length: 8 }, (_, k) => 2 ** 41 + Date.now() * 8 + k)
  const registered = await client.rpc('register_device', {
    p_device_id: device,
    p_public_key: b64(publicKey),
    p_client_ids: clientIds,
  })
  if (registered.error !== null) throw new Error(registered.error.message)
  const joined = await client.rpc('join_conversation', { p_code: code })
  if (joined.error !== null) throw new Error(joined.error.message)
  let used = 0
  return {
    client,
    user: data.user.id,
    async push(conversationId, change) {
      // The conversation as the log holds it (honest rows only), then one forged change.
      const doc = new Y.Doc()
      const rows = await client.rpc('pull_updates', {
        p_conversation_id: conversationId,
        p_after_seq: 0,
        p_limit: 1000,
      })
      if (rows.error !== null) throw new Error(rows.error.message)
      for (const row of rows.data as { update: string; author: string }[]) {
        if (row.author !== data.user!.id) Y.applyUpdate(doc, Buffer.from(row.update, 'base64'))
      }
      doc.clientID = clientIds[used++]!
      const updates: Uint8Array[] = []
      doc.on('update', (u: Uint8Array) => updates.push(u))
      doc.transact(() => change(doc))
      const update = Y.mergeUpdates(updates)
      const signature = new Uint8Array(
        await webcrypto.subtle.sign(
          'Ed25519',
          keys.privateKey,
          signedBytes(conversationId, update),
        ),
      )
      const pushed = await client.rpc('push_updates', {
        p_conversation_id: conversationId,
        p_updates: [
          {
            client_update_id: webcrypto.randomUUID(),
            update: b64(update),
            device_id: device,
            signature: b64(signature),
          },
        ],
      })
      if (pushed.error !== null) throw new Error(pushed.error.message)
    },
  }
}

test('a malicious member cannot edit, erase or retitle in the app', async ({ browser }) => {
  const { alice, bob, conversationId } = await devicePair(browser, 'Honest talk')
  const a = alice.page
  const b = bob.page
  await send(a, 'Alice wrote this')
  await expect(messageByText(b, 'Alice wrote this')).toBeVisible()

  await a.getByTestId('invite-button').click()
  const code = (await a.getByTestId('invite-code').textContent())!.replace(/[^A-Z0-9]/gi, '')
  await a.getByRole('button', { name: 'Done' }).click()
  const m = await mallory(code)
  const messageId = await messageByText(a, 'Alice wrote this').getAttribute('data-message-id')

  await m.push(conversationId, (doc) => {
    // An edit claiming Alice as its author, as Alice's own edits look.
    const chunk = doc.getArray('chunks').get(0) as Y.Array<{ i: string; a: string; h: string }>
    const record = chunk.toArray().find((r) => r.i === messageId)!
    doc.getMap('edits').set(messageId!, {
      i: messageId,
      a: record.a,
      h: `${record.h.slice(0, 12)}-0001-mallory`,
      t: 'Mallory rewrote this',
    })
  })
  await m.push(conversationId, (doc) => {
    const chunk = doc.getArray('chunks').get(0) as Y.Array<unknown>
    chunk.delete(0, chunk.length)
  })
  await m.push(conversationId, (doc) => doc.getMap('meta').set('title', 'Pwned'))

  for (const page of [a, b]) {
    const refused = page.getByTestId('rejected-updates')
    await expect(refused).toBeVisible({ timeout: 15_000 })
    // Mallory never wrote her member entry, so the app names her by her id.
    await expect(refused).toContainText(`User ${m.user.slice(0, 6)}`)
    await expect
      .poll(async () => Number(await refused.getAttribute('data-count')), { timeout: 15_000 })
      .toBeGreaterThanOrEqual(3)
    await expect(messageByText(page, 'Alice wrote this')).toBeVisible()
    expect(await messageTexts(page)).not.toContain('Mallory rewrote this')
    await expect(page.getByRole('heading', { name: 'Honest talk' })).toBeVisible()
  }

  // The honest devices still converge.
  await send(b, 'Bob is still here')
  await expect(messageByText(a, 'Bob is still here')).toBeVisible()
  await m.client.auth.signOut()
  await alice.context.close()
  await bob.context.close()
})
