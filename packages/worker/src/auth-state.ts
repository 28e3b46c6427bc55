// What the tabs and the host say to each other about who is signed in. Parley never signs
// anyone in: the app's own Supabase client does (any method), and a tab hands the session to the
// host (`ParleyClient.setSession`, or `connectSupabaseAuth` from `@parley/transport-supabase`).
// The host keeps only what it needs — the user and the access token — never the refresh token:
// refreshing stays with the app's client, which already refreshes once across tabs.

/** The user a session belongs to, as Parley needs it. */
export interface AuthUser {
  /** The Supabase user id (`auth.uid()`). */
  readonly id: string
  /** The name other members see; empty when the app has none. */
  readonly displayName: string
}

/** A session handed from a tab to the host. Plain data: it crosses `postMessage`. */
export interface AuthSession {
  readonly user: AuthUser
  /** The user's access token (a JWT) for the server. */
  readonly accessToken: string
  /** When the access token expires, in Unix seconds (Supabase's `expires_at`). */
  readonly expiresAt?: number
}

/**
 * Who the engine serves, as every tab sees it.
 *
 * - `signed-out`: no user; the app shows its sign-in.
 * - `signed-in`: the engine runs for `user`. `token` says whether it can reach the server:
 *   `valid`, `expired` (waiting for the app's client to refresh), or `missing` — restored from
 *   the last visit without a session (e.g. opened offline): everything works locally and syncs
 *   once a tab hands over a session.
 */
export type AuthState =
  | { readonly status: 'signed-out' }
  | {
      readonly status: 'signed-in'
      readonly user: AuthUser
      readonly token: 'valid' | 'expired' | 'missing'
    }

/** Options of `signOut`. */
export interface SignOutOptions {
  /**
   * Sign out even with changes the server does not have yet. Without it, a non-empty outbox
   * makes `signOut` fail with `HostError` `pending-changes`. Default `false`.
   */
  force?: boolean
  /**
   * What happens to this user's local database: `keep` (default) leaves it for the next
   * sign-in of the same user — pending changes are sent then; `wipe` deletes it (needs the
   * host's `deleteStorage`). Either way no other user can open it.
   */
  localData?: 'keep' | 'wipe'
}

/** The signed-out state. */
export const SIGNED_OUT: AuthState = Object.freeze({ status: 'signed-out' })

/** Whether `value` is a well-formed {@link AuthSession} (it arrives from another thread). */
export function isAuthSession(value: unknown): value is AuthSession {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Partial<Record<keyof AuthSession, unknown>>
  const user = v.user as Partial<Record<keyof AuthUser, unknown>> | null | undefined
  return (
    typeof user === 'object' &&
    user !== null &&
    typeof user.id === 'string' &&
    user.id !== '' &&
    typeof user.displayName === 'string' &&
    typeof v.accessToken === 'string' &&
    v.accessToken !== '' &&
    (v.expiresAt === undefined || (typeof v.expiresAt === 'number' && Number.isFinite(v.expiresAt)))
  )
}

/** Whether two auth states say the same thing (pushes to tabs only on change). */
export function sameAuthState(a: AuthState, b: AuthState): boolean {
  if (a.status !== b.status) return false
  if (a.status === 'signed-out' || b.status === 'signed-out') return true
  return a.token === b.token && a.user.id === b.user.id && a.user.displayName === b.user.displayName
}
