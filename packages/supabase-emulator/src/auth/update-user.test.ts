// `auth.updateUser(…)` (`PUT /auth/v1/user`, SUPABASE-PROTOCOL-2 §3.5) through the real supabase-js:
// metadata merge with USER_UPDATED, password and address changes, and GoTrue's refusals.
import { randomUUID } from 'node:crypto'
import { createClient, type AuthChangeEvent } from '@supabase/supabase-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { startSupabaseEmulator, type SupabaseEmulator } from '../start-supabase-emulator.js'

const newEmail = () => `update-${randomUUID()}@example.com`

describe('updateUser', () => {
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

  async function signedUp(password = 'first password') {
    const email = newEmail()
    const supabase = client()
    const { error } = await supabase.auth.signUp({
      email,
      password,
      options: { data: { display_name: 'Ada', theme: 'dark' } },
    })
    if (error) throw error
    return { supabase, email }
  }

  it('merges data into user_metadata and emits USER_UPDATED', async () => {
    const { supabase } = await signedUp()
    const events: AuthChangeEvent[] = []
    supabase.auth.onAuthStateChange((event) => events.push(event))
    const { data, error } = await supabase.auth.updateUser({
      data: { display_name: 'Ada L.', avatar: 'a.png' },
    })
    expect(error).toBeNull()
    const merged = { display_name: 'Ada L.', theme: 'dark', avatar: 'a.png' }
    expect(data.user?.user_metadata).toEqual(merged)
    expect(events).toContain('USER_UPDATED')
    expect((await supabase.auth.getUser()).data.user?.user_metadata).toEqual(merged)
    // A refreshed access token carries the merged metadata.
    const refreshed = await supabase.auth.refreshSession()
    const claims = JSON.parse(
      Buffer.from(refreshed.data.session?.access_token.split('.')[1] ?? '', 'base64url').toString(),
    ) as { user_metadata: unknown }
    expect(claims.user_metadata).toEqual(merged)
  })

  it('changes the password: the new one signs in, the old one no longer does', async () => {
    const { supabase, email } = await signedUp()
    expect((await supabase.auth.updateUser({ password: 'second password' })).error).toBeNull()
    const fresh = await client().auth.signInWithPassword({ email, password: 'second password' })
    expect(fresh.error).toBeNull()
    const old = await client().auth.signInWithPassword({ email, password: 'first password' })
    expect(old.error).toMatchObject({ code: 'invalid_credentials' })
  })

  it('refuses the current password (422 same_password) and a weak one (422 weak_password)', async () => {
    const { supabase } = await signedUp()
    const same = await supabase.auth.updateUser({ password: 'first password' })
    expect(same.error).toMatchObject({ status: 422, code: 'same_password' })
    const weak = await supabase.auth.updateUser({ password: '123' })
    expect(weak.error).toMatchObject({ status: 422, code: 'weak_password' })
  })

  it('changes the address, lower-cased, and refuses one another user has (422 email_exists)', async () => {
    const { supabase } = await signedUp()
    const other = await signedUp()
    const taken = await supabase.auth.updateUser({ email: other.email })
    expect(taken.error).toMatchObject({ status: 422, code: 'email_exists' })

    const next = newEmail()
    const { data, error } = await supabase.auth.updateUser({ email: next.toUpperCase() })
    expect(error).toBeNull()
    expect(data.user?.email).toBe(next)
    const signIn = await client().auth.signInWithPassword({
      email: next,
      password: 'first password',
    })
    expect(signIn.error).toBeNull()
  })

  it('upgrades an anonymous user with an address and password', async () => {
    const supabase = client()
    const anonymous = await supabase.auth.signInAnonymously()
    const lonely = await supabase.auth.updateUser({ password: 'long enough' })
    expect(lonely.error).toMatchObject({ status: 422, code: 'validation_failed' })
    const email = newEmail()
    const { data, error } = await supabase.auth.updateUser({ email, password: 'long enough' })
    expect(error).toBeNull()
    expect(data.user).toMatchObject({
      id: anonymous.data.user?.id,
      email,
      is_anonymous: false,
      app_metadata: { provider: 'email', providers: ['email'] },
    })
    const signIn = await client().auth.signInWithPassword({ email, password: 'long enough' })
    expect(signIn.data.user?.id).toBe(anonymous.data.user?.id)
  })
})
