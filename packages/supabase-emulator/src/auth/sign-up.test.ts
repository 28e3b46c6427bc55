// E-mail + password sign-up and sign-in through the real supabase-js (SUPABASE-PROTOCOL-2 §3.1,
// §3.2): with confirmations off (the CLI default) and on.
import { randomUUID } from 'node:crypto'
import { createClient, type AuthChangeEvent } from '@supabase/supabase-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { startSupabaseEmulator, type SupabaseEmulator } from '../start-supabase-emulator.js'

function client(emulator: SupabaseEmulator) {
  return createClient(emulator.url, emulator.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: WebSocket as never },
  })
}

/** The newest mail to `email`, read through the Mailpit-compatible API. */
async function latestMailTo(emulator: SupabaseEmulator, email: string) {
  const query = encodeURIComponent(`to:"${email}"`)
  const list = (await (await fetch(`${emulator.mailUrl}/api/v1/search?query=${query}`)).json()) as {
    messages: { ID: string }[]
  }
  const id = list.messages[0]?.ID
  if (!id) return undefined
  const response = await fetch(`${emulator.mailUrl}/api/v1/message/${id}`)
  return (await response.json()) as { Subject: string; HTML: string; Text: string }
}

const newEmail = () => `signup-${randomUUID()}@example.com`

describe('e-mail sign-up with confirmations off (the CLI default)', () => {
  let emulator: SupabaseEmulator
  beforeAll(async () => {
    emulator = await startSupabaseEmulator({ port: 0, migrationsDir: false, seed: false })
  })
  afterAll(() => emulator.stop())

  it('returns a confirmed user with a session, then signs in with the password', async () => {
    const email = newEmail()
    const supabase = client(emulator)
    const events: AuthChangeEvent[] = []
    supabase.auth.onAuthStateChange((event) => events.push(event))
    const { data, error } = await supabase.auth.signUp({
      email: email.toUpperCase(),
      password: 'correct horse',
      options: { data: { display_name: 'Ada' } },
    })
    expect(error).toBeNull()
    const user = data.user
    if (!user || !data.session) throw new Error('no session')
    expect(user).toMatchObject({
      email,
      is_anonymous: false,
      user_metadata: { display_name: 'Ada' },
      app_metadata: { provider: 'email', providers: ['email'] },
    })
    expect(user.email_confirmed_at).toEqual(expect.any(String))
    expect(user.confirmed_at).toBe(user.email_confirmed_at)
    expect(user.identities).toEqual([
      expect.objectContaining({
        id: user.id,
        user_id: user.id,
        provider: 'email',
        identity_data: expect.objectContaining({ sub: user.id, email, email_verified: true }),
      }),
    ])
    expect(events).toContain('SIGNED_IN')

    const signIn = await client(emulator).auth.signInWithPassword({
      email,
      password: 'correct horse',
    })
    expect(signIn.error).toBeNull()
    expect(signIn.data.user?.id).toBe(user.id)
    const claims = JSON.parse(
      Buffer.from(signIn.data.session?.access_token.split('.')[1] ?? '', 'base64url').toString(),
    ) as Record<string, unknown>
    expect(claims).toMatchObject({ sub: user.id, email, is_anonymous: false })
    expect(claims.amr).toEqual([{ method: 'password', timestamp: expect.any(Number) }])
    // Confirmations off: nothing was mailed.
    expect(await latestMailTo(emulator, email)).toBeUndefined()
  })

  it('refuses a password under 6 characters with 422 weak_password', async () => {
    const { data, error } = await client(emulator).auth.signUp({
      email: newEmail(),
      password: '12345',
    })
    expect(data.user).toBeNull()
    expect(error).toMatchObject({ status: 422, code: 'weak_password', reasons: ['length'] })
  })

  it('refuses a password over 72 characters with 400 validation_failed', async () => {
    const { error } = await client(emulator).auth.signUp({
      email: newEmail(),
      password: 'x'.repeat(73),
    })
    expect(error).toMatchObject({ status: 400, code: 'validation_failed' })
  })

  it('refuses a malformed address with 400 validation_failed', async () => {
    const { error } = await client(emulator).auth.signUp({
      email: 'not an address',
      password: 'long enough',
    })
    expect(error).toMatchObject({
      status: 400,
      code: 'validation_failed',
      message: 'Unable to validate email address: invalid format',
    })
  })

  it('refuses an address that is already registered, in any case, with 422 user_already_exists', async () => {
    const email = newEmail()
    expect((await client(emulator).auth.signUp({ email, password: 'first one' })).error).toBeNull()
    const again = await client(emulator).auth.signUp({
      email: email.replace('signup', 'SIGNUP'),
      password: 'second one',
    })
    expect(again.data.session).toBeNull()
    expect(again.error).toMatchObject({ status: 422, code: 'user_already_exists' })
    // The first password still holds.
    const signIn = await client(emulator).auth.signInWithPassword({ email, password: 'first one' })
    expect(signIn.error).toBeNull()
  })

  it('answers a wrong password and an unknown address alike: 400 invalid_credentials', async () => {
    const email = newEmail()
    await client(emulator).auth.signUp({ email, password: 'right password' })
    const wrong = await client(emulator).auth.signInWithPassword({
      email,
      password: 'wrong password',
    })
    expect(wrong.data.session).toBeNull()
    expect(wrong.error).toMatchObject({ status: 400, code: 'invalid_credentials' })
    const unknown = await client(emulator).auth.signInWithPassword({
      email: newEmail(),
      password: 'right password',
    })
    expect(unknown.error).toMatchObject({
      status: 400,
      code: 'invalid_credentials',
      message: wrong.error?.message,
    })
  })
})

describe('e-mail sign-up with confirmations on', () => {
  let emulator: SupabaseEmulator
  beforeAll(async () => {
    emulator = await startSupabaseEmulator({
      port: 0,
      migrationsDir: false,
      seed: false,
      emailConfirmations: true,
    })
  })
  afterAll(() => emulator.stop())

  it('returns the bare user and mails a confirmation; sign-in waits for the code', async () => {
    const email = newEmail()
    const { data, error } = await client(emulator).auth.signUp({
      email,
      password: 'long enough',
      options: { emailRedirectTo: 'http://localhost:5173/welcome' },
    })
    expect(error).toBeNull()
    expect(data.session).toBeNull()
    expect(data.user?.email).toBe(email)
    expect(data.user?.email_confirmed_at).toBeUndefined()
    expect(data.user?.confirmation_sent_at).toEqual(expect.any(String))

    const mail = await latestMailTo(emulator, email)
    expect(mail?.Subject).toBe('Confirm Your Email')
    expect(mail?.Text).toContain('type=signup')
    expect(mail?.Text).toContain(
      `redirect_to=${encodeURIComponent('http://localhost:5173/welcome')}`,
    )
    const code = /enter the code: (\d{6})/.exec(mail?.HTML ?? '')?.[1]
    if (!code) throw new Error('no code in the mail')

    const early = await client(emulator).auth.signInWithPassword({
      email,
      password: 'long enough',
    })
    expect(early.error).toMatchObject({ status: 400, code: 'email_not_confirmed' })

    const verified = await client(emulator).auth.verifyOtp({ email, token: code, type: 'signup' })
    expect(verified.error).toBeNull()
    expect(verified.data.user?.id).toBe(data.user?.id)
    expect(verified.data.user?.email_confirmed_at).toEqual(expect.any(String))

    const later = await client(emulator).auth.signInWithPassword({
      email,
      password: 'long enough',
    })
    expect(later.error).toBeNull()
    expect(later.data.user?.id).toBe(data.user?.id)
  })

  it('answers a confirmed address with a look-alike user and sends no mail', async () => {
    const email = newEmail()
    const first = await client(emulator).auth.signUp({ email, password: 'long enough' })
    const code = /enter the code: (\d{6})/.exec((await latestMailTo(emulator, email))?.HTML ?? '')
    await client(emulator).auth.verifyOtp({ email, token: code?.[1] ?? '', type: 'signup' })
    await fetch(`${emulator.mailUrl}/api/v1/messages`, { method: 'DELETE' })

    const again = await client(emulator).auth.signUp({ email, password: 'another one' })
    expect(again.error).toBeNull()
    expect(again.data.session).toBeNull()
    expect(again.data.user?.id).not.toBe(first.data.user?.id)
    expect(again.data.user?.identities).toEqual([])
    expect(await latestMailTo(emulator, email)).toBeUndefined()
  })
})
