// The RemoteLog contract on Supabase (the RPCs of supabase/migrations through supabase-js,
// against the emulator), plus what only the Supabase implementation has: UUID checks, error
// mapping of HTTP-level failures, validation of server answers.
import { createClient } from '@supabase/supabase-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { isRemoteLogError, type ConversationId, type RemoteLog } from '@parley/core/ports'
import { registerTestDevice } from '@parley/testing'
import { remoteLogContract } from '@parley/testing/contracts'
import type { SupabaseEmulator } from '@parley/supabase-emulator'
import { createSupabaseRemoteLog, encodeBase64, mapRpcError } from '@parley/transport-supabase'
import {
  newUser,
  signIn,
  startEmulator,
  type Credentials,
  type Device,
} from './transport-helpers.js'

let emulator: SupabaseEmulator

beforeAll(async () => {
  emulator = await startEmulator()
})

/** A client with the service role: the trusted compactor's path (put_snapshot, prune_updates). */
function serviceClient() {
  return createClient(emulator.url, emulator.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  })
}

afterAll(async () => {
  await emulator?.stop()
})

remoteLogContract('supabase', () => {
  const users = new Map<string, Credentials>()
  const devices: Device[] = []
  return {
    async connect(user) {
      let credentials = users.get(user)
      if (!credentials) users.set(user, (credentials = await newUser(emulator)))
      const device = await signIn(emulator, credentials)
      devices.push(device)
      return { log: createSupabaseRemoteLog({ client: device.client }), userId: device.userId }
    },
    async prune(conversationId, uptoSeq) {
      // The trusted path: only service_role may prune.
      const { error } = await serviceClient().rpc('prune_updates', {
        p_conversation_id: conversationId,
        p_upto_seq: uptoSeq,
      })
      if (error) throw new Error(`prune_updates: ${error.message}`)
    },
    async putSnapshot(conversationId, state, uptoSeq) {
      const { data, error, status } = await serviceClient().rpc('put_snapshot', {
        p_conversation_id: conversationId,
        p_state: encodeBase64(state),
        p_upto_seq: uptoSeq,
      })
      // The same mapping as the remote log's, so the contract sees typed errors.
      if (error) throw mapRpcError('putSnapshot', status, error)
      const { stored, upto_seq } = data as { stored: boolean; upto_seq: number }
      return { stored, uptoSeq: upto_seq }
    },
    async dispose() {
      await Promise.all(devices.map((d) => d.close()))
    },
  }
})

describe('createSupabaseRemoteLog', () => {
  const open = async (): Promise<{ log: RemoteLog; device: Device }> => {
    const device = await signIn(emulator, await newUser(emulator))
    return { log: createSupabaseRemoteLog({ client: device.client, inbox: false }), device }
  }

  it('rejects non-UUID conversation ids without a request', async () => {
    const { log, device } = await open()
    const error = await log.pull('conv-1' as ConversationId, 0).catch((e: unknown) => e)
    expect(isRemoteLogError(error, 'invalid')).toBe(true)
    log.close()
    await device.close()
  })

  it('answers not-authenticated without a session', async () => {
    const client = createClient(emulator.url, emulator.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket as never },
    })
    const log = createSupabaseRemoteLog({ client })
    expect(log.inboxStatus).toBe('connecting')
    const error = await log.listConversations().catch((e: unknown) => e)
    expect(isRemoteLogError(error, 'not-authenticated')).toBe(true)
    expect(isRemoteLogError(error) && error.status).toBe(401)
    log.close()
    await client.realtime.disconnect()
  })

  it('maps an unreachable server to a retryable network error', async () => {
    const log = createSupabaseRemoteLog({
      url: 'http://127.0.0.1:9',
      anonKey: emulator.anonKey,
      clientOptions: {
        auth: { persistSession: false },
        realtime: { transport: WebSocket as never },
      },
      inbox: false,
    })
    const error = await log.listConversations().catch((e: unknown) => e)
    expect(isRemoteLogError(error, 'network')).toBe(true)
    expect(isRemoteLogError(error) && error.retryable).toBe(true)
    log.close()
  })

  it('maps PARLEY_* hints with their details and the server code', async () => {
    const { log, device } = await open()
    const id = crypto.randomUUID() as ConversationId
    await log.createConversation({ id })
    const signer = await registerTestDevice(log)
    const error = await log
      .push(id, [signer.entry(new Uint8Array(300_000))])
      .catch((e: unknown) => e)
    expect(isRemoteLogError(error, 'too-large')).toBe(true)
    expect(error).toMatchObject({
      serverCode: 'PARLEY_UPDATE_TOO_LARGE',
      status: 400,
      details: { index: 0, size: 300_000, limit: 262_144 },
    })
    log.close()
    await device.close()
  })

  it('round-trips every byte value and large updates through base64', async () => {
    const { log, device } = await open()
    const id = crypto.randomUUID() as ConversationId
    await log.createConversation({ id })
    const signer = await registerTestDevice(log)
    const all = Uint8Array.from({ length: 256 }, (_, i) => i)
    const big = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251)
    const pushed = [signer.entry(all), signer.entry(big)]
    await log.push(id, pushed)
    const page = await log.pull(id, 0)
    expect(page.updates.map((u) => u.update)).toEqual([all, big])
    expect(page.updates.map((u) => u.signature)).toEqual(pushed.map((e) => e.signature))
    const { error } = await serviceClient().rpc('put_snapshot', {
      p_conversation_id: id,
      p_state: encodeBase64(big),
      p_upto_seq: 2,
    })
    expect(error).toBeNull()
    expect((await log.getSnapshot(id))?.state).toEqual(big)
    log.close()
    await device.close()
  })

  it('builds invite links with inviteUrl', async () => {
    const device = await signIn(emulator, await newUser(emulator))
    const log = createSupabaseRemoteLog({
      client: device.client,
      inbox: false,
      inviteUrl: (code) => `https://chat.example/join/${code}`,
    })
    const id = crypto.randomUUID() as ConversationId
    await log.createConversation({ id })
    const invite = await log.createInvite(id, { ttlSeconds: null, maxUses: 3 })
    expect(invite).toMatchObject({ expiresAt: null, maxUses: 3, uses: 0 })
    expect(invite.url).toBe(`https://chat.example/join/${invite.code}`)
    log.close()
    await device.close()
  })
})
