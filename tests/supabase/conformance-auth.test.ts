// Auth (GoTrue subset) conformance, driven only through the real supabase-js: anonymous and
// email sign-up, password sign-in, refresh-token rotation, getUser, sign-out, error shapes.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuthChangeEvent } from '@supabase/supabase-js'
import { signJwt } from '@parley/supabase-emulator'
import { createTestClient, startTarget, targetKinds, type SupabaseTarget } from './target.js'

function decodeClaims(token: string): Record<string, unknown> {
  const body = token.split('.')[1] ?? ''
  return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>
}

describe.each(targetKinds())('auth conformance (%s)', (kind) => {
  let target: SupabaseTarget
  beforeAll(async () => {
    target = await startTarget(kind)
  })
  afterAll(() => target.stop())

  it('signs in several anonymous users with GoTrue session and claim shapes', async () => {
    const clients = [createTestClient(target), createTestClient(target), createTestClient(target)]
    const results = await Promise.all(clients.map((c) => c.auth.signInAnonymously()))
    const ids = new Set<string>()
    for (const { data, error } of results) {
      expect(error).toBeNull()
      const session = data.session
      expect(session).not.toBeNull()
      if (!session || !data.user) throw new Error('no session')
      ids.add(data.user.id)
      expect(session.token_type).toBe('bearer')
      expect(session.expires_in).toBe(3600)
      expect(session.expires_at).toBeGreaterThan(Date.now() / 1000)
      expect(session.refresh_token).toMatch(/^[a-z0-9]+$/)
      expect(data.user).toMatchObject({
        aud: 'authenticated',
        role: 'authenticated',
        email: '',
        phone: '',
        app_metadata: {},
        user_metadata: {},
        is_anonymous: true,
      })
      const claims = decodeClaims(session.access_token)
      expect(claims).toMatchObject({
        sub: data.user.id,
        role: 'authenticated',
        aud: 'authenticated',
        aal: 'aal1',
        is_anonymous: true,
      })
      expect(typeof claims.session_id).toBe('string')
      expect(Number(claims.exp) - Number(claims.iat)).toBe(3600)
      expect(claims.amr).toEqual([{ method: 'anonymous', timestamp: expect.any(Number) }])
    }
    expect(ids.size).toBe(3)
  })

  it('carries user metadata from signInAnonymously options', async () => {
    const client = createTestClient(target)
    const { data, error } = await client.auth.signInAnonymously({
      options: { data: { display_name: 'Ada' } },
    })
    expect(error).toBeNull()
    expect(data.user?.user_metadata).toEqual({ display_name: 'Ada' })
  })

  it('getUser returns the signed-in user and the database sees the same uid', async () => {
    const client = createTestClient(target)
    const { data: signIn } = await client.auth.signInAnonymously()
    const { data, error } = await client.auth.getUser()
    expect(error).toBeNull()
    expect(data.user?.id).toBe(signIn.user?.id)
    const who = await client.rpc('conf_whoami')
    expect(who.error).toBeNull()
    expect(who.data).toEqual({ uid: signIn.user?.id, role: 'authenticated', is_anonymous: true })
  })

  it('getUser without a session reports a missing session', async () => {
    const { data, error } = await createTestClient(target).auth.getUser()
    expect(data.user).toBeNull()
    expect(error?.name).toBe('AuthSessionMissingError')
  })

  it('refreshSession rotates both tokens and keeps the same user and session', async () => {
    const client = createTestClient(target)
    const { data: first } = await client.auth.signInAnonymously()
    const before = first.session
    if (!before) throw new Error('no session')
    const events: AuthChangeEvent[] = []
    client.auth.onAuthStateChange((event) => events.push(event))
    const { data, error } = await client.auth.refreshSession()
    expect(error).toBeNull()
    const after = data.session
    if (!after) throw new Error('no refreshed session')
    expect(after.refresh_token).not.toBe(before.refresh_token)
    expect(after.user.id).toBe(before.user.id)
    expect(decodeClaims(after.access_token).session_id).toBe(
      decodeClaims(before.access_token).session_id,
    )
    expect(events).toContain('TOKEN_REFRESHED')
    const user = await client.auth.getUser()
    expect(user.data.user?.id).toBe(before.user.id)
  })

  it('a just-rotated refresh token is still accepted within the reuse interval', async () => {
    const client = createTestClient(target)
    const { data: first } = await client.auth.signInAnonymously()
    const old = first.session?.refresh_token
    if (!old) throw new Error('no session')
    const rotated = await client.auth.refreshSession()
    expect(rotated.error).toBeNull()
    const again = await createTestClient(target).auth.refreshSession({ refresh_token: old })
    expect(again.error).toBeNull()
    expect(again.data.user?.id).toBe(first.user?.id)
  })

  it('an unknown refresh token fails with refresh_token_not_found', async () => {
    const { data, error } = await createTestClient(target).auth.refreshSession({
      refresh_token: 'zzzzzzzzzzzz',
    })
    expect(data.session).toBeNull()
    expect(error).toMatchObject({ status: 400, code: 'refresh_token_not_found' })
  })

  it('signs up with email and password, then signs in with them', async () => {
    const email = `conf-${randomUUID()}@example.com`
    const client = createTestClient(target)
    const signUp = await client.auth.signUp({ email, password: 'correct horse battery' })
    expect(signUp.error).toBeNull()
    expect(signUp.data.user?.email).toBe(email)
    expect(signUp.data.user?.is_anonymous).toBe(false)
    const other = createTestClient(target)
    const signIn = await other.auth.signInWithPassword({ email, password: 'correct horse battery' })
    expect(signIn.error).toBeNull()
    expect(signIn.data.user?.id).toBe(signUp.data.user?.id)
    expect(decodeClaims(signIn.data.session?.access_token ?? '')).toMatchObject({
      is_anonymous: false,
      email,
    })
    const wrong = await createTestClient(target).auth.signInWithPassword({
      email,
      password: 'nope-nope',
    })
    expect(wrong.error).toMatchObject({ status: 400, code: 'invalid_credentials' })
  })

  it('refuses a weak password with weak_password', async () => {
    const { error } = await createTestClient(target).auth.signUp({
      email: `conf-${randomUUID()}@example.com`,
      password: '123',
    })
    expect(error).toMatchObject({ status: 422, code: 'weak_password' })
  })

  it('signOut ends the session: its refresh token and access token stop working', async () => {
    const client = createTestClient(target)
    const { data } = await client.auth.signInAnonymously()
    const session = data.session
    if (!session) throw new Error('no session')
    expect((await client.auth.signOut()).error).toBeNull()
    // auth-js turns GoTrue's 403 session_not_found into a missing-session error.
    const user = await createTestClient(target).auth.getUser(session.access_token)
    expect(user.error?.name).toBe('AuthSessionMissingError')
    const raw = await fetch(`${target.url}/auth/v1/user`, {
      headers: {
        apikey: target.anonKey,
        authorization: `Bearer ${session.access_token}`,
        'x-supabase-api-version': '2024-01-01',
      },
    })
    expect(raw.status).toBe(403)
    expect(await raw.json()).toMatchObject({ code: 'session_not_found' })
    const refreshed = await createTestClient(target).auth.refreshSession({
      refresh_token: session.refresh_token,
    })
    expect(refreshed.error?.status).toBe(400)
  })
})

// Tests that need the emulator's knobs (token lifetime, a known JWT secret, body limits).
describe.each(targetKinds().filter((k) => k !== 'remote'))(
  'auth emulator specifics (%s)',
  (kind) => {
    let target: SupabaseTarget
    beforeAll(async () => {
      target = await startTarget(kind, { jwtExpirySeconds: 30, migrationsDir: false, seed: false })
    })
    afterAll(() => target.stop())

    it('issues tokens with the configured lifetime and getSession refreshes them near expiry', async () => {
      const client = createTestClient(target)
      const { data } = await client.auth.signInAnonymously()
      expect(data.session?.expires_in).toBe(30)
      const events: AuthChangeEvent[] = []
      client.auth.onAuthStateChange((event) => events.push(event))
      // auth-js refreshes inside getSession() when the token expires within 90 s.
      const { data: current } = await client.auth.getSession()
      expect(current.session?.refresh_token).not.toBe(data.session?.refresh_token)
      expect(events).toContain('TOKEN_REFRESHED')
    })

    it('rejects an expired access token: REST 401 PGRST303, GoTrue 403 bad_jwt', async () => {
      const client = createTestClient(target)
      const { data } = await client.auth.signInAnonymously()
      const claims = decodeClaims(data.session?.access_token ?? '')
      const now = Math.floor(Date.now() / 1000)
      const expired = signJwt(
        { ...claims, role: 'authenticated', iat: now - 100, exp: now - 10 },
        target.jwtSecret ?? '',
      )
      const user = await createTestClient(target).auth.getUser(expired)
      expect(user.error).toMatchObject({ status: 403, code: 'bad_jwt' })
      const response = await fetch(`${target.url}/rest/v1/rpc/anything`, {
        method: 'POST',
        headers: {
          apikey: target.anonKey,
          authorization: `Bearer ${expired}`,
          'content-type': 'application/json',
        },
        body: '{}',
      })
      expect(response.status).toBe(401)
      expect(await response.json()).toMatchObject({ code: 'PGRST303', message: 'JWT expired' })
    })

    it('an old refresh token replayed after the reuse interval revokes the session', async () => {
      const client = createTestClient(target)
      const { data } = await client.auth.signInAnonymously()
      const old = data.session?.refresh_token ?? ''
      expect((await client.auth.refreshSession()).error).toBeNull()
      // Age the rotation past the 10 s reuse interval instead of waiting for it.
      await target.emulator?.sql(
        `update auth.refresh_tokens set updated_at = now() - interval '1 minute' where token = $1`,
        [old],
      )
      const reused = await createTestClient(target).auth.refreshSession({ refresh_token: old })
      expect(reused.error).toMatchObject({ status: 400, code: 'refresh_token_already_used' })
      // The whole session is gone, including the token that replaced the reused one.
      const { error } = await client.auth.refreshSession()
      expect(error?.status).toBe(400)
    })

    it('accepts sb_publishable_ keys as the anon key', async () => {
      const client = createTestClient(target, target.emulator?.publishableKey)
      const { data, error } = await client.auth.signInAnonymously()
      expect(error).toBeNull()
      expect(data.user?.is_anonymous).toBe(true)
    })

    it('answers CORS preflights and refuses requests without an API key', async () => {
      const preflight = await fetch(`${target.url}/rest/v1/rpc/x`, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://localhost:5173',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'apikey, authorization, content-type, x-client-info',
        },
      })
      expect(preflight.status).toBe(204)
      expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173')
      const allowed = preflight.headers.get('access-control-allow-headers') ?? ''
      for (const name of [
        'apikey',
        'authorization',
        'content-type',
        'x-client-info',
        'prefer',
        'accept-profile',
        'content-profile',
        'x-supabase-api-version',
      ]) {
        expect(allowed).toContain(name)
      }
      const keyless = await fetch(`${target.url}/auth/v1/signup`, { method: 'POST', body: '{}' })
      expect(keyless.status).toBe(401)
      expect(await keyless.json()).toMatchObject({ message: 'No API key found in request' })
    })

    it('answers malformed JSON on /signup with 400 bad_json and keeps serving', async () => {
      const response = await fetch(`${target.url}/auth/v1/signup`, {
        method: 'POST',
        headers: {
          apikey: target.anonKey,
          'content-type': 'application/json',
          'x-supabase-api-version': '2024-01-01',
        },
        body: '{"data":',
      })
      expect(response.status).toBe(400)
      expect(await response.json()).toMatchObject({ code: 'bad_json' })
      const { error } = await createTestClient(target).auth.signInAnonymously()
      expect(error).toBeNull()
    })
  },
)
