// PostgREST table calls through the real supabase-js on the fixture table `conf_items`: select
// with column lists and filters, insert, upsert, update, delete, single objects, counts, RLS
// errors and refusals of unknown names.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SupabaseClient } from '@supabase/supabase-js'
import { createTestClient, startTarget, targetKinds, type SupabaseTarget } from './target.js'

interface Item {
  id: string
  grp: string
  owner: string
  label: string
  n: number | null
  data: string | null
  created_at: string
}

describe.each(targetKinds())('table conformance (%s)', (kind) => {
  let target: SupabaseTarget
  let alice: SupabaseClient
  let bob: SupabaseClient
  let anon: SupabaseClient
  let aliceId = ''
  beforeAll(async () => {
    target = await startTarget(kind)
    alice = createTestClient(target)
    bob = createTestClient(target)
    anon = createTestClient(target)
    const signedIn = await alice.auth.signInAnonymously()
    if (signedIn.error || !signedIn.data.user) throw signedIn.error ?? new Error('no user')
    aliceId = signedIn.data.user.id
    const other = await bob.auth.signInAnonymously()
    if (other.error) throw other.error
  })
  afterAll(() => target.stop())

  /** Inserts five rows n = 1..5 in a fresh group owned by alice. */
  async function seedGroup(): Promise<string> {
    const grp = randomUUID()
    const rows = [1, 2, 3, 4, 5].map((n) => ({ grp, label: `item ${n}`, n: n === 5 ? null : n }))
    const { error, status, data } = await alice.from('conf_items').insert(rows)
    expect(error).toBeNull()
    expect(status).toBe(201)
    expect(data).toBeNull()
    return grp
  }

  it('inserts one row and returns it with return=representation', async () => {
    const grp = randomUUID()
    const { data, error, status } = await alice
      .from('conf_items')
      .insert({ grp, label: 'solo', n: 7, data: '\\x00ff' })
      .select()
      .single<Item>()
    expect(error).toBeNull()
    expect(status).toBe(201)
    expect(data).toMatchObject({ grp, label: 'solo', n: 7, owner: aliceId, data: '\\x00ff' })
    expect(typeof data?.id).toBe('string')
    expect(typeof data?.created_at).toBe('string')
  })

  it('selects a column list with eq, neq, gt, gte, lt, lte, in and is filters', async () => {
    const grp = await seedGroup()
    const base = () => alice.from('conf_items').select('label, n').eq('grp', grp).order('n')
    expect((await base()).data).toEqual([
      { label: 'item 1', n: 1 },
      { label: 'item 2', n: 2 },
      { label: 'item 3', n: 3 },
      { label: 'item 4', n: 4 },
      { label: 'item 5', n: null },
    ])
    const ns = async (query: PromiseLike<{ data: { n: number | null }[] | null }>) =>
      ((await query).data ?? []).map((row) => row.n)
    expect(await ns(base().neq('n', 2))).toEqual([1, 3, 4])
    expect(await ns(base().gt('n', 2))).toEqual([3, 4])
    expect(await ns(base().gte('n', 2))).toEqual([2, 3, 4])
    expect(await ns(base().lt('n', 2))).toEqual([1])
    expect(await ns(base().lte('n', 2))).toEqual([1, 2])
    expect(await ns(base().in('n', [1, 4, 9]))).toEqual([1, 4])
    expect(await ns(base().is('n', null))).toEqual([null])
    expect(await ns(base().not('n', 'is', null))).toEqual([1, 2, 3, 4])
    expect(await ns(base().in('label', ['item 2', 'item, with comma']))).toEqual([2])
  })

  it('orders, limits and offsets, and counts with count=exact', async () => {
    const grp = await seedGroup()
    const page = await alice
      .from('conf_items')
      .select('n', { count: 'exact' })
      .eq('grp', grp)
      .order('n', { ascending: false, nullsFirst: false })
      .range(1, 2)
    expect(page.error).toBeNull()
    expect(page.data).toEqual([{ n: 3 }, { n: 2 }])
    expect(page.count).toBe(5)
    const limited = await alice.from('conf_items').select('n').eq('grp', grp).order('n').limit(2)
    expect(limited.data).toEqual([{ n: 1 }, { n: 2 }])
    const head = await alice
      .from('conf_items')
      .select('*', { count: 'exact', head: true })
      .eq('grp', grp)
    expect(head.count).toBe(5)
    expect(head.data).toBeNull()
  })

  it('supports renamed and cast columns in select', async () => {
    const grp = await seedGroup()
    const { data, error } = await alice
      .from('conf_items')
      .select('name:label, n::text')
      .eq('grp', grp)
      .eq('n', 3)
    expect(error).toBeNull()
    expect(data).toEqual([{ name: 'item 3', n: '3' }])
  })

  it('single() wants exactly one row; maybeSingle() allows none', async () => {
    const grp = await seedGroup()
    const one = await alice.from('conf_items').select('n').eq('grp', grp).eq('n', 1).single()
    expect(one.data).toEqual({ n: 1 })
    const many = await alice.from('conf_items').select('n').eq('grp', grp).single()
    expect(many.status).toBe(406)
    expect(many.error?.code).toBe('PGRST116')
    const none = await alice.from('conf_items').select('n').eq('grp', grp).eq('n', 99).maybeSingle()
    expect(none.error).toBeNull()
    expect(none.data).toBeNull()
  })

  it('updates filtered rows and returns them', async () => {
    const grp = await seedGroup()
    const { data, error, status } = await alice
      .from('conf_items')
      .update({ data: '\\xabcd' })
      .eq('grp', grp)
      .gte('n', 3)
      .select('n, data')
      .order('n')
    expect(error).toBeNull()
    expect(status).toBe(200)
    expect(data).toEqual([
      { n: 3, data: '\\xabcd' },
      { n: 4, data: '\\xabcd' },
    ])
    const minimal = await alice.from('conf_items').update({ n: 10 }).eq('grp', grp).eq('n', 1)
    expect(minimal.status).toBe(204)
    expect(minimal.data).toBeNull()
  })

  it('deletes filtered rows', async () => {
    const grp = await seedGroup()
    const removed = await alice
      .from('conf_items')
      .delete()
      .eq('grp', grp)
      .lt('n', 3)
      .select('n')
      .order('n')
    expect(removed.data).toEqual([{ n: 1 }, { n: 2 }])
    const left = await alice
      .from('conf_items')
      .select('n', { count: 'exact', head: true })
      .eq('grp', grp)
    expect(left.count).toBe(3)
    const minimal = await alice.from('conf_items').delete().eq('grp', grp)
    expect(minimal.status).toBe(204)
  })

  it('upserts with merge-duplicates on a chosen conflict target, or ignores duplicates', async () => {
    const grp = randomUUID()
    await alice.from('conf_items').insert({ grp, label: 'u', n: 1 })
    const merged = await alice
      .from('conf_items')
      .upsert(
        [
          { grp, label: 'u', n: 2 },
          { grp, label: 'v', n: 3 },
        ],
        { onConflict: 'grp,label' },
      )
      .select('label, n')
      .order('label')
    expect(merged.error).toBeNull()
    expect(merged.data).toEqual([
      { label: 'u', n: 2 },
      { label: 'v', n: 3 },
    ])
    const ignored = await alice
      .from('conf_items')
      .upsert({ grp, label: 'u', n: 99 }, { onConflict: 'grp,label', ignoreDuplicates: true })
      .select('n')
    expect(ignored.error).toBeNull()
    expect(ignored.data).toEqual([])
    const byId = (
      await alice
        .from('conf_items')
        .select('id')
        .eq('grp', grp)
        .eq('label', 'v')
        .single<{ id: string }>()
    ).data
    const byPrimaryKey = await alice
      .from('conf_items')
      .upsert({ id: byId?.id, grp, label: 'v', n: 30 })
      .select('n')
      .single()
    expect(byPrimaryKey.data).toEqual({ n: 30 })
  })

  it('maps a duplicate key to 409 23505', async () => {
    const grp = randomUUID()
    await alice.from('conf_items').insert({ grp, label: 'dup' })
    const { error, status } = await alice.from('conf_items').insert({ grp, label: 'dup' })
    expect(status).toBe(409)
    expect(error?.code).toBe('23505')
  })

  it('maps an RLS violation to 401 for anon and 403 for a signed-in user', async () => {
    const grp = randomUUID()
    const asAnon = await anon.from('conf_items').insert({ grp, owner: randomUUID(), label: 'x' })
    expect(asAnon.status).toBe(401)
    expect(asAnon.error?.code).toBe('42501')
    const asBob = await bob.from('conf_items').insert({ grp, owner: aliceId, label: 'x' })
    expect(asBob.status).toBe(403)
    expect(asBob.error?.code).toBe('42501')
  })

  it('applies RLS to reads and writes: others cannot change alice’s rows', async () => {
    const grp = await seedGroup()
    const seenByAnon = await anon.from('conf_items').select('n').eq('grp', grp)
    expect(seenByAnon.data).toEqual([])
    const bobUpdate = await bob
      .from('conf_items')
      .update({ label: 'hacked' })
      .eq('grp', grp)
      .select()
    expect(bobUpdate.data).toEqual([])
    const bobDelete = await bob.from('conf_items').delete().eq('grp', grp).select()
    expect(bobDelete.data).toEqual([])
    const count = await alice
      .from('conf_items')
      .select('*', { count: 'exact', head: true })
      .eq('grp', grp)
    expect(count.count).toBe(5)
  })

  it('refuses unknown tables and columns without running SQL', async () => {
    const table = await alice.from('conf_nope').select()
    expect(table.status).toBe(404)
    expect(table.error?.code).toBe('PGRST205')
    const column = await alice.from('conf_items').select('id, nope')
    expect(column.status).toBe(400)
    const filter = await alice.from('conf_items').select('id').eq('nope', 1)
    expect(filter.status).toBe(400)
    const insert = await alice.from('conf_items').insert({ grp: randomUUID(), label: 'x', nope: 1 })
    expect(insert.status).toBe(400)
    expect(insert.error?.code).toBe('PGRST204')
  })

  it('treats hostile names and values as data, never as SQL', async () => {
    const grp = await seedGroup()
    const injectColumn = await alice
      .from('conf_items')
      .select('id; drop table public.conf_items; --')
    expect(injectColumn.status).toBe(400)
    const injectValue = await alice
      .from('conf_items')
      .select('n')
      .eq('label', "x' or '1'='1")
      .eq('grp', grp)
    expect(injectValue.data).toEqual([])
    const injectOrder = await alice
      .from('conf_items')
      .select('n')
      .eq('grp', grp)
      .order('n; drop table x')
    expect(injectOrder.status).toBe(400)
    const count = await alice
      .from('conf_items')
      .select('*', { count: 'exact', head: true })
      .eq('grp', grp)
    expect(count.count).toBe(5)
  })

  it('answers a malformed JSON insert body with 400 PGRST102', async () => {
    const response = await fetch(`${target.url}/rest/v1/conf_items`, {
      method: 'POST',
      headers: { apikey: target.anonKey, 'content-type': 'application/json' },
      body: '[{"label": ',
    })
    expect(response.status).toBe(400)
    expect(((await response.json()) as { code: string }).code).toBe('PGRST102')
  })
})
