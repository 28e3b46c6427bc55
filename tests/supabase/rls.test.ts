// Row-level security and RPC contract of supabase/migrations, on PGlite and (when DATABASE_URL
// points at a Postgres server, as in CI) on a fresh database of that server.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REALTIME_NOTIFY_CHANNEL } from '../../packages/supabase-emulator/src/db/index.js'
import { b64, openRlsProject, randomSignature } from './rls-fixture.js'
import type { RlsClient, RlsProject, RlsResult } from './rls-fixture.js'

const targets: { name: string; target: 'pglite' | { adminUrl: string } }[] = [
  { name: 'pglite', target: 'pglite' },
]
if (process.env.DATABASE_URL) {
  targets.push({ name: 'postgres server', target: { adminUrl: process.env.DATABASE_URL } })
}

const TABLES = [
  'conversations',
  'conversation_members',
  'conversation_invites',
  'conversation_updates',
  'conversation_snapshots',
] as const

/** The filter selecting one conversation's rows of a table. */
const matchConversation = (table: string, id: string): Record<string, string> =>
  table === 'conversations' ? { id } : { conversation_id: id }

/** A push item made by `who`'s registered device (the server stores, not checks, signatures). */
const update = (who: RlsClient, bytes: number[] | Uint8Array) => ({
  client_update_id: randomUUID(),
  update: b64(bytes),
  device_id: who.deviceId,
  signature: randomSignature(),
})

/** Asserts a Parley error code (P0001 with the code as hint and message prefix). */
function expectParleyError(result: RlsResult, code: string): void {
  expect(result.error, JSON.stringify(result)).not.toBeNull()
  expect(result.error?.code).toBe('P0001')
  expect(result.error?.hint).toBe(code)
  expect(result.error?.message.startsWith(code + ':')).toBe(true)
}

function expectDenied(result: RlsResult): void {
  expect(result.error?.code, JSON.stringify(result)).toBe('42501')
}

interface SeqRow {
  client_update_id: string
  seq: number
  duplicate: boolean
}
interface PulledRow {
  seq: number
  update: string
  author: string
  client_update_id: string
}
interface Summary {
  id: string
  role: string
  last_seq: number
  title: string
}

describe.each(targets)('RLS on $name', ({ target }) => {
  let project: RlsProject
  let alice: RlsClient
  let bob: RlsClient
  let mallory: RlsClient
  let conversationId: string

  beforeAll(async () => {
    project = await openRlsProject(target)
    alice = await project.signUp()
    bob = await project.signUp()
    mallory = await project.signUp()
    conversationId = randomUUID()
    const created = await alice.rpc<Summary>('create_conversation', {
      p_id: conversationId,
      p_title: 'Team',
      p_kind: 'group',
    })
    expect(created.error).toBeNull()
    const invite = await alice.rpc<{ code: string }>('create_invite', {
      p_conversation_id: conversationId,
    })
    expect(invite.error).toBeNull()
    const joined = await bob.rpc('join_conversation', { p_code: invite.data?.code })
    expect(joined.error).toBeNull()
    const pushed = await alice.rpc('push_updates', {
      p_conversation_id: conversationId,
      p_updates: [update(alice, [1, 2, 3])],
    })
    expect(pushed.error).toBeNull()
    const snap = await project.service().rpc('put_snapshot', {
      p_conversation_id: conversationId,
      p_state: b64([9, 9]),
      p_upto_seq: 1,
    })
    expect(snap.error).toBeNull()
  })

  afterAll(async () => {
    await project?.close()
  })

  describe('anon (signed out)', () => {
    it('cannot call any RPC', async () => {
      const anon = project.anon()
      const calls: [string, Record<string, unknown>][] = [
        ['get_limits', {}],
        ['list_conversations', {}],
        ['create_conversation', { p_id: randomUUID() }],
        ['create_invite', { p_conversation_id: conversationId }],
        ['join_conversation', { p_code: 'ABCDEFGH' }],
        ['leave_conversation', { p_conversation_id: conversationId }],
        ['push_updates', { p_conversation_id: conversationId, p_updates: [update(alice, [1])] }],
        ['pull_updates', { p_conversation_id: conversationId }],
        ['get_snapshot', { p_conversation_id: conversationId }],
        ['put_snapshot', { p_conversation_id: conversationId, p_state: b64([1]), p_upto_seq: 1 }],
        ['prune_updates', { p_conversation_id: conversationId, p_upto_seq: 1 }],
      ]
      for (const [fn, args] of calls) expectDenied(await anon.rpc(fn, args))
    })

    it('cannot read or write any table', async () => {
      const anon = project.anon()
      for (const name of TABLES) {
        expectDenied(await anon.select(name))
        expectDenied(await anon.delete(name, matchConversation(name, conversationId)))
      }
      expectDenied(
        await anon.insert('conversation_updates', {
          conversation_id: conversationId,
          seq: 99,
          update: '\\x01',
          author: alice.userId,
          client_update_id: randomUUID(),
        }),
      )
    })

    it('cannot join any channel', async () => {
      const anon = project.anon()
      for (const topic of [`conversation:${conversationId}`, `inbox:${alice.userId}`]) {
        for (const ext of ['broadcast', 'presence'] as const) {
          expect(await anon.authorize(topic, ext, false)).toBe(false)
          expect(await anon.authorize(topic, ext, true)).toBe(false)
        }
      }
    })
  })

  describe('a non-member', () => {
    it('sees no rows of the conversation in any table', async () => {
      for (const name of TABLES) {
        const result = await mallory.select(name, matchConversation(name, conversationId))
        expect(result.error).toBeNull()
        expect(result.data).toEqual([])
      }
      const conversations = await mallory.select('conversations', { id: conversationId })
      expect(conversations.data).toEqual([])
      const list = await mallory.rpc<Summary[]>('list_conversations')
      expect(list.data).toEqual([])
    })

    it('is refused by every conversation RPC', async () => {
      const p = { p_conversation_id: conversationId }
      expectParleyError(await mallory.rpc('pull_updates', p), 'PARLEY_NOT_MEMBER')
      expectParleyError(await mallory.rpc('get_snapshot', p), 'PARLEY_NOT_MEMBER')
      expectParleyError(await mallory.rpc('create_invite', p), 'PARLEY_NOT_MEMBER')
      expectParleyError(
        await mallory.rpc('push_updates', { ...p, p_updates: [update(mallory, [6, 6, 6])] }),
        'PARLEY_NOT_MEMBER',
      )
      // Snapshots come from the trusted compactor only (service role).
      expectDenied(await mallory.rpc('put_snapshot', { ...p, p_state: b64([0]), p_upto_seq: 1 }))
      // A non-existent conversation answers exactly the same, so ids cannot be probed.
      expectParleyError(
        await mallory.rpc('pull_updates', { p_conversation_id: randomUUID() }),
        'PARLEY_NOT_MEMBER',
      )
      const members = await project.db.query(
        'select 1 from public.conversation_members where user_id = $1',
        [mallory.userId],
      )
      expect(members.rows).toEqual([])
    })

    it('cannot take over (or probe) a conversation id with create_conversation', async () => {
      const result = await mallory.rpc('create_conversation', { p_id: conversationId })
      // The answer of any conversation RPC on an id that does not exist: nothing to learn.
      const missing = await mallory.rpc('pull_updates', { p_conversation_id: conversationId })
      expectParleyError(result, 'PARLEY_NOT_MEMBER')
      expect(result.error).toEqual(missing.error)
      expect((await mallory.select('conversations', { id: conversationId })).data).toEqual([])
    })

    it('cannot write any table directly', async () => {
      expectDenied(
        await mallory.insert('conversation_members', {
          conversation_id: conversationId,
          user_id: mallory.userId,
          role: 'owner',
        }),
      )
      expectDenied(
        await mallory.insert('conversation_updates', {
          conversation_id: conversationId,
          seq: 100,
          update: '\\x01',
          client_update_id: randomUUID(),
        }),
      )
      expectDenied(
        await mallory.insert('conversation_snapshots', {
          conversation_id: conversationId,
          upto_seq: 100,
          state: '\\x01',
        }),
      )
      expectDenied(await mallory.insert('conversations', { title: 'mine' }))
      expectDenied(
        await mallory.insert('conversation_invites', {
          code: 'ABCDEFGH',
          conversation_id: conversationId,
        }),
      )
      expectDenied(await mallory.update('conversations', { title: 'x' }, { id: conversationId }))
      expectDenied(
        await mallory.delete('conversation_updates', { conversation_id: conversationId }),
      )
      expectDenied(
        await mallory.delete('conversation_snapshots', { conversation_id: conversationId }),
      )
    })

    it('cannot join, read or write the conversation channel or another inbox', async () => {
      for (const ext of ['broadcast', 'presence'] as const) {
        expect(await mallory.authorize(`conversation:${conversationId}`, ext, false)).toBe(false)
        expect(await mallory.authorize(`conversation:${conversationId}`, ext, true)).toBe(false)
        expect(await mallory.authorize(`inbox:${alice.userId}`, ext, false)).toBe(false)
        expect(await mallory.authorize(`inbox:${alice.userId}`, ext, true)).toBe(false)
      }
      for (const topic of [
        'conversation:not-a-uuid',
        'room-1',
        '',
        `conversation:${conversationId}x`,
      ]) {
        expect(await mallory.authorize(topic, 'broadcast', false)).toBe(false)
      }
    })
  })

  describe('members', () => {
    it('read and write the conversation channel; read only their own inbox', async () => {
      for (const member of [alice, bob]) {
        for (const ext of ['broadcast', 'presence'] as const) {
          expect(await member.authorize(`conversation:${conversationId}`, ext, false)).toBe(true)
          expect(await member.authorize(`conversation:${conversationId}`, ext, true)).toBe(true)
        }
        expect(await member.authorize(`inbox:${member.userId}`, 'broadcast', false)).toBe(true)
        expect(await member.authorize(`inbox:${member.userId}`, 'broadcast', true)).toBe(false)
      }
      expect(await alice.authorize(`inbox:${bob.userId}`, 'broadcast', false)).toBe(false)
      // The checks leave nothing behind.
      const rows = await project.db.query(
        `select 1 from realtime.messages where event = 'authorization_check'`,
      )
      expect(rows.rows).toEqual([])
    })

    it('service_role may use any channel, like on Supabase', async () => {
      expect(await project.service().authorize(`inbox:${alice.userId}`, 'broadcast', true)).toBe(
        true,
      )
    })

    it('see the conversation, its members and its log', async () => {
      const list = await bob.rpc<Summary[]>('list_conversations')
      expect(list.data?.map((c) => c.id)).toContain(conversationId)
      const members = await bob.select<{ user_id: string; role: string }>('conversation_members', {
        conversation_id: conversationId,
      })
      expect(members.data?.map((m) => [m.user_id, m.role]).sort()).toEqual(
        [
          [alice.userId, 'owner'],
          [bob.userId, 'member'],
        ].sort(),
      )
      const pulled = await bob.rpc<PulledRow[]>('pull_updates', {
        p_conversation_id: conversationId,
      })
      expect(pulled.data?.[0]).toMatchObject({
        seq: 1,
        update: b64([1, 2, 3]),
        author: alice.userId,
      })
    })

    it('cannot forge the author of an update', async () => {
      const forged = { ...update(bob, [4, 2]), author: alice.userId }
      const pushed = await bob.rpc<SeqRow[]>('push_updates', {
        p_conversation_id: conversationId,
        p_updates: [forged],
      })
      expect(pushed.error).toBeNull()
      const seq = pushed.data?.[0]?.seq
      const pulled = await bob.rpc<PulledRow[]>('pull_updates', {
        p_conversation_id: conversationId,
        p_after_seq: (seq ?? 1) - 1,
      })
      expect(pulled.data?.[0]).toMatchObject({ seq, author: bob.userId })
      expectDenied(
        await bob.insert('conversation_updates', {
          conversation_id: conversationId,
          seq: 1000,
          update: '\\x01',
          author: alice.userId,
          client_update_id: randomUUID(),
        }),
      )
      expectDenied(await bob.update('conversation_updates', { author: bob.userId }, { seq: '1' }))
    })

    it('cannot promote themselves or remove others', async () => {
      expectDenied(
        await bob.update('conversation_members', { role: 'owner' }, { user_id: bob.userId ?? '' }),
      )
      expectDenied(await bob.delete('conversation_members', { user_id: alice.userId ?? '' }))
    })
  })

  describe('create_conversation', () => {
    it('is idempotent on the id and makes the caller owner', async () => {
      const id = randomUUID()
      const first = await alice.rpc<Summary>('create_conversation', { p_id: id, p_title: 'A' })
      const again = await alice.rpc<Summary>('create_conversation', { p_id: id, p_title: 'B' })
      expect(first.data).toMatchObject({ id, role: 'owner', last_seq: 0, title: 'A' })
      expect(again.data).toEqual(first.data)
      const members = await alice.select('conversation_members', { conversation_id: id })
      expect(members.data).toHaveLength(1)
    })

    it('validates its arguments', async () => {
      expectParleyError(
        await alice.rpc('create_conversation', { p_id: randomUUID(), p_title: 'x'.repeat(201) }),
        'PARLEY_INVALID_ARGUMENT',
      )
      expectParleyError(
        await alice.rpc('create_conversation', { p_id: randomUUID(), p_kind: 'Bad Kind' }),
        'PARLEY_INVALID_ARGUMENT',
      )
    })
  })

  describe('push_updates and pull_updates', () => {
    async function freshConversation(): Promise<string> {
      const id = randomUUID()
      expect((await alice.rpc('create_conversation', { p_id: id })).error).toBeNull()
      return id
    }

    it('assigns increasing seqs per conversation, round-trips bytes and pages', async () => {
      const id = await freshConversation()
      const items = [1, 2, 3, 4, 5].map((n) => update(alice, [n, 255, 0, n]))
      const pushed = await alice.rpc<SeqRow[]>('push_updates', {
        p_conversation_id: id,
        p_updates: items,
      })
      expect(pushed.data?.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5])
      expect(pushed.data?.map((r) => r.client_update_id)).toEqual(
        items.map((i) => i.client_update_id),
      )
      const page1 = await alice.rpc<PulledRow[]>('pull_updates', {
        p_conversation_id: id,
        p_limit: 2,
      })
      const page2 = await alice.rpc<PulledRow[]>('pull_updates', {
        p_conversation_id: id,
        p_after_seq: 2,
        p_limit: 2,
      })
      expect(page1.data?.map((r) => r.seq)).toEqual([1, 2])
      expect(page2.data?.map((r) => r.seq)).toEqual([3, 4])
      expect(page2.data?.[0]?.update).toBe(b64([3, 255, 0, 3]))
      // Hex input is accepted too; output is always base64.
      const hex = await alice.rpc<SeqRow[]>('push_updates', {
        p_conversation_id: id,
        p_updates: [{ ...update(alice, []), update: '\\x0aff' }],
      })
      expect(hex.data?.[0]?.seq).toBe(6)
      const last = await alice.rpc<PulledRow[]>('pull_updates', {
        p_conversation_id: id,
        p_after_seq: 5,
      })
      expect(last.data?.[0]?.update).toBe(b64([0x0a, 0xff]))
      const list = await alice.rpc<Summary[]>('list_conversations')
      expect(list.data?.find((c) => c.id === id)?.last_seq).toBe(6)
    })

    it('is idempotent by client_update_id', async () => {
      const id = await freshConversation()
      const item = update(alice, [7, 7])
      const first = await alice.rpc<SeqRow[]>('push_updates', {
        p_conversation_id: id,
        p_updates: [item],
      })
      const retry = await alice.rpc<SeqRow[]>('push_updates', {
        p_conversation_id: id,
        p_updates: [item, update(alice, [8])],
      })
      expect(first.data).toEqual([
        { client_update_id: item.client_update_id, seq: 1, duplicate: false },
      ])
      expect(retry.data?.map((r) => [r.seq, r.duplicate])).toEqual([
        [1, true],
        [2, false],
      ])
      expectParleyError(
        await alice.rpc('push_updates', {
          p_conversation_id: id,
          p_updates: [{ ...item, update: b64([1]) }],
        }),
        'PARLEY_CLIENT_UPDATE_ID_REUSED',
      )
    })

    it('gives concurrent pushes distinct, gap-free seqs', async () => {
      const id = await freshConversation()
      const code = (await alice.rpc<{ code: string }>('create_invite', { p_conversation_id: id }))
        .data?.code
      expect((await bob.rpc('join_conversation', { p_code: code })).error).toBeNull()
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 ? bob : alice).rpc<SeqRow[]>('push_updates', {
            p_conversation_id: id,
            p_updates: [update(i % 2 ? bob : alice, [i]), update(i % 2 ? bob : alice, [i, i])],
          }),
        ),
      )
      const seqs = results.flatMap((r) => r.data?.map((row) => row.seq) ?? []).sort((a, b) => a - b)
      expect(seqs).toEqual(Array.from({ length: 12 }, (_, i) => i + 1))
    })

    it('enforces limits with stable codes, all or nothing', async () => {
      const id = await freshConversation()
      const big = new Uint8Array(262_145)
      expectParleyError(
        await alice.rpc('push_updates', {
          p_conversation_id: id,
          p_updates: [update(alice, [1]), update(alice, big)],
        }),
        'PARLEY_UPDATE_TOO_LARGE',
      )
      const max = new Uint8Array(262_144)
      expect(
        (
          await alice.rpc('push_updates', {
            p_conversation_id: id,
            p_updates: [update(alice, max)],
          })
        ).error,
      ).toBeNull()
      expectParleyError(
        await alice.rpc('push_updates', {
          p_conversation_id: id,
          p_updates: Array.from({ length: 101 }, (_, i) => update(alice, [i])),
        }),
        'PARLEY_BATCH_TOO_LARGE',
      )
      expectParleyError(
        await alice.rpc('push_updates', {
          p_conversation_id: id,
          p_updates: Array.from({ length: 9 }, () => update(alice, max)),
        }),
        'PARLEY_BATCH_TOO_LARGE',
      )
      expectParleyError(
        await alice.rpc('push_updates', {
          p_conversation_id: id,
          p_updates: [{ ...update(alice, [1]), update: '@@not base64@@' }],
        }),
        'PARLEY_INVALID_UPDATE',
      )
      expectParleyError(
        await alice.rpc('push_updates', {
          p_conversation_id: id,
          p_updates: [{ update: b64([1]) }],
        }),
        'PARLEY_INVALID_UPDATE',
      )
      expectParleyError(
        await alice.rpc('pull_updates', { p_conversation_id: id, p_limit: 1001 }),
        'PARLEY_PAGE_TOO_LARGE',
      )
      const list = await alice.rpc<Summary[]>('list_conversations')
      expect(list.data?.find((c) => c.id === id)?.last_seq).toBe(1)
      const limits = await alice.rpc<Record<string, number>>('get_limits')
      expect(limits.data).toMatchObject({ max_update_bytes: 262144, max_batch_updates: 100 })
    })

    it('tells every member inbox about new seqs, after commit only', async () => {
      const id = await freshConversation()
      const code = (await alice.rpc<{ code: string }>('create_invite', { p_conversation_id: id }))
        .data?.code
      await bob.rpc('join_conversation', { p_code: code })
      const notes: unknown[] = []
      const unlisten = await project.db.listen(REALTIME_NOTIFY_CHANNEL, (text) => {
        const note = JSON.parse(text) as { topic: string; event: string; payload: unknown }
        if (note.event === 'conversation-updated') notes.push(note)
      })
      await alice.rpc('push_updates', {
        p_conversation_id: id,
        p_updates: [update(alice, [1]), update(alice, [2])],
      })
      // A failing push sends nothing.
      await alice.rpc('push_updates', {
        p_conversation_id: id,
        p_updates: [update(alice, new Uint8Array(300_000))],
      })
      await expect.poll(() => notes.length).toBe(2)
      expect(notes).toEqual(
        expect.arrayContaining(
          [alice, bob].map((u) =>
            expect.objectContaining({
              topic: `inbox:${u.userId}`,
              private: true,
              payload: { conversation_id: id, seq: 2 },
            }),
          ),
        ),
      )
      await unlisten()
    })
  })

  describe('invites and leaving', () => {
    it('rejects unknown, expired and used-up codes; re-joining is free', async () => {
      const id = randomUUID()
      await alice.rpc('create_conversation', { p_id: id })
      expectParleyError(
        await bob.rpc('join_conversation', { p_code: 'ZZZZ-ZZZZ' }),
        'PARLEY_INVITE_NOT_FOUND',
      )
      const once = await alice.rpc<{ code: string }>('create_invite', {
        p_conversation_id: id,
        p_max_uses: 1,
      })
      expect(once.data?.code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/)
      const code = once.data?.code ?? ''
      const dashed = `${code.slice(0, 4)}-${code.slice(4).toLowerCase()}`
      expect((await bob.rpc('join_conversation', { p_code: dashed })).error).toBeNull()
      expect((await bob.rpc('join_conversation', { p_code: code })).error).toBeNull()
      expectParleyError(
        await mallory.rpc('join_conversation', { p_code: code }),
        'PARLEY_INVITE_EXHAUSTED',
      )
      const timed = await alice.rpc<{ code: string }>('create_invite', { p_conversation_id: id })
      await project.db.query(
        `update public.conversation_invites set expires_at = now() - interval '1 second' where code = $1`,
        [timed.data?.code],
      )
      expectParleyError(
        await mallory.rpc('join_conversation', { p_code: timed.data?.code }),
        'PARLEY_INVITE_EXPIRED',
      )
      expectParleyError(
        await alice.rpc('create_invite', { p_conversation_id: id, p_ttl_seconds: 5 }),
        'PARLEY_INVALID_ARGUMENT',
      )
    })

    it('leaving removes every access and hands ownership on', async () => {
      const id = randomUUID()
      await alice.rpc('create_conversation', { p_id: id })
      const code = (await alice.rpc<{ code: string }>('create_invite', { p_conversation_id: id }))
        .data?.code
      await bob.rpc('join_conversation', { p_code: code })
      expect((await alice.rpc('leave_conversation', { p_conversation_id: id })).error).toBeNull()
      expect((await alice.rpc('leave_conversation', { p_conversation_id: id })).error).toBeNull()
      expectParleyError(
        await alice.rpc('pull_updates', { p_conversation_id: id }),
        'PARLEY_NOT_MEMBER',
      )
      expect(await alice.authorize(`conversation:${id}`, 'broadcast', false)).toBe(false)
      expect((await alice.select('conversations', { id })).data).toEqual([])
      const members = await bob.select<{ role: string }>('conversation_members', {
        conversation_id: id,
      })
      expect(members.data).toEqual([
        expect.objectContaining({ user_id: bob.userId, role: 'owner' }),
      ])
    })
  })

  describe('snapshots and compaction', () => {
    it("never lets a member destroy history: snapshots and pruning are the service role's", async () => {
      const id = randomUUID()
      await alice.rpc('create_conversation', { p_id: id })
      const code = (await alice.rpc<{ code: string }>('create_invite', { p_conversation_id: id }))
        .data?.code
      await bob.rpc('join_conversation', { p_code: code })
      await alice.rpc('push_updates', {
        p_conversation_id: id,
        p_updates: [1, 2, 3, 4, 5, 6].map((n) => update(alice, [n])),
      })
      const service = project.service()
      // Members can neither write a snapshot nor prune.
      for (const member of [alice, bob]) {
        expectDenied(
          await member.rpc('put_snapshot', {
            p_conversation_id: id,
            p_state: b64([1]),
            p_upto_seq: 2,
          }),
        )
        expectDenied(await member.rpc('prune_updates', { p_conversation_id: id, p_upto_seq: 2 }))
      }
      expectParleyError(
        await service.rpc('put_snapshot', {
          p_conversation_id: id,
          p_state: b64([1]),
          p_upto_seq: 7,
        }),
        'PARLEY_SNAPSHOT_AHEAD',
      )
      expectParleyError(
        await service.rpc('put_snapshot', { p_conversation_id: id, p_state: '%%%', p_upto_seq: 2 }),
        'PARLEY_INVALID_SNAPSHOT',
      )
      expectParleyError(
        await service.rpc('put_snapshot', {
          p_conversation_id: randomUUID(),
          p_state: b64([1]),
          p_upto_seq: 1,
        }),
        'PARLEY_INVALID_ARGUMENT',
      )
      const good = await service.rpc('put_snapshot', {
        p_conversation_id: id,
        p_state: b64([42]),
        p_upto_seq: 2,
      })
      expect(good.data).toEqual({ stored: true, upto_seq: 2 })
      const stale = await service.rpc('put_snapshot', {
        p_conversation_id: id,
        p_state: b64([0]),
        p_upto_seq: 2,
      })
      expect(stale.data).toEqual({ stored: false, upto_seq: 2 })
      const pruned = await service.rpc('prune_updates', { p_conversation_id: id, p_upto_seq: 2 })
      expect(pruned.data).toBe(2)
      expectParleyError(
        await bob.rpc('pull_updates', { p_conversation_id: id }),
        'PARLEY_HISTORY_PRUNED',
      )
      // Newer snapshots never touch the log, and the pruning anchor stays.
      for (const seq of [3, 4, 5, 6]) {
        const next = await service.rpc('put_snapshot', {
          p_conversation_id: id,
          p_state: b64([0]),
          p_upto_seq: seq,
        })
        expect(next.data).toEqual({ stored: true, upto_seq: seq })
      }
      const log = await alice.rpc<PulledRow[]>('pull_updates', {
        p_conversation_id: id,
        p_after_seq: 2,
      })
      expect(log.data?.map((r) => r.seq)).toEqual([3, 4, 5, 6])
      const kept = await alice.select<{ upto_seq: number }>('conversation_snapshots', {
        conversation_id: id,
      })
      expect(kept.data?.map((s) => s.upto_seq).sort()).toEqual([2, 4, 5, 6])
      const newest = await alice.rpc<{ upto_seq: number; created_by: string | null }>(
        'get_snapshot',
        { p_conversation_id: id },
      )
      expect(newest.data).toMatchObject({ upto_seq: 6, created_by: null })
      const anchor = await alice.rpc<{ upto_seq: number; state: string }>('get_snapshot', {
        p_conversation_id: id,
        p_before_seq: 4,
      })
      expect(anchor.data).toMatchObject({ upto_seq: 2, state: b64([42]) })
      const none = await alice.rpc('get_snapshot', { p_conversation_id: id, p_before_seq: 1 })
      expect(none).toEqual({ data: null, error: null })
    })
  })
})
