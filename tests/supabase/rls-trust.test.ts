// The server side of trust (docs/TRUST.md, supabase/migrations/20261204120000_trust.sql):
// devices and their client ids, signed log rows, snapshots from the service role only, the live
// topic's epoch, membership notices, unprobeable ids and the join rate limit. The first suite
// goes straight to the database roles (like rls.test.ts), on PGlite and on a Postgres server
// when DATABASE_URL is set; the second drives the same contract through the real supabase-js
// and the emulator's HTTP and Realtime servers, where forged tokens can be tried.
import { randomBytes, randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SupabaseClient } from '@supabase/supabase-js'
import { signJwt } from '@parley/supabase-emulator'
import { REALTIME_NOTIFY_CHANNEL } from '../../packages/supabase-emulator/src/db/index.js'
import {
  b64,
  openRlsProject,
  randomClientIds,
  randomDeviceKey,
  randomSignature,
} from './rls-fixture.js'
import type { RlsClient, RlsProject, RlsResult } from './rls-fixture.js'
import { createTestClient, startTarget, targetKinds, type SupabaseTarget } from './target.js'
import { joinError, subscribe } from './conformance-realtime-helpers.js'

const targets: { name: string; target: 'pglite' | { adminUrl: string } }[] = [
  { name: 'pglite', target: 'pglite' },
]
if (process.env.DATABASE_URL) {
  targets.push({ name: 'postgres server', target: { adminUrl: process.env.DATABASE_URL } })
}

const MAX_CLIENT_ID = 9007199254740991
const TOPIC = /^conversation:[0-9a-f-]{36}:[0-9a-f]{32}$/

/** A push item from `device` (the caller's unless a test says otherwise). */
const item = (device: string | null, bytes: number[] = [1, 2, 3]) => ({
  client_update_id: randomUUID(),
  update: b64(bytes),
  device_id: device,
  signature: randomSignature(),
})

function expectParleyError(result: RlsResult, code: string, detail?: Record<string, unknown>) {
  expect(result.error, JSON.stringify(result)).not.toBeNull()
  expect(result.error?.code).toBe('P0001')
  expect(result.error?.hint).toBe(code)
  expect(result.error?.message.startsWith(code + ':')).toBe(true)
  if (detail) expect(JSON.parse(result.error?.details ?? '{}')).toMatchObject(detail)
}

function expectDenied(result: RlsResult): void {
  expect(result.error?.code, JSON.stringify(result)).toBe('42501')
}

interface DeviceRow {
  device_id: string
  user_id: string
  public_key: string
  client_ids: number[]
}
interface MemberRow {
  user_id: string
  role: string
  joined_at: string
}
interface PulledRow {
  seq: number
  update: string
  author: string
  device_id: string | null
  signature: string | null
}
interface Notice {
  topic: string
  event: string
  payload: Record<string, unknown>
}

describe.each(targets)('trust on $name', ({ target }) => {
  let project: RlsProject
  let alice: RlsClient
  let bob: RlsClient
  let carol: RlsClient
  let mallory: RlsClient
  let conversationId: string
  let carolUpdate: { signature: string; update: string }

  /** A conversation owned by `owner` with `members` joined through one invite. */
  async function conversation(owner: RlsClient, ...members: RlsClient[]): Promise<string> {
    const id = randomUUID()
    expect((await owner.rpc('create_conversation', { p_id: id })).error).toBeNull()
    const invite = await owner.rpc<{ code: string }>('create_invite', { p_conversation_id: id })
    for (const member of members) {
      const joined = await member.rpc('join_conversation', { p_code: invite.data?.code })
      expect(joined.error).toBeNull()
    }
    return id
  }

  const register = (who: RlsClient, device: string, key: string, ids: unknown) =>
    who.rpc('register_device', { p_device_id: device, p_public_key: key, p_client_ids: ids })

  /** Collects NOTIFY payloads (Realtime notices) until the returned stop is called. */
  async function recordNotices(): Promise<{ notices: Notice[]; stop: () => Promise<void> }> {
    const notices: Notice[] = []
    const stop = await project.db.listen(REALTIME_NOTIFY_CHANNEL, (text) => {
      notices.push(JSON.parse(text) as Notice)
    })
    return { notices, stop }
  }

  beforeAll(async () => {
    project = await openRlsProject(target)
    alice = await project.signUp()
    bob = await project.signUp()
    carol = await project.signUp()
    mallory = await project.signUp()
    conversationId = await conversation(alice, bob, carol)
    expect(
      (
        await alice.rpc('push_updates', {
          p_conversation_id: conversationId,
          p_updates: [item(alice.deviceId)],
        })
      ).error,
    ).toBeNull()
    const fromCarol = item(carol.deviceId, [4, 5])
    carolUpdate = fromCarol
    expect(
      (
        await carol.rpc('push_updates', {
          p_conversation_id: conversationId,
          p_updates: [fromCarol],
        })
      ).error,
    ).toBeNull()
    expect(
      (await carol.rpc('leave_conversation', { p_conversation_id: conversationId })).error,
    ).toBeNull()
  })

  afterAll(async () => {
    await project?.close()
  })

  describe('devices and device_clients', () => {
    it('show each user their own rows only', async () => {
      const own = await alice.select<{ id: string; user_id: string }>('devices')
      expect(own.data).toEqual([
        expect.objectContaining({ id: alice.deviceId, user_id: alice.userId }),
      ])
      const clients = await alice.select<{ device_id: string }>('device_clients')
      expect(clients.data?.length).toBeGreaterThan(0)
      expect(new Set(clients.data?.map((c) => c.device_id))).toEqual(new Set([alice.deviceId]))
      expect((await alice.select('devices', { id: bob.deviceId ?? '' })).data).toEqual([])
      expect(
        (await alice.select('device_clients', { device_id: bob.deviceId ?? '' })).data,
      ).toEqual([])
      const all = await project.service().select<{ id: string }>('devices')
      expect(all.data?.map((d) => d.id)).toEqual(
        expect.arrayContaining([alice.deviceId, bob.deviceId, carol.deviceId]),
      )
    })

    it('cannot be written directly, not even one’s own rows', async () => {
      expectDenied(
        await alice.insert('devices', {
          id: randomUUID(),
          user_id: alice.userId,
          public_key: '\\x' + '00'.repeat(32),
        }),
      )
      expectDenied(
        await alice.insert('device_clients', { client_id: 12345, device_id: alice.deviceId }),
      )
      expectDenied(
        await alice.update('devices', { user_id: bob.userId }, { id: alice.deviceId ?? '' }),
      )
      expectDenied(await alice.delete('devices', { id: alice.deviceId ?? '' }))
      expectDenied(await alice.delete('device_clients', { device_id: alice.deviceId ?? '' }))
    })

    it('are invisible to anon', async () => {
      const anon = project.anon()
      expectDenied(await anon.select('devices'))
      expectDenied(await anon.select('device_clients'))
      expectDenied(
        await anon.insert('devices', {
          id: randomUUID(),
          user_id: alice.userId,
          public_key: '\\x' + '00'.repeat(32),
        }),
      )
    })
  })

  describe('register_device', () => {
    it('binds a device and client ids to the caller, idempotently', async () => {
      const device = randomUUID()
      const key = randomDeviceKey()
      const [a, b, c] = randomClientIds(3)
      expect(await register(mallory, device, key, [a, b])).toEqual({ data: null, error: null })
      // Same call again, then with one old and one new id: both fine.
      expect((await register(mallory, device, key, [a, b])).error).toBeNull()
      expect((await register(mallory, device, key, [b, c, c])).error).toBeNull()
      const rows = await mallory.select<{ client_id: number }>('device_clients', {
        device_id: device,
      })
      expect(rows.data?.map((r) => r.client_id).sort()).toEqual([a, b, c].sort())
      const stored = await project.db.query<{ user_id: string; key: string }>(
        `select user_id::text, encode(public_key, 'base64') as key from public.devices where id = $1`,
        [device],
      )
      expect(stored.rows).toEqual([{ user_id: mallory.userId, key }])
      // Ids at the edges of the range.
      const edge = randomUUID()
      expect((await register(mallory, edge, randomDeviceKey(), [MAX_CLIENT_ID])).error).toBeNull()
    })

    it('accepts URL-safe base64 and \\x hex keys like the other binary inputs', async () => {
      const bytes = randomBytes(32)
      const device = randomUUID()
      expect(
        (await register(mallory, device, bytes.toString('base64url'), randomClientIds(1))).error,
      ).toBeNull()
      expect(
        (await register(mallory, device, '\\x' + bytes.toString('hex'), randomClientIds(1))).error,
      ).toBeNull()
    })

    it('refuses a device id of another user, or the same id with another key', async () => {
      const key = randomDeviceKey()
      const device = randomUUID()
      expect((await register(bob, device, key, randomClientIds(1))).error).toBeNull()
      expectParleyError(
        await register(mallory, device, key, randomClientIds(1)),
        'PARLEY_DEVICE_TAKEN',
        {
          device_id: device,
        },
      )
      expectParleyError(
        await register(bob, device, randomDeviceKey(), randomClientIds(1)),
        'PARLEY_DEVICE_TAKEN',
      )
      expectParleyError(
        await register(mallory, alice.deviceId ?? '', randomDeviceKey(), randomClientIds(1)),
        'PARLEY_DEVICE_TAKEN',
      )
    })

    it('refuses a client id bound to another device, all or nothing', async () => {
      const [mine, fresh] = randomClientIds(2)
      const first = randomUUID()
      expect((await register(bob, first, randomDeviceKey(), [mine])).error).toBeNull()
      const second = randomUUID()
      expectParleyError(
        await register(bob, second, randomDeviceKey(), [fresh, mine]),
        'PARLEY_CLIENT_ID_TAKEN',
        { client_id: mine },
      )
      expectParleyError(
        await register(mallory, randomUUID(), randomDeviceKey(), [mine]),
        'PARLEY_CLIENT_ID_TAKEN',
        { client_id: mine },
      )
      // Nothing of the refused call was kept.
      const kept = await project.db.query('select 1 from public.devices where id = $1', [second])
      expect(kept.rows).toEqual([])
      const freshRows = await project.db.query(
        'select 1 from public.device_clients where client_id = $1',
        [fresh],
      )
      expect(freshRows.rows).toEqual([])
    })

    it('validates its arguments', async () => {
      const device = randomUUID()
      const key = randomDeviceKey()
      const invalid: [string, string | null, string | null, unknown][] = [
        ['no device id', null, key, [1]],
        ['key not base64', device, '@@@@', [1]],
        ['key of 31 bytes', device, b64(randomBytes(31)), [1]],
        ['key of 33 bytes', device, b64(randomBytes(33)), [1]],
        ['no key', device, null, [1]],
        ['empty key', device, '', [1]],
        ['null ids', device, key, null],
        ['empty ids', device, key, []],
        ['id 0', device, key, [0]],
        ['negative id', device, key, [-5]],
        ['id above 2^53 - 1', device, key, [MAX_CLIENT_ID + 1]],
        ['null id', device, key, [7, null]],
        ['65 ids', device, key, randomClientIds(65)],
      ]
      for (const [what, id, k, ids] of invalid) {
        const result = await mallory.rpc('register_device', {
          p_device_id: id,
          p_public_key: k,
          p_client_ids: ids,
        })
        expect(result.error?.hint, what).toBe('PARLEY_INVALID_ARGUMENT')
      }
      expect((await register(mallory, device, key, randomClientIds(64))).error).toBeNull()
    })

    it('caps a device at 4096 client ids', async () => {
      const device = randomUUID()
      const key = randomDeviceKey()
      expect((await register(mallory, device, key, randomClientIds(1))).error).toBeNull()
      // Fill up to 4090 directly (64 per call would take 64 calls).
      await project.db.query(
        `insert into public.device_clients (client_id, device_id)
         select 4503599627370496 + g, $1 from generate_series(1, 4089) g`,
        [device],
      )
      expectParleyError(
        await register(mallory, device, key, randomClientIds(7)),
        'PARLEY_TOO_MANY_CLIENT_IDS',
        { count: 4097, limit: 4096 },
      )
      expect((await register(mallory, device, key, randomClientIds(6))).error).toBeNull()
      expectParleyError(
        await register(mallory, device, key, randomClientIds(1)),
        'PARLEY_TOO_MANY_CLIENT_IDS',
      )
    })

    it('is refused to anon', async () => {
      expectDenied(await register(project.anon(), randomUUID(), randomDeviceKey(), [1]))
    })
  })

  describe('conversation_devices', () => {
    it('lists members’ devices and every device in the log, with keys and client ids', async () => {
      const extra = randomUUID()
      const extraKey = randomDeviceKey()
      const extraIds = randomClientIds(2)
      expect((await register(bob, extra, extraKey, extraIds)).error).toBeNull()
      const result = await bob.rpc<DeviceRow[]>('conversation_devices', {
        p_conversation_id: conversationId,
      })
      expect(result.error).toBeNull()
      const byDevice = new Map(result.data?.map((d) => [d.device_id, d]))
      // Alice and Bob are members; Carol left but her update is in the log.
      expect(byDevice.get(alice.deviceId ?? '')).toMatchObject({ user_id: alice.userId })
      expect(byDevice.get(bob.deviceId ?? '')).toMatchObject({ user_id: bob.userId })
      expect(byDevice.get(carol.deviceId ?? '')).toMatchObject({ user_id: carol.userId })
      expect(byDevice.get(extra)).toEqual({
        device_id: extra,
        user_id: bob.userId,
        public_key: extraKey,
        client_ids: [...extraIds].sort((x, y) => x - y),
      })
      expect([...byDevice.values()].map((d) => d.user_id)).not.toContain(mallory.userId)
      const aliceKeys = await project.db.query<{ key: string }>(
        `select encode(public_key, 'base64') as key from public.devices where id = $1`,
        [alice.deviceId],
      )
      expect(byDevice.get(alice.deviceId ?? '')?.public_key).toBe(aliceKeys.rows[0]?.key)
      expect(byDevice.get(alice.deviceId ?? '')?.client_ids).toHaveLength(4)
    })

    it('is refused to non-members, former members and anon', async () => {
      const p = { p_conversation_id: conversationId }
      expectParleyError(await mallory.rpc('conversation_devices', p), 'PARLEY_NOT_MEMBER')
      expectParleyError(await carol.rpc('conversation_devices', p), 'PARLEY_NOT_MEMBER')
      expectParleyError(
        await mallory.rpc('conversation_devices', { p_conversation_id: randomUUID() }),
        'PARLEY_NOT_MEMBER',
      )
      expectDenied(await project.anon().rpc('conversation_devices', p))
    })
  })

  describe('list_members', () => {
    it('lists the current members with their roles', async () => {
      const result = await bob.rpc<MemberRow[]>('list_members', {
        p_conversation_id: conversationId,
      })
      expect(result.error).toBeNull()
      expect(result.data?.map((m) => [m.user_id, m.role])).toEqual([
        [alice.userId, 'owner'],
        [bob.userId, 'member'],
      ])
      expect(Number.isNaN(Date.parse(result.data?.[0]?.joined_at ?? ''))).toBe(false)
    })

    it('is refused to non-members, former members and anon', async () => {
      const p = { p_conversation_id: conversationId }
      expectParleyError(await mallory.rpc('list_members', p), 'PARLEY_NOT_MEMBER')
      expectParleyError(await carol.rpc('list_members', p), 'PARLEY_NOT_MEMBER')
      expectDenied(await project.anon().rpc('list_members', p))
    })
  })

  describe('conversation_topic and the live topic', () => {
    it('gives every member the same current topic', async () => {
      const fromAlice = await alice.rpc<string>('conversation_topic', {
        p_conversation_id: conversationId,
      })
      const fromBob = await bob.rpc<string>('conversation_topic', {
        p_conversation_id: conversationId,
      })
      expect(fromAlice.data).toMatch(TOPIC)
      expect(fromAlice.data?.startsWith(`conversation:${conversationId}:`)).toBe(true)
      expect(fromBob.data).toBe(fromAlice.data)
    })

    it('is refused to non-members, former members and anon', async () => {
      const p = { p_conversation_id: conversationId }
      expectParleyError(await mallory.rpc('conversation_topic', p), 'PARLEY_NOT_MEMBER')
      expectParleyError(await carol.rpc('conversation_topic', p), 'PARLEY_NOT_MEMBER')
      expectDenied(await project.anon().rpc('conversation_topic', p))
    })

    it('lets only members join the current epoch’s topic, read and write', async () => {
      const topic = (
        await alice.rpc<string>('conversation_topic', { p_conversation_id: conversationId })
      ).data as string
      for (const ext of ['broadcast', 'presence'] as const) {
        for (const write of [false, true]) {
          expect(await alice.authorize(topic, ext, write)).toBe(true)
          expect(await bob.authorize(topic, ext, write)).toBe(true)
          expect(await mallory.authorize(topic, ext, write)).toBe(false)
          expect(await carol.authorize(topic, ext, write)).toBe(false)
          expect(await project.anon().authorize(topic, ext, write)).toBe(false)
        }
      }
      const epoch = topic.slice(topic.lastIndexOf(':') + 1)
      const other = randomBytes(16).toString('hex')
      for (const wrong of [
        `conversation:${conversationId}:${other}`,
        `conversation:${conversationId}:${epoch.toUpperCase()}`,
        `conversation:${conversationId}:${epoch}x`,
        `conversation:${conversationId}:${epoch.slice(1)}`,
        `conversation:${conversationId}:`,
        `conversation:${randomUUID()}:${epoch}`,
      ]) {
        expect(await alice.authorize(wrong, 'broadcast', false), wrong).toBe(false)
      }
    })

    it('moves to a new epoch when someone leaves, not when someone joins', async () => {
      const dave = await project.signUp()
      const id = await conversation(alice, bob)
      const topicOf = async (who: RlsClient) =>
        (await who.rpc<string>('conversation_topic', { p_conversation_id: id })).data as string
      const before = await topicOf(alice)
      const invite = await alice.rpc<{ code: string }>('create_invite', { p_conversation_id: id })
      expect((await dave.rpc('join_conversation', { p_code: invite.data?.code })).error).toBeNull()
      expect(await topicOf(dave)).toBe(before)
      expect(await dave.authorize(before, 'broadcast', false)).toBe(true)

      expect((await dave.rpc('leave_conversation', { p_conversation_id: id })).error).toBeNull()
      const after = await topicOf(alice)
      expect(after).toMatch(TOPIC)
      expect(after).not.toBe(before)
      expect(await topicOf(bob)).toBe(after)
      // The old epoch is closed to everyone; the new one is open to the remaining members only.
      for (const who of [alice, bob, dave]) {
        expect(await who.authorize(before, 'broadcast', false)).toBe(false)
        expect(await who.authorize(before, 'broadcast', true)).toBe(false)
      }
      expect(await alice.authorize(after, 'broadcast', true)).toBe(true)
      expect(await bob.authorize(after, 'presence', false)).toBe(true)
      expect(await dave.authorize(after, 'broadcast', false)).toBe(false)
      expect(await dave.authorize(after, 'broadcast', true)).toBe(false)
      // A no-op leave (not a member) changes nothing.
      expect((await dave.rpc('leave_conversation', { p_conversation_id: id })).error).toBeNull()
      expect(await topicOf(alice)).toBe(after)
    })

    it('still allows the epoch-less conversation:<id> topic to members only (until clients move)', async () => {
      const topic = `conversation:${conversationId}`
      expect(await alice.authorize(topic, 'broadcast', true)).toBe(true)
      expect(await bob.authorize(topic, 'presence', false)).toBe(true)
      expect(await carol.authorize(topic, 'broadcast', false)).toBe(false)
      expect(await mallory.authorize(topic, 'broadcast', false)).toBe(false)
    })
  })

  describe('push_updates and pull_updates with devices', () => {
    it('store and return the device and the signature of every row', async () => {
      const id = await conversation(alice, bob)
      const items = [item(alice.deviceId, [1]), item(alice.deviceId, [2, 2])]
      const pushed = await alice.rpc<{ seq: number }[]>('push_updates', {
        p_conversation_id: id,
        p_updates: items,
      })
      expect(pushed.data?.map((r) => r.seq)).toEqual([1, 2])
      const pulled = await bob.rpc<PulledRow[]>('pull_updates', { p_conversation_id: id })
      expect(pulled.data).toEqual(
        items.map((sent, i) =>
          expect.objectContaining({
            seq: i + 1,
            update: sent.update,
            author: alice.userId,
            device_id: alice.deviceId,
            signature: sent.signature,
          }),
        ),
      )
    })

    it('keeps pulled rows of a former member with their device', async () => {
      const pulled = await alice.rpc<PulledRow[]>('pull_updates', {
        p_conversation_id: conversationId,
      })
      expect(pulled.data?.[1]).toMatchObject({
        author: carol.userId,
        device_id: carol.deviceId,
        signature: carolUpdate.signature,
        update: carolUpdate.update,
      })
    })

    it('returns null device and signature for rows older than devices', async () => {
      const id = await conversation(alice)
      await project.db.query(
        `insert into public.conversation_updates (conversation_id, seq, update, author, client_update_id)
         values ($1, 1, '\\x01', $2, $3)`,
        [id, alice.userId, randomUUID()],
      )
      await project.db.query('update public.conversations set last_seq = 1 where id = $1', [id])
      const pulled = await alice.rpc<PulledRow[]>('pull_updates', { p_conversation_id: id })
      expect(pulled.data?.[0]).toMatchObject({ seq: 1, device_id: null, signature: null })
    })

    it('refuses a device that is not the caller’s, with the index, all or nothing', async () => {
      const id = await conversation(alice, bob)
      for (const device of [alice.deviceId, carol.deviceId, randomUUID()]) {
        expectParleyError(
          await bob.rpc('push_updates', {
            p_conversation_id: id,
            p_updates: [item(bob.deviceId), item(device)],
          }),
          'PARLEY_UNKNOWN_DEVICE',
          { index: 1 },
        )
      }
      const log = await bob.rpc<PulledRow[]>('pull_updates', { p_conversation_id: id })
      expect(log.data).toEqual([])
    })

    it('refuses items without a well-formed device id or a 64-byte signature', async () => {
      const id = await conversation(alice)
      const good = item(alice.deviceId)
      const without = (key: string) =>
        Object.fromEntries(Object.entries(good).filter(([k]) => k !== key))
      const bad: [string, unknown][] = [
        ['63-byte signature', { ...good, signature: b64(randomBytes(63)) }],
        ['65-byte signature', { ...good, signature: b64(randomBytes(65)) }],
        ['signature not base64', { ...good, signature: '%%%' }],
        ['empty signature', { ...good, signature: '' }],
        ['signature not a string', { ...good, signature: 42 }],
        ['no signature', without('signature')],
        ['no device id', without('device_id')],
        ['null device id', { ...good, device_id: null }],
        ['device id not a uuid', { ...good, device_id: 'phone' }],
      ]
      for (const [what, entry] of bad) {
        const result = await alice.rpc('push_updates', {
          p_conversation_id: id,
          p_updates: [item(alice.deviceId), entry],
        })
        expect(result.error?.hint, what).toBe('PARLEY_INVALID_UPDATE')
        expect(JSON.parse(result.error?.details ?? '{}'), what).toMatchObject({ index: 1 })
      }
      // Hex signatures are accepted like hex updates.
      const hex = await alice.rpc('push_updates', {
        p_conversation_id: id,
        p_updates: [{ ...good, signature: '\\x' + randomBytes(64).toString('hex') }],
      })
      expect(hex.error).toBeNull()
    })

    it('treats a client_update_id again with another device or signature as reuse', async () => {
      const id = await conversation(alice)
      const second = randomUUID()
      expect(
        (await register(alice, second, randomDeviceKey(), randomClientIds(1))).error,
      ).toBeNull()
      const first = item(alice.deviceId)
      await alice.rpc('push_updates', { p_conversation_id: id, p_updates: [first] })
      const retry = await alice.rpc<{ seq: number; duplicate: boolean }[]>('push_updates', {
        p_conversation_id: id,
        p_updates: [first],
      })
      expect(retry.data).toEqual([
        { client_update_id: first.client_update_id, seq: 1, duplicate: true },
      ])
      expectParleyError(
        await alice.rpc('push_updates', {
          p_conversation_id: id,
          p_updates: [{ ...first, signature: randomSignature() }],
        }),
        'PARLEY_CLIENT_UPDATE_ID_REUSED',
        { index: 0 },
      )
      expectParleyError(
        await alice.rpc('push_updates', {
          p_conversation_id: id,
          p_updates: [{ ...first, device_id: second }],
        }),
        'PARLEY_CLIENT_UPDATE_ID_REUSED',
      )
    })

    it('are refused to former members and anon', async () => {
      const p = { p_conversation_id: conversationId }
      expectParleyError(
        await carol.rpc('push_updates', { ...p, p_updates: [item(carol.deviceId)] }),
        'PARLEY_NOT_MEMBER',
      )
      expectParleyError(await carol.rpc('pull_updates', p), 'PARLEY_NOT_MEMBER')
      expectDenied(await project.anon().rpc('pull_updates', p))
    })
  })

  describe('snapshots', () => {
    it('are written by the service role only; members still read them', async () => {
      const p = { p_conversation_id: conversationId, p_state: b64([1]), p_upto_seq: 1 }
      for (const who of [alice, bob, carol, mallory, project.anon()]) {
        expectDenied(await who.rpc('put_snapshot', p))
      }
      const stored = await project.service().rpc('put_snapshot', p)
      expect(stored).toEqual({ data: { stored: true, upto_seq: 1 }, error: null })
      const read = await bob.rpc<{ upto_seq: number }>('get_snapshot', {
        p_conversation_id: conversationId,
      })
      expect(read.data).toMatchObject({ upto_seq: 1, state: b64([1]), created_by: null })
      expectParleyError(
        await carol.rpc('get_snapshot', { p_conversation_id: conversationId }),
        'PARLEY_NOT_MEMBER',
      )
    })
  })

  describe('membership notices', () => {
    it('tell every member’s inbox when someone joins or leaves', async () => {
      const dave = await project.signUp()
      const id = await conversation(alice, bob)
      const invite = await alice.rpc<{ code: string }>('create_invite', { p_conversation_id: id })
      const { notices, stop } = await recordNotices()
      try {
        expect(
          (await dave.rpc('join_conversation', { p_code: invite.data?.code })).error,
        ).toBeNull()
        const changed = (who: RlsClient) =>
          expect.objectContaining({
            topic: `inbox:${who.userId}`,
            event: 'members-changed',
            payload: { conversation_id: id },
          })
        await expect.poll(() => notices.filter((n) => n.event === 'members-changed').length).toBe(4)
        expect(notices).toEqual(
          expect.arrayContaining([
            changed(alice),
            changed(bob),
            changed(dave),
            expect.objectContaining({
              topic: `inbox:${dave.userId}`,
              event: 'conversation-joined',
            }),
            expect.objectContaining({
              topic: `conversation:${id}`,
              event: 'members-changed',
              payload: { conversation_id: id, user_id: dave.userId, change: 'joined' },
            }),
          ]),
        )
        notices.length = 0
        expect((await bob.rpc('leave_conversation', { p_conversation_id: id })).error).toBeNull()
        await expect.poll(() => notices.some((n) => n.event === 'conversation-left')).toBe(true)
        await expect.poll(() => notices.filter((n) => n.event === 'members-changed').length).toBe(3)
        const inboxes = notices
          .filter((n) => n.event === 'members-changed' && n.topic.startsWith('inbox:'))
          .map((n) => n.topic)
          .sort()
        expect(inboxes).toEqual([`inbox:${alice.userId}`, `inbox:${dave.userId}`].sort())
        expect(notices).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ topic: `inbox:${bob.userId}`, event: 'conversation-left' }),
            expect.objectContaining({
              topic: `conversation:${id}`,
              event: 'members-changed',
              payload: { conversation_id: id, user_id: bob.userId, change: 'left' },
            }),
          ]),
        )
        // A failed join and a no-op leave notify nobody.
        notices.length = 0
        await mallory.rpc('join_conversation', { p_code: 'ZZZZ-ZZZZ' })
        await bob.rpc('leave_conversation', { p_conversation_id: id })
        await alice.rpc('get_limits')
        expect(notices).toEqual([])
      } finally {
        await stop()
      }
    })
  })

  describe('conversation ids cannot be probed', () => {
    it('answers a taken id exactly like a conversation that does not exist', async () => {
      const taken = await conversation(alice)
      const created = await mallory.rpc('create_conversation', { p_id: taken })
      const asked = await mallory.rpc('get_snapshot', { p_conversation_id: taken })
      const missingId = randomUUID()
      const missing = await mallory.rpc('pull_updates', { p_conversation_id: missingId })
      expectParleyError(created, 'PARLEY_NOT_MEMBER', { conversation_id: taken })
      expect(created.error).toEqual(asked.error)
      expect({ ...created.error, details: null }).toEqual({ ...missing.error, details: null })
      expect(missing.error?.details).toBe(created.error?.details?.replace(taken, missingId))
      // A former member gets the same answer and cannot re-create it either.
      expectParleyError(
        await carol.rpc('create_conversation', { p_id: conversationId }),
        'PARLEY_NOT_MEMBER',
      )
      // The owner's retry is still idempotent.
      expect((await alice.rpc('create_conversation', { p_id: taken })).error).toBeNull()
    })
  })

  describe('join rate limit', () => {
    /** Moves every failure window 601 s into the past (superuser; the counters are sequences). */
    async function ageFailureWindows(): Promise<void> {
      await project.db.exec(`
        do $$
        declare v bigint;
        begin
          for i in 0..127 loop
            execute format('select last_value from private.join_failure_slot_%s', i) into v;
            if v <> 0 then
              perform setval(format('private.join_failure_slot_%s', i)::regclass,
                v - (601::bigint << 32), true);
            end if;
          end loop;
        end
        $$`)
    }

    it('allows 10 failed codes per 10 minutes, then refuses every attempt', async () => {
      const eve = await project.signUp()
      const bystander = await project.signUp()
      const id = await conversation(alice)
      const open = await alice.rpc<{ code: string }>('create_invite', { p_conversation_id: id })
      const once = await alice.rpc<{ code: string }>('create_invite', {
        p_conversation_id: id,
        p_max_uses: 1,
      })
      expect(
        (await bystander.rpc('join_conversation', { p_code: once.data?.code })).error,
      ).toBeNull()
      const old = await alice.rpc<{ code: string }>('create_invite', { p_conversation_id: id })
      await project.db.query(
        `update public.conversation_invites set expires_at = now() - interval '1 second' where code = $1`,
        [old.data?.code],
      )
      const failures: [string, string | undefined][] = [
        ['PARLEY_INVITE_EXHAUSTED', once.data?.code],
        ['PARLEY_INVITE_EXPIRED', old.data?.code],
        ...Array.from({ length: 8 }, (): [string, string] => [
          'PARLEY_INVITE_NOT_FOUND',
          'ZZZZZZZZ',
        ]),
      ]
      for (const [code, invite] of failures) {
        expectParleyError(await eve.rpc('join_conversation', { p_code: invite }), code)
      }
      const limited = await eve.rpc('join_conversation', { p_code: 'ZZZZZZZZ' })
      expectParleyError(limited, 'PARLEY_RATE_LIMITED')
      const retry = (JSON.parse(limited.error?.details ?? '{}') as { retry_after_s: number })
        .retry_after_s
      expect(retry).toBeGreaterThan(0)
      expect(retry).toBeLessThanOrEqual(600)
      // Even a good code waits: otherwise the limit would not slow down guessing.
      expectParleyError(
        await eve.rpc('join_conversation', { p_code: open.data?.code }),
        'PARLEY_RATE_LIMITED',
      )
      // Others are not affected; a member re-joining is not a failure.
      expectParleyError(
        await bystander.rpc('join_conversation', { p_code: 'ZZZZZZZZ' }),
        'PARLEY_INVITE_NOT_FOUND',
      )
      expect(
        (await bystander.rpc('join_conversation', { p_code: open.data?.code })).error,
      ).toBeNull()

      await ageFailureWindows()
      expect((await eve.rpc('join_conversation', { p_code: open.data?.code })).error).toBeNull()
    })

    it('does not count successful joins', async () => {
      const frank = await project.signUp()
      const id = await conversation(alice)
      const open = await alice.rpc<{ code: string }>('create_invite', { p_conversation_id: id })
      for (let i = 0; i < 12; i++) {
        expect((await frank.rpc('join_conversation', { p_code: open.data?.code })).error).toBeNull()
      }
    })
  })
})

// The same contract through the real supabase-js and the emulator's HTTP and Realtime servers
// (or a real project when SUPABASE_URL is set): PostgREST's array binding for client ids, the
// status codes, tokens signed with the wrong secret, and the live topic on a real channel.
describe.each(targetKinds())('trust through supabase-js (%s)', (kind) => {
  let target: SupabaseTarget
  const clients: SupabaseClient[] = []

  async function signIn(): Promise<{ supabase: SupabaseClient; userId: string; token: string }> {
    const supabase = createTestClient(target)
    clients.push(supabase)
    const { data, error } = await supabase.auth.signInAnonymously()
    if (error || !data.session || !data.user) throw new Error(`sign-in failed: ${error?.message}`)
    await supabase.realtime.setAuth(data.session.access_token)
    return { supabase, userId: data.user.id, token: data.session.access_token }
  }

  /** A token claiming to be `claims`, signed with a secret the server does not know. */
  const forge = (claims: { role: string; sub?: string }) =>
    signJwt(
      { aud: 'authenticated', iat: Math.floor(Date.now() / 1000), exp: 4_000_000_000, ...claims },
      'not-the-project-secret-but-32-characters-long',
    )

  const rpcWithToken = (fn: string, token: string, body: unknown) =>
    fetch(`${target.url}/rest/v1/rpc/${fn}`, {
      method: 'POST',
      headers: {
        apikey: target.anonKey,
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    })

  beforeAll(async () => {
    // Refused joins answer at once instead of after Realtime's 5 s join backoff.
    target = await startTarget(kind, { realtime: { joinErrorDelayMs: 20 } })
  })

  afterAll(async () => {
    for (const supabase of clients) {
      await supabase.removeAllChannels()
      await supabase.realtime.disconnect()
    }
    await target.stop()
  })

  it('registers devices, pushes signed updates and lists devices, members and the topic', async () => {
    const alice = await signIn()
    const bob = await signIn()
    const device = randomUUID()
    const key = randomDeviceKey()
    const ids = randomClientIds(3)
    const registered = await alice.supabase.rpc('register_device', {
      p_device_id: device,
      p_public_key: key,
      p_client_ids: ids,
    })
    expect(registered.error).toBeNull()
    expect(registered.status).toBe(204)
    const id = randomUUID()
    expect((await alice.supabase.rpc('create_conversation', { p_id: id })).error).toBeNull()
    const invite = await alice.supabase.rpc('create_invite', { p_conversation_id: id })
    const code = (invite.data as { code: string }).code
    expect((await bob.supabase.rpc('join_conversation', { p_code: code })).error).toBeNull()
    const sent = item(device, [9, 8, 7])
    const pushed = await alice.supabase.rpc('push_updates', {
      p_conversation_id: id,
      p_updates: [sent],
    })
    expect(pushed.error).toBeNull()
    const pulled = await bob.supabase.rpc('pull_updates', { p_conversation_id: id })
    expect(pulled.data).toEqual([
      expect.objectContaining({
        device_id: device,
        signature: sent.signature,
        update: sent.update,
      }),
    ])
    const devices = await bob.supabase.rpc('conversation_devices', { p_conversation_id: id })
    expect(devices.data).toEqual([
      {
        device_id: device,
        user_id: alice.userId,
        public_key: key,
        client_ids: [...ids].sort((x, y) => x - y),
      },
    ])
    const members = await bob.supabase.rpc('list_members', { p_conversation_id: id })
    expect((members.data as MemberRow[]).map((m) => m.role)).toEqual(['owner', 'member'])
    const topic = await bob.supabase.rpc('conversation_topic', { p_conversation_id: id })
    expect(topic.data).toMatch(TOPIC)
    const unknown = await bob.supabase.rpc('push_updates', {
      p_conversation_id: id,
      p_updates: [item(device)],
    })
    expect(unknown.status).toBe(400)
    expect(unknown.error?.hint).toBe('PARLEY_UNKNOWN_DEVICE')
  })

  it('refuses tokens signed with another secret on every trust RPC', async () => {
    const alice = await signIn()
    const asAlice = forge({ role: 'authenticated', sub: alice.userId })
    const asService = forge({ role: 'service_role' })
    const id = randomUUID()
    const calls: [string, string, unknown][] = [
      [
        'register_device',
        asAlice,
        { p_device_id: id, p_public_key: randomDeviceKey(), p_client_ids: [1] },
      ],
      ['conversation_devices', asAlice, { p_conversation_id: id }],
      ['list_members', asAlice, { p_conversation_id: id }],
      ['conversation_topic', asAlice, { p_conversation_id: id }],
      ['push_updates', asAlice, { p_conversation_id: id, p_updates: [item(id)] }],
      ['pull_updates', asAlice, { p_conversation_id: id }],
      ['join_conversation', asAlice, { p_code: 'ZZZZZZZZ' }],
      ['put_snapshot', asService, { p_conversation_id: id, p_state: b64([1]), p_upto_seq: 1 }],
      ['prune_updates', asService, { p_conversation_id: id, p_upto_seq: 1 }],
    ]
    for (const [fn, token, body] of calls) {
      const response = await rpcWithToken(fn, token, body)
      expect(response.status, fn).toBe(401)
      expect(((await response.json()) as { code: string }).code, fn).toMatch(/^PGRST30[13]$/)
    }
    // Nothing was registered under Alice's name.
    const service = createTestClient(target, target.serviceRoleKey)
    const { data } = await service.from('devices').select('id').eq('id', id)
    expect(data).toEqual([])
  })

  it('lets only the service role write snapshots', async () => {
    const alice = await signIn()
    const id = randomUUID()
    await alice.supabase.rpc('create_conversation', { p_id: id })
    const device = randomUUID()
    await alice.supabase.rpc('register_device', {
      p_device_id: device,
      p_public_key: randomDeviceKey(),
      p_client_ids: randomClientIds(1),
    })
    await alice.supabase.rpc('push_updates', { p_conversation_id: id, p_updates: [item(device)] })
    const args = { p_conversation_id: id, p_state: b64([1, 2]), p_upto_seq: 1 }
    const refused = await alice.supabase.rpc('put_snapshot', args)
    expect(refused.error?.code).toBe('42501')
    expect(refused.status).toBe(403)
    const anon = createTestClient(target)
    expect((await anon.rpc('put_snapshot', args)).status).toBe(401)
    const service = createTestClient(target, target.serviceRoleKey)
    const stored = await service.rpc('put_snapshot', args)
    expect(stored).toMatchObject({ data: { stored: true, upto_seq: 1 }, error: null })
  })

  it('opens the current topic’s channel to members only and closes the old epoch after a leave', async () => {
    const alice = await signIn()
    const bob = await signIn()
    const mallory = await signIn()
    const id = randomUUID()
    await alice.supabase.rpc('create_conversation', { p_id: id })
    const invite = await alice.supabase.rpc('create_invite', { p_conversation_id: id })
    const code = (invite.data as { code: string }).code
    await bob.supabase.rpc('join_conversation', { p_code: code })
    const before = (await alice.supabase.rpc('conversation_topic', { p_conversation_id: id }))
      .data as string
    const channel = (who: { supabase: SupabaseClient }, topic: string) =>
      who.supabase.channel(topic, { config: { private: true } })
    await subscribe(channel(alice, before))
    await subscribe(channel(bob, before))
    await joinError(channel(mallory, before))

    expect(
      (await bob.supabase.rpc('leave_conversation', { p_conversation_id: id })).error,
    ).toBeNull()
    const after = (await alice.supabase.rpc('conversation_topic', { p_conversation_id: id }))
      .data as string
    expect(after).not.toBe(before)
    await subscribe(channel(alice, after))
    await joinError(channel(bob, after))
    // A fresh join of the old epoch is refused to everyone, members included (new clients:
    // supabase-js hands back the existing channel for a topic it already has).
    for (const who of [alice, bob]) {
      const fresh = createTestClient(target)
      clients.push(fresh)
      await fresh.realtime.setAuth(who.token)
      await joinError(fresh.channel(before, { config: { private: true } }))
    }
  })
})
