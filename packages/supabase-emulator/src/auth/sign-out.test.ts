// `auth.signOut({ scope })` (`POST /auth/v1/logout`, SUPABASE-PROTOCOL-2 §3.5) through the real
// supabase-js: which sessions each scope ends, and how their tokens fail afterwards.
import { randomUUID } from 'node:crypto'
import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { startSupabaseEmulator, type SupabaseEmulator } from '../start-supabase-emulator.js'

describe('signOut scopes', () => {
  let emulator: SupabaseEmulator
  beforeAll(async () => {
    emulator = await startSupabaseEmulator({ port: 0, migrationsDir: false, seed: false })
  })
  afterAll(() => emulator.stop())

  const client = () =>
    createClient(emulator.url, emulator.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      realtime: { transport: WebSocket as never },
    })

  /** One user signed in on `count` devices; each device's client and its tokens. */
  async function devices(count: number) {
    const email = `signout-${randomUUID()}@example.com`
    await client().auth.signUp({ email, password: 'long enough' })
    const result: { supabase: SupabaseClient; refreshToken: string; accessToken: string }[] = []
    for (let i = 0; i < count; i++) {
      const supabase = client()
      const { data, error } = await supabase.auth.signInWithPassword({
        email,
        password: 'long enough',
      })
      if (error || !data.session) throw error ?? new Error('no session')
      result.push({
        supabase,
        refreshToken: data.session.refresh_token,
        accessToken: data.session.access_token,
      })
    }
    return result
  }

  /** Whether a refresh token still works (a fresh client, so no local state interferes). */
  async function refreshes(refreshToken: string): Promise<boolean | string | undefined> {
    const { error } = await client().auth.refreshSession({ refresh_token: refreshToken })
    return error === null ? true : error.code
  }

  async function rawUser(accessToken: string) {
    const response = await fetch(`${emulator.url}/auth/v1/user`, {
      headers: {
        apikey: emulator.anonKey,
        authorization: `Bearer ${accessToken}`,
        'x-supabase-api-version': '2024-01-01',
      },
    })
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }

  it('global (the default) ends every session of the user', async () => {
    const [a, b] = await devices(2)
    if (!a || !b) throw new Error('no devices')
    expect((await a.supabase.auth.signOut()).error).toBeNull()
    expect(await refreshes(a.refreshToken)).toBe('refresh_token_not_found')
    expect(await refreshes(b.refreshToken)).toBe('refresh_token_not_found')
    expect(await rawUser(b.accessToken)).toEqual({
      status: 403,
      body: expect.objectContaining({ code: 'session_not_found' }),
    })
  })

  it('local ends only the caller’s session', async () => {
    const [a, b] = await devices(2)
    if (!a || !b) throw new Error('no devices')
    expect((await a.supabase.auth.signOut({ scope: 'local' })).error).toBeNull()
    expect(await refreshes(a.refreshToken)).toBe('refresh_token_not_found')
    expect((await rawUser(a.accessToken)).body).toMatchObject({ code: 'session_not_found' })
    expect(await refreshes(b.refreshToken)).toBe(true)
  })

  it('others ends every session but the caller’s', async () => {
    const [a, b, c] = await devices(3)
    if (!a || !b || !c) throw new Error('no devices')
    expect((await a.supabase.auth.signOut({ scope: 'others' })).error).toBeNull()
    expect(await refreshes(b.refreshToken)).toBe('refresh_token_not_found')
    expect(await refreshes(c.refreshToken)).toBe('refresh_token_not_found')
    expect((await a.supabase.auth.getUser()).error).toBeNull()
    expect(await refreshes(a.refreshToken)).toBe(true)
  })

  it('answers 204 with no body, and 400 validation_failed for an unknown scope', async () => {
    const [a, b] = await devices(2)
    if (!a || !b) throw new Error('no devices')
    const logout = (token: string, scope: string) =>
      fetch(`${emulator.url}/auth/v1/logout?scope=${scope}`, {
        method: 'POST',
        headers: {
          apikey: emulator.anonKey,
          authorization: `Bearer ${token}`,
          'x-supabase-api-version': '2024-01-01',
        },
      })
    const bad = await logout(a.accessToken, 'everyone')
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ code: 'validation_failed' })
    const ok = await logout(a.accessToken, 'local')
    expect(ok.status).toBe(204)
    expect(await ok.text()).toBe('')
    expect(await refreshes(b.refreshToken)).toBe(true)
  })
})
