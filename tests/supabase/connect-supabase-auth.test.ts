// connectSupabaseAuth against the emulator through the real supabase-js: the app's own client
// signs in (password, then a refresh, then sign-out) and the engine receives each session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient } from '@supabase/supabase-js'
import WebSocket from 'ws'
import type { SupabaseEmulator } from '@parley/supabase-emulator'
import {
  connectSupabaseAuth,
  displayNameOf,
  type ParleyAuthSession,
  type ParleyAuthStateLike,
  type ParleyAuthTarget,
} from '@parley/transport-supabase'
import { startEmulator } from './transport-helpers.js'

let emulator: SupabaseEmulator
beforeAll(async () => {
  emulator = await startEmulator()
})
afterAll(async () => {
  await emulator?.stop()
})

/** A stand-in for ParleyClient that records what it is told. */
class RecordingTarget implements ParleyAuthTarget {
  auth: ParleyAuthStateLike = { status: 'signed-out' }
  readonly sessions: ParleyAuthSession[] = []
  readonly signOuts: { force?: boolean }[] = []
  readonly #listeners = new Set<(state: ParleyAuthStateLike) => void>()
  async setSession(session: ParleyAuthSession) {
    this.sessions.push(session)
    this.set({ status: 'signed-in', user: session.user, token: 'valid' })
  }
  async signOut(options: { force?: boolean }) {
    this.signOuts.push(options)
    this.set({ status: 'signed-out' })
  }
  onAuthChange(listener: (state: ParleyAuthStateLike) => void) {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
  set(state: ParleyAuthStateLike) {
    this.auth = state
    for (const listener of [...this.#listeners]) listener(state)
  }
}

async function until(ok: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 8_000
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

function appClient() {
  return createClient(emulator.url, emulator.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  })
}

describe('connectSupabaseAuth', () => {
  it('hands over each session of the app client, and signs out (keeping data) with it', async () => {
    const supabase = appClient()
    const parley = new RecordingTarget()
    const stop = connectSupabaseAuth(parley, supabase)
    const email = `ada-${Date.now()}@example.com`
    const { data, error } = await supabase.auth.signUp({
      email,
      password: 'correct horse battery',
      options: { data: { full_name: 'Ada Lovelace' } },
    })
    expect(error).toBeNull()
    await until(() => parley.sessions.length === 1, 'the first session')
    const first = parley.sessions[0]!
    expect(first.user).toEqual({ id: data.user!.id, displayName: 'Ada Lovelace' })
    expect(first.accessToken).toBe(data.session!.access_token)
    expect(first.expiresAt).toBe(data.session!.expires_at)

    // A refresh hands the new token over (a second later: tokens of one second are identical).
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    const refreshed = await supabase.auth.refreshSession()
    await until(() => parley.sessions.length === 2, 'the refreshed session')
    expect(parley.sessions[1]!.accessToken).toBe(refreshed.data.session!.access_token)

    // The engine reports an expired token: the tab asks its client for a fresh one.
    parley.set({ status: 'signed-in', user: first.user, token: 'expired' })
    await until(() => parley.sessions.length === 3, 'a session after the expiry report')

    await supabase.auth.signOut()
    await until(() => parley.signOuts.length === 1, 'the sign-out')
    expect(parley.signOuts[0]).toEqual({ force: true })
    stop()
  })

  it('stops following after the returned function is called', async () => {
    const supabase = appClient()
    const parley = new RecordingTarget()
    connectSupabaseAuth(parley, supabase)()
    await supabase.auth.signInAnonymously()
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(parley.sessions).toEqual([])
  })
})

describe('displayNameOf', () => {
  it('reads the names OAuth providers and apps put in user metadata, else the e-mail', () => {
    const user = (meta: Record<string, unknown>, email?: string) =>
      ({ id: 'u', user_metadata: meta, email }) as never
    expect(displayNameOf(user({ display_name: 'Dee' }))).toBe('Dee')
    expect(displayNameOf(user({ full_name: 'Full Name', name: 'n' }))).toBe('Full Name')
    expect(displayNameOf(user({ user_name: 'gh-user' }))).toBe('gh-user')
    expect(displayNameOf(user({}, 'grace@example.com'))).toBe('grace')
    expect(displayNameOf(user({}))).toBe('')
  })
})
