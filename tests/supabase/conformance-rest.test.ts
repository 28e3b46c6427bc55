// PostgREST conformance for RPC, driven through the real supabase-js (raw fetch only where
// supabase-js cannot produce the request): argument binding, result shapes, error JSON and the
// SQLSTATE → HTTP status mapping, and robustness against bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SupabaseClient } from '@supabase/supabase-js'
import { createTestClient, startTarget, targetKinds, type SupabaseTarget } from './target.js'

describe.each(targetKinds())('RPC conformance (%s)', (kind) => {
  let target: SupabaseTarget
  let anon: SupabaseClient
  let user: SupabaseClient
  beforeAll(async () => {
    target = await startTarget(kind, { maxBodyBytes: 256 * 1024 })
    anon = createTestClient(target)
    user = createTestClient(target)
    const { error } = await user.auth.signInAnonymously()
    if (error) throw error
  })
  afterAll(() => target.stop())

  it('returns a scalar for a scalar function', async () => {
    const { data, error, status } = await anon.rpc('conf_add', { a: 2, b: 40 })
    expect(error).toBeNull()
    expect(status).toBe(200)
    expect(data).toBe(42)
  })

  it('lets parameters with defaults be omitted', async () => {
    expect((await anon.rpc('conf_add_default', { a: 1 })).data).toBe(11)
    expect((await anon.rpc('conf_add_default', { a: 1, b: 2 })).data).toBe(3)
  })

  it('passes jsonb arguments and returns JSON values untouched', async () => {
    const payload = { nested: { list: [1, 'two', null, true] }, unicode: 'é✓' }
    const { data, error } = await anon.rpc('conf_echo', { payload })
    expect(error).toBeNull()
    expect(data).toEqual(payload)
  })

  it('gives a single unnamed jsonb parameter the whole body', async () => {
    const { data, error } = await anon.rpc('conf_whole_body', { anything: 1, goes: ['x'] })
    expect(error).toBeNull()
    expect(data).toEqual({ got: { anything: 1, goes: ['x'] } })
  })

  it('reads and writes bytea as \\x hex strings', async () => {
    const { data, error } = await anon.rpc('conf_bytes', { p: '\\x0102' })
    expect(error).toBeNull()
    expect(data).toBe('\\x0102ff')
  })

  it('binds JSON arrays to Postgres array parameters', async () => {
    expect((await anon.rpc('conf_text_array', { p: ['a', 'b', 'c'] })).data).toBe(3)
  })

  it('returns a JSON array for setof and table functions', async () => {
    expect((await anon.rpc('conf_series', { n: 3 })).data).toEqual([1, 2, 3])
    expect((await anon.rpc('conf_series', { n: 0 })).data).toEqual([])
    expect((await anon.rpc('conf_rows', { n: 2 })).data).toEqual([
      { i: 1, label: 'row 1' },
      { i: 2, label: 'row 2' },
    ])
  })

  it('returns one object for single() on a set', async () => {
    const { data, error } = await anon.rpc('conf_rows', { n: 1 }).single()
    expect(error).toBeNull()
    expect(data).toEqual({ i: 1, label: 'row 1' })
    const many = await anon.rpc('conf_rows', { n: 2 }).single()
    expect(many.status).toBe(406)
    expect(many.error?.code).toBe('PGRST116')
  })

  it('answers 204 with no data for a void function', async () => {
    const { data, error, status } = await anon.rpc('conf_noop')
    expect(error).toBeNull()
    expect(status).toBe(204)
    expect(data).toBeNull()
  })

  it('calls stable functions with GET and query-string arguments', async () => {
    const { data, error } = await anon.rpc('conf_add', { a: 5, b: 6 }, { get: true })
    expect(error).toBeNull()
    expect(data).toBe(11)
  })

  it('runs GET calls read-only: a writing function fails with 25006 → 405', async () => {
    const { error, status } = await anon.rpc('conf_log_note', { note: 'x' }, { get: true })
    expect(status).toBe(405)
    expect(error?.code).toBe('25006')
    const post = await anon.rpc('conf_log_note', { note: 'x' })
    expect(post.error).toBeNull()
    expect(typeof post.data).toBe('number')
  })

  it('maps an unknown function to 404 PGRST202', async () => {
    const { error, status } = await anon.rpc('conf_does_not_exist', { a: 1 })
    expect(status).toBe(404)
    expect(error).toMatchObject({ code: 'PGRST202' })
    expect(error?.message).toContain('conf_does_not_exist')
  })

  it('maps unknown argument names to 404 PGRST202', async () => {
    const { error, status } = await anon.rpc('conf_add', { a: 1, c: 2 })
    expect(status).toBe(404)
    expect(error?.code).toBe('PGRST202')
  })

  it('maps RAISE EXCEPTION (P0001) to 400 with message, details and hint', async () => {
    const { data, error, status } = await user.rpc('conf_fail', { p_message: 'limit reached' })
    expect(status).toBe(400)
    expect(data).toBeNull()
    expect(error).toEqual({
      code: 'P0001',
      message: 'limit reached',
      details: 'conf detail',
      hint: 'conf hint',
    })
  })

  it('maps insufficient privilege (42501) to 401 for anon and 403 for a signed-in user', async () => {
    const asAnon = await anon.rpc('conf_locked')
    expect(asAnon.status).toBe(401)
    expect(asAnon.error?.code).toBe('42501')
    const asUser = await user.rpc('conf_locked')
    expect(asUser.status).toBe(403)
    expect(asUser.error?.code).toBe('42501')
  })

  it('maps wrong argument types (22P02) to 400', async () => {
    const { error, status } = await anon.rpc('conf_add', { a: 'not a number', b: 1 })
    expect(status).toBe(400)
    expect(error?.code).toBe('22P02')
    const object = await anon.rpc('conf_add', { a: { x: 1 }, b: 1 })
    expect(object.status).toBe(400)
    expect(object.error?.code).toBe('22P02')
  })

  it('runs each call as the caller: auth.uid() and role follow the JWT', async () => {
    expect((await anon.rpc('conf_whoami')).data).toEqual({
      uid: null,
      role: 'anon',
      is_anonymous: null,
    })
    const { data: session } = await user.auth.getSession()
    expect((await user.rpc('conf_whoami')).data).toMatchObject({
      uid: session.session?.user.id,
      role: 'authenticated',
    })
    const admin = createTestClient(target, target.serviceRoleKey)
    expect((await admin.rpc('conf_whoami')).data).toMatchObject({ role: 'service_role' })
  })

  it('answers malformed JSON with 400 PGRST102 and keeps serving', async () => {
    const response = await fetch(`${target.url}/rest/v1/rpc/conf_add`, {
      method: 'POST',
      headers: {
        apikey: target.anonKey,
        authorization: `Bearer ${target.anonKey}`,
        'content-type': 'application/json',
      },
      body: '{"a": 1, "b": ',
    })
    expect(response.status).toBe(400)
    const body = (await response.json()) as Record<string, unknown>
    expect(body.code).toBe('PGRST102')
    expect(Object.keys(body).sort()).toEqual(['code', 'details', 'hint', 'message'])
    expect((await anon.rpc('conf_add', { a: 1, b: 1 })).data).toBe(2)
  })

  it('answers a token with a bad signature with 401', async () => {
    const forged = `${target.anonKey.slice(0, target.anonKey.lastIndexOf('.'))}.AAAA`
    const response = await fetch(`${target.url}/rest/v1/rpc/conf_add`, {
      method: 'POST',
      headers: {
        apikey: target.anonKey,
        authorization: `Bearer ${forged}`,
        'content-type': 'application/json',
      },
      body: '{"a":1,"b":2}',
    })
    expect(response.status).toBe(401)
    expect(((await response.json()) as { code: string }).code).toMatch(/^PGRST30[13]$/)
  })

  // Emulator-only: limits and internals a hosted project does not share.
  if (kind === 'remote') return

  it('refuses an oversize body with 413 and keeps serving', async () => {
    const response = await fetch(`${target.url}/rest/v1/rpc/conf_echo`, {
      method: 'POST',
      headers: { apikey: target.anonKey, 'content-type': 'application/json' },
      body: JSON.stringify({ payload: 'x'.repeat(1024 * 1024) }),
    })
    expect(response.status).toBe(413)
    expect((await anon.rpc('conf_add', { a: 1, b: 2 })).data).toBe(3)
  })

  it('refuses a body far beyond the limit without reading it all', async () => {
    const response = await fetch(`${target.url}/rest/v1/rpc/conf_echo`, {
      method: 'POST',
      headers: { apikey: target.anonKey, 'content-type': 'application/json' },
      body: 'x'.repeat(8 * 1024 * 1024),
    }).catch((error: unknown) => error)
    // The server may close the connection before the upload ends; either way it answers or
    // hangs up, and stays up.
    if (response instanceof Response) expect(response.status).toBe(413)
    else expect(response).toBeInstanceOf(Error)
    expect((await createTestClient(target).rpc('conf_add', { a: 2, b: 2 })).data).toBe(4)
  })

  it('never lets a request name break out of its identifier', async () => {
    const attempts = [
      'conf_add(1,2); drop table public.conf_items; --',
      'conf_add"',
      '../conf_add',
      'pg_sleep',
    ]
    for (const name of attempts) {
      const { status, error } = await anon.rpc(name, {})
      expect(status).toBe(404)
      // `../x` is normalised by the URL parser into a table path, hence PGRST205.
      expect(['PGRST202', 'PGRST205']).toContain(error?.code)
    }
    const still = await target.emulator?.sql<{ n: number }>(
      `select count(*)::int as n from public.conf_items`,
    )
    expect(still?.[0]?.n).toBe(0)
  })

  it('sees functions created after start (schema cache refresh on miss)', async () => {
    await target.emulator?.db.exec(
      `create function public.conf_late() returns text language sql as $$ select 'late' $$;`,
    )
    expect((await createTestClient(target).rpc('conf_late')).data).toBe('late')
  })

  it('answers unknown routes and methods without crashing', async () => {
    const headers = { apikey: target.anonKey }
    expect((await fetch(`${target.url}/nowhere`, { headers })).status).toBe(404)
    expect(
      (await fetch(`${target.url}/rest/v1/rpc/conf_add`, { method: 'PUT', headers })).status,
    ).toBe(405)
    expect(
      (await fetch(`${target.url}/rest/v1/rpc/%E0%A4%A`, { method: 'POST', headers })).status,
    ).toBeLessThan(500)
    expect((await fetch(`${target.url}/health`)).status).toBe(200)
  })
})
