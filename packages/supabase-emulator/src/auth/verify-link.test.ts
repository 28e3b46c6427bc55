// The mail link, `GET /auth/v1/verify` (SUPABASE-PROTOCOL-2 §3.4): a 303 to `redirect_to` with the
// implicit-flow session in the fragment, which supabase-js in a browser (`detectSessionInUrl`,
// the default) turns into a signed-in client; a used link redirects with `otp_expired` instead.
import { randomUUID } from 'node:crypto'
import { createClient, type AuthChangeEvent } from '@supabase/supabase-js'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { WebSocket } from 'ws'
import { startSupabaseEmulator, type SupabaseEmulator } from '../start-supabase-emulator.js'

/** The link of the newest mail to `email`, read through the Mailpit-compatible API. */
async function mailLink(emulator: SupabaseEmulator, email: string): Promise<string> {
  const query = encodeURIComponent(`to:"${email}"`)
  const list = (await (await fetch(`${emulator.mailUrl}/api/v1/search?query=${query}`)).json()) as {
    messages: { ID: string }[]
  }
  const message = (await (
    await fetch(`${emulator.mailUrl}/api/v1/message/${list.messages[0]?.ID}`)
  ).json()) as { HTML: string }
  const href = /href="([^"]+)"/.exec(message.HTML)?.[1]
  if (!href) throw new Error(`no link in ${message.HTML}`)
  return href.replaceAll('&amp;', '&')
}

/** Follows the link as a browser would (no API key), returning the 303 target. */
async function openLink(link: string): Promise<URL> {
  const response = await fetch(link, { redirect: 'manual' })
  expect(response.status).toBe(303)
  return new URL(response.headers.get('location') ?? '')
}

/**
 * What auth-js needs of a browser to read a session from the URL: `window.location` (read, and
 * its hash cleared afterwards) and `document`. The client is otherwise the real supabase-js.
 */
function openInBrowser(emulator: SupabaseEmulator, href: string) {
  const location = {
    href,
    get hash() {
      return new URL(this.href).hash
    },
    set hash(value: string) {
      const url = new URL(this.href)
      url.hash = value
      this.href = url.toString()
    },
  }
  vi.stubGlobal('window', { location, history: { state: null, replaceState: () => undefined } })
  vi.stubGlobal('document', { visibilityState: 'visible' })
  const supabase = createClient(emulator.url, emulator.anonKey, {
    // detectSessionInUrl: the default (true). A key of its own keeps auth-js from warning
    // about several clients in one "browser".
    auth: { persistSession: false, autoRefreshToken: false, storageKey: `sb-${randomUUID()}` },
    realtime: { transport: WebSocket as never },
  })
  const events: AuthChangeEvent[] = []
  supabase.auth.onAuthStateChange((event) => events.push(event))
  return { supabase, location, events }
}

const newEmail = () => `link-${randomUUID()}@example.com`

describe('the verify link', () => {
  let emulator: SupabaseEmulator
  beforeAll(async () => {
    emulator = await startSupabaseEmulator({ port: 0, migrationsDir: false, seed: false })
  })
  afterAll(() => emulator.stop())
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  const plainClient = () =>
    createClient(emulator.url, emulator.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      realtime: { transport: WebSocket as never },
    })

  it('redirects with the session in the fragment, which signs a browser client in', async () => {
    const email = newEmail()
    await plainClient().auth.signInWithOtp({
      email,
      options: { emailRedirectTo: 'http://localhost:5173/welcome?tab=chats' },
    })
    const target = await openLink(await mailLink(emulator, email))
    expect(`${target.origin}${target.pathname}${target.search}`).toBe(
      'http://localhost:5173/welcome?tab=chats',
    )
    const fragment = new URLSearchParams(target.hash.slice(1))
    expect([...fragment.keys()]).toEqual([
      'access_token',
      'expires_at',
      'expires_in',
      'refresh_token',
      'token_type',
      'type',
    ])
    expect(fragment.get('token_type')).toBe('bearer')
    expect(fragment.get('type')).toBe('magiclink')
    expect(fragment.get('expires_in')).toBe('3600')
    expect(Number(fragment.get('expires_at'))).toBeGreaterThan(Date.now() / 1000)

    const { supabase, location, events } = openInBrowser(emulator, target.toString())
    const { data, error } = await supabase.auth.getSession()
    expect(error).toBeNull()
    expect(data.session?.user.email).toBe(email)
    expect(data.session?.access_token).toBe(fragment.get('access_token'))
    expect(location.hash).toBe('') // auth-js removes the tokens from the address bar
    await vi.waitFor(() => expect(events).toContain('SIGNED_IN'))
    // The session is live on the server too.
    const user = await supabase.auth.getUser()
    expect(user.data.user?.email).toBe(email)
  })

  it('redirects a used link with otp_expired, which the browser client reports', async () => {
    const email = newEmail()
    await plainClient().auth.signInWithOtp({
      email,
      options: { emailRedirectTo: 'http://localhost:5173/welcome' },
    })
    const link = await mailLink(emulator, email)
    await openLink(link)
    const target = await openLink(link)
    const fragment = new URLSearchParams(target.hash.slice(1))
    expect(fragment.get('error_code')).toBe('otp_expired')
    expect(fragment.get('error')).toBe('access_denied')
    expect(fragment.get('access_token')).toBeNull()
    expect(target.searchParams.get('error_code')).toBe('otp_expired')

    const { supabase } = openInBrowser(emulator, target.toString())
    const { error } = await supabase.auth.initialize()
    expect(error).toMatchObject({
      name: 'AuthImplicitGrantRedirectError',
      details: { code: 'otp_expired' },
    })
    expect((await supabase.auth.getSession()).data.session).toBeNull()
  })

  it('redirects to the site URL when the request named no redirect', async () => {
    const email = newEmail()
    await plainClient().auth.signInWithOtp({ email })
    const link = new URL(await mailLink(emulator, email))
    expect(link.searchParams.get('redirect_to')).toBe('http://127.0.0.1:3000')
    const target = await openLink(link.toString())
    expect(target.origin).toBe('http://127.0.0.1:3000')
    expect(new URLSearchParams(target.hash.slice(1)).get('access_token')).toEqual(
      expect.any(String),
    )
  })
})
