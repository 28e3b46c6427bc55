// The new API keys (SUPABASE-PROTOCOL-2 §3.9): `sb_publishable_…` acts as the anon key and
// `sb_secret_…` as the service_role key on Auth, PostgREST and Realtime, next to the legacy JWTs.
import { createClient } from '@supabase/supabase-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { startSupabaseEmulator, type SupabaseEmulator } from '../start-supabase-emulator.js'

describe('sb_publishable_ and sb_secret_ keys', () => {
  let emulator: SupabaseEmulator
  beforeAll(async () => {
    emulator = await startSupabaseEmulator({ port: 0, migrationsDir: false, seed: false })
    await emulator.exec(`
      create function public.who() returns text language sql stable as $$ select auth.role() $$;
      create table public.secrets (id int primary key, body text);
      alter table public.secrets enable row level security;
      insert into public.secrets values (1, 'hidden by RLS');
    `)
  })
  afterAll(() => emulator.stop())

  const client = (key: string) =>
    createClient(emulator.url, key, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      realtime: { transport: WebSocket as never },
    })

  it('are the CLI’s fixed local keys', () => {
    expect(emulator.publishableKey).toBe('sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH')
    expect(emulator.secretKey).toBe('sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz')
  })

  it('the publishable key runs REST as anon and signs users up and in', async () => {
    const supabase = client(emulator.publishableKey)
    expect(await supabase.rpc('who')).toMatchObject({ data: 'anon', error: null })
    expect(await supabase.from('secrets').select('id')).toMatchObject({ data: [], error: null })

    const email = `keys-${Date.now()}@example.com`
    const signUp = await supabase.auth.signUp({ email, password: 'long enough' })
    expect(signUp.error).toBeNull()
    // Signed in, REST runs as the user.
    expect(await supabase.rpc('who')).toMatchObject({ data: 'authenticated', error: null })
    const signIn = await client(emulator.publishableKey).auth.signInWithPassword({
      email,
      password: 'long enough',
    })
    expect(signIn.data.user?.id).toBe(signUp.data.user?.id)
  })

  it('the secret key runs REST as service_role, past RLS', async () => {
    const supabase = client(emulator.secretKey)
    expect(await supabase.rpc('who')).toMatchObject({ data: 'service_role', error: null })
    expect(await supabase.from('secrets').select('id, body')).toMatchObject({
      data: [{ id: 1, body: 'hidden by RLS' }],
      error: null,
    })
  })

  it('the publishable key opens Realtime (as the apikey query parameter)', async () => {
    const supabase = client(emulator.publishableKey)
    const channel = supabase.channel('keys-test')
    const status = await new Promise<string>((resolve) =>
      channel.subscribe((state) => {
        if (state !== 'CLOSED') resolve(state)
      }),
    )
    expect(status).toBe('SUBSCRIBED')
    await supabase.removeAllChannels()
  })

  it('an unknown sb_ key is refused like any bad key', async () => {
    const { error } = await client('sb_publishable_not-this-project').rpc('who')
    expect(error).toMatchObject({ message: 'Invalid API key' })
    const auth = await client('sb_secret_not-this-project').auth.signInAnonymously()
    expect(auth.error?.status).toBe(401)
  })
})
