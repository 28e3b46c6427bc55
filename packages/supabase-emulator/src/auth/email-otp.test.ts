// OTP / magic-link sign-in through the real supabase-js (SUPABASE-PROTOCOL-2 §3.3, §3.4): the mail
// is read back from the Mailpit-compatible API, then verified by code and by token hash.
import { createHash, randomUUID } from 'node:crypto'
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

interface Mail {
  Subject: string
  HTML: string
  Text: string
  To: { Address: string }[]
}

/** The newest mail to `email` with its code and link, read through the Mailpit-compatible API. */
async function latestMailTo(emulator: SupabaseEmulator, email: string) {
  const query = encodeURIComponent(`to:"${email}"`)
  const list = (await (await fetch(`${emulator.mailUrl}/api/v1/search?query=${query}`)).json()) as {
    messages: { ID: string }[]
  }
  const id = list.messages[0]?.ID
  if (!id) throw new Error(`no mail to ${email}`)
  const mail = (await (await fetch(`${emulator.mailUrl}/api/v1/message/${id}`)).json()) as Mail
  const code = /enter the code: (\d{6})/.exec(mail.HTML)?.[1]
  const href = /href="([^"]+)"/.exec(mail.HTML)?.[1]?.replaceAll('&amp;', '&')
  if (!code || !href) throw new Error(`mail without code or link: ${mail.HTML}`)
  return { mail, code, link: new URL(href), count: list.messages.length }
}

const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >

const newEmail = () => `otp-${randomUUID()}@example.com`

describe('signInWithOtp and verifyOtp', () => {
  let emulator: SupabaseEmulator
  beforeAll(async () => {
    // A long send interval, so the rate-limit case cannot pass by the clock running out.
    emulator = await startSupabaseEmulator({
      port: 0,
      migrationsDir: false,
      seed: false,
      emailMaxFrequencyMs: 60_000,
    })
  })
  afterAll(() => emulator.stop())

  it('creates the user and mails a magic link with a code; the code signs in once', async () => {
    const email = newEmail()
    const sent = await client(emulator).auth.signInWithOtp({
      email,
      options: { data: { display_name: 'Grace' }, emailRedirectTo: 'http://localhost:5173/in' },
    })
    expect(sent).toEqual({ data: { user: null, session: null }, error: null })

    const { mail, code, link } = await latestMailTo(emulator, email)
    expect(mail.Subject).toBe('Your Magic Link')
    expect(mail.To).toEqual([expect.objectContaining({ Address: email })])
    expect(mail.Text).toContain(code)
    expect(`${link.origin}${link.pathname}`).toBe(`${emulator.url}/auth/v1/verify`)
    expect(link.searchParams.get('type')).toBe('magiclink')
    expect(link.searchParams.get('redirect_to')).toBe('http://localhost:5173/in')
    expect(link.searchParams.get('token')).toBe(
      createHash('sha224').update(`${email}${code}`).digest('hex'),
    )

    const supabase = client(emulator)
    const events: AuthChangeEvent[] = []
    supabase.auth.onAuthStateChange((event) => events.push(event))
    const { data, error } = await supabase.auth.verifyOtp({ email, token: code, type: 'email' })
    expect(error).toBeNull()
    expect(data.user).toMatchObject({ email, user_metadata: { display_name: 'Grace' } })
    expect(data.user?.email_confirmed_at).toEqual(expect.any(String))
    expect(claimsOf(data.session?.access_token ?? '').amr).toEqual([
      { method: 'otp', timestamp: expect.any(Number) },
    ])
    expect(events).toContain('SIGNED_IN')

    const reused = await client(emulator).auth.verifyOtp({ email, token: code, type: 'email' })
    expect(reused.data.session).toBeNull()
    expect(reused.error).toMatchObject({ status: 403, code: 'otp_expired' })
  })

  it('verifies by token hash, once', async () => {
    const email = newEmail()
    await client(emulator).auth.signInWithOtp({ email })
    const { link } = await latestMailTo(emulator, email)
    const tokenHash = link.searchParams.get('token') ?? ''

    const { data, error } = await client(emulator).auth.verifyOtp({
      token_hash: tokenHash,
      type: 'magiclink',
    })
    expect(error).toBeNull()
    expect(data.user?.email).toBe(email)
    expect(data.session?.refresh_token).toEqual(expect.any(String))

    const reused = await client(emulator).auth.verifyOtp({
      token_hash: tokenHash,
      type: 'magiclink',
    })
    expect(reused.error).toMatchObject({ status: 403, code: 'otp_expired' })
  })

  it('refuses a wrong code and a token of the wrong type with 403 otp_expired', async () => {
    const email = newEmail()
    await client(emulator).auth.signInWithOtp({ email })
    const { code, link } = await latestMailTo(emulator, email)
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0')
    const bad = await client(emulator).auth.verifyOtp({ email, token: wrong, type: 'email' })
    expect(bad.error).toMatchObject({ status: 403, code: 'otp_expired' })
    // A magic-link token is not a sign-up confirmation.
    const asSignup = await client(emulator).auth.verifyOtp({
      token_hash: link.searchParams.get('token') ?? '',
      type: 'signup',
    })
    expect(asSignup.error).toMatchObject({ status: 403, code: 'otp_expired' })
    // Neither attempt consumed the real code.
    const good = await client(emulator).auth.verifyOtp({ email, token: code, type: 'magiclink' })
    expect(good.error).toBeNull()
  })

  it('refuses a code older than otp_expiry with 403 otp_expired', async () => {
    const email = newEmail()
    await client(emulator).auth.signInWithOtp({ email })
    const { code } = await latestMailTo(emulator, email)
    await emulator.sql(
      `update auth.users set recovery_sent_at = now() - interval '3601 seconds' where email = $1`,
      [email],
    )
    const late = await client(emulator).auth.verifyOtp({ email, token: code, type: 'email' })
    expect(late.error).toMatchObject({ status: 403, code: 'otp_expired' })
  })

  it('signs in an existing password user by magic link without touching the password', async () => {
    const email = newEmail()
    const signUp = await client(emulator).auth.signUp({ email, password: 'long enough' })
    await client(emulator).auth.signInWithOtp({ email, options: { shouldCreateUser: false } })
    const { code } = await latestMailTo(emulator, email)
    const { data } = await client(emulator).auth.verifyOtp({ email, token: code, type: 'email' })
    expect(data.user?.id).toBe(signUp.data.user?.id)
    const password = await client(emulator).auth.signInWithPassword({
      email,
      password: 'long enough',
    })
    expect(password.error).toBeNull()
  })

  it('refuses an unknown address when shouldCreateUser is false (422 otp_disabled), mailing nothing', async () => {
    const email = newEmail()
    const { error } = await client(emulator).auth.signInWithOtp({
      email,
      options: { shouldCreateUser: false },
    })
    expect(error).toMatchObject({ status: 422, code: 'otp_disabled' })
    await expect(latestMailTo(emulator, email)).rejects.toThrow('no mail')
    const users = await emulator.sql('select 1 from auth.users where email = $1', [email])
    expect(users).toHaveLength(0)
  })

  it('refuses a second mail within max_frequency with 429 over_email_send_rate_limit', async () => {
    const email = newEmail()
    expect((await client(emulator).auth.signInWithOtp({ email })).error).toBeNull()
    const again = await client(emulator).auth.signInWithOtp({ email })
    expect(again.error).toMatchObject({ status: 429, code: 'over_email_send_rate_limit' })
    expect(again.error?.message).toMatch(/only request this after \d+ seconds/)
    expect((await latestMailTo(emulator, email)).count).toBe(1)
    // Once the interval has passed, a new mail goes out and the first code is void.
    const first = await latestMailTo(emulator, email)
    await emulator.sql(
      `update auth.users set recovery_sent_at = now() - interval '61 seconds' where email = $1`,
      [email],
    )
    expect((await client(emulator).auth.signInWithOtp({ email })).error).toBeNull()
    const second = await latestMailTo(emulator, email)
    expect(second.count).toBe(2)
    const stale = await client(emulator).auth.verifyOtp({
      email,
      token: first.code,
      type: 'email',
    })
    // Codes are random; in the 1-in-a-million case both mails carry the same code.
    if (first.code !== second.code) expect(stale.error).toMatchObject({ code: 'otp_expired' })
  })

  it('refuses a malformed address with 400 validation_failed', async () => {
    const { error } = await client(emulator).auth.signInWithOtp({ email: 'nope' })
    expect(error).toMatchObject({ status: 400, code: 'validation_failed' })
  })
})
