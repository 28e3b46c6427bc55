// The tab side of "Parley rides on the app's Supabase session": follows the app's own supabase-js
// client (any sign-in method: password, magic link, OTP, OAuth, anonymous) and hands each session
// to the engine; a Supabase sign-out signs Parley out (keeping the user's local data and pending
// changes for their next sign-in). Refreshing stays with the app's client — in a browser it
// already refreshes once for all tabs (under a Web Lock, shared through localStorage) — so the
// engine never holds a refresh token. When the engine says its token expired or is missing (a
// new leader worker, an offline start), one tab at a time asks the app's client for a fresh one.
import type { AuthChangeEvent, Session, SupabaseClient, User } from '@supabase/supabase-js'

/** The session shape the engine takes (`AuthSession` of `@parley/worker`). */
export interface ParleyAuthSession {
  readonly user: { readonly id: string; readonly displayName: string }
  readonly accessToken: string
  readonly expiresAt?: number
}

/** The engine's auth state as a tab sees it (`AuthState` of `@parley/worker`). */
export type ParleyAuthStateLike =
  | { readonly status: 'signed-out' }
  | {
      readonly status: 'signed-in'
      readonly user: { readonly id: string }
      readonly token: 'valid' | 'expired' | 'missing'
    }

/** What this needs of a `ParleyClient` (matched structurally). */
export interface ParleyAuthTarget {
  readonly auth: ParleyAuthStateLike
  setSession(session: ParleyAuthSession): Promise<unknown>
  signOut(options: { force?: boolean; localData?: 'keep' | 'wipe' }): Promise<unknown>
  onAuthChange(listener: (state: ParleyAuthStateLike) => void): () => void
}

/** Options of {@link connectSupabaseAuth}. */
export interface ConnectSupabaseAuthOptions {
  /** The name other members see. Default {@link displayNameOf}. */
  displayName?: (user: User) => string
  /** Failures to hand a session over (they are retried on the next auth event). Default: ignored. */
  onError?: (error: unknown) => void
}

/**
 * The display name in a Supabase user's metadata: `display_name`, `full_name`, `name`,
 * `user_name` or `preferred_username` (what OAuth providers fill), else the e-mail's local part.
 */
export function displayNameOf(user: User): string {
  const meta = user.user_metadata as Record<string, unknown> | undefined
  for (const key of ['display_name', 'full_name', 'name', 'user_name', 'preferred_username']) {
    const value = meta?.[key]
    if (typeof value === 'string' && value.trim() !== '') return value.trim()
  }
  return user.email?.split('@')[0] ?? ''
}

/** Turns a supabase-js session into the engine's session. */
export function toParleySession(
  session: Session,
  displayName: (user: User) => string = displayNameOf,
): ParleyAuthSession {
  return {
    user: { id: session.user.id, displayName: displayName(session.user) },
    accessToken: session.access_token,
    ...(session.expires_at !== undefined ? { expiresAt: session.expires_at } : {}),
  }
}

const REFRESH_LOCK = 'parley:auth-refresh'

/** The part of the Web Locks API used here (this package is built without the DOM library). */
interface LockManagerLike {
  request(
    name: string,
    options: { ifAvailable: boolean },
    callback: (lock: unknown) => Promise<void> | undefined,
  ): Promise<unknown>
}

/**
 * Follows `supabase`'s auth state into `parley` until the returned function is called. Call it
 * once per tab, right after `createParleyClient`. To sign out, call `parley.signOut()` first
 * (it refuses while changes are pending) and then `supabase.auth.signOut()`.
 */
export function connectSupabaseAuth(
  parley: ParleyAuthTarget,
  supabase: SupabaseClient,
  options: ConnectSupabaseAuthOptions = {},
): () => void {
  const onError = options.onError ?? (() => undefined)
  const name = options.displayName ?? displayNameOf
  let stopped = false
  let handed: string | undefined

  const hand = (session: Session): void => {
    const next = toParleySession(session, name)
    if (handed === next.accessToken && parley.auth.status === 'signed-in') {
      const state = parley.auth
      if (state.user.id === next.user.id && state.token === 'valid') return
    }
    handed = next.accessToken
    parley.setSession(next).catch((error: unknown) => {
      handed = undefined
      onError(error)
    })
  }

  const onAuth = (event: AuthChangeEvent, session: Session | null): void => {
    if (stopped) return
    if (event === 'SIGNED_OUT') {
      handed = undefined
      // Nothing is lost: pending changes stay in the user's database for their next sign-in.
      parley.signOut({ force: true }).catch(onError)
      return
    }
    // INITIAL_SESSION without a session (offline with an expired token, or never signed in)
    // leaves the engine as it is: offline-first, the remembered user keeps their local data.
    if (session !== null) hand(session)
  }

  // auth-js holds its lock while calling listeners: act on the next task.
  const { data } = supabase.auth.onAuthStateChange((event, session) => {
    setTimeout(() => onAuth(event, session), 0)
  })

  const renew = (): void => {
    const work = async (): Promise<void> => {
      // getSession refreshes an expired session itself (once across tabs, under auth-js's lock).
      const { data: current, error } = await supabase.auth.getSession()
      if (error !== null) throw error
      if (current.session !== null && !stopped) {
        handed = undefined
        hand(current.session)
      }
    }
    const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks
    const run =
      locks === undefined
        ? work()
        : // One tab asks at a time; the others see the new token arrive in the engine.
          locks.request(REFRESH_LOCK, { ifAvailable: true }, (lock) =>
            lock === null ? undefined : work(),
          )
    Promise.resolve(run).catch(onError)
  }
  const stopWatching = parley.onAuthChange((state) => {
    if (!stopped && state.status === 'signed-in' && state.token !== 'valid') renew()
  })
  if (parley.auth.status === 'signed-in' && parley.auth.token !== 'valid') renew()

  return () => {
    if (stopped) return
    stopped = true
    stopWatching()
    data.subscription.unsubscribe()
  }
}
