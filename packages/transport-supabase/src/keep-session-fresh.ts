// Keeps a client's session and its Realtime token fresh while a transport or remote log uses it.
//
// Why: supabase-js refreshes the session on a timer only in a browser window
// (auth-js `_startAutoRefresh` checks `isBrowser()`), and Parley runs in a Web Worker, where it
// would otherwise refresh only lazily on the next request. Realtime closes a private channel the
// moment its token expires (server watchdog, SUPABASE-PROTOCOL.md §1.10), so the token must be
// renewed before that, and every renewal handed to Realtime (`realtime.setAuth`).
import { createRetryPolicy } from '@parley/core/ports'
import type { Session, SupabaseClient } from '@supabase/supabase-js'

interface Keeper {
  users: number
  stop(): void
}

const keepers = new WeakMap<SupabaseClient, Keeper>()

/** Refresh this long before expiry at most; less for short-lived tokens (a third of what is left). */
const MAX_MARGIN_MS = 60_000

/**
 * Starts keeping `client`'s session fresh (shared: one keeper per client however many users),
 * and returns the function that releases this use (idempotent). `onError` receives refresh
 * failures that persist after retries are scheduled; they are never thrown.
 */
export function keepSessionFresh(
  client: SupabaseClient,
  onError: (error: unknown) => void,
): () => void {
  let keeper = keepers.get(client)
  if (keeper === undefined) {
    keeper = startKeeper(client, onError)
    keepers.set(client, keeper)
  }
  keeper.users++
  let released = false
  const current = keeper
  return () => {
    if (released) return
    released = true
    if (--current.users === 0) {
      current.stop()
      keepers.delete(client)
    }
  }
}

function startKeeper(client: SupabaseClient, onError: (error: unknown) => void): Keeper {
  const retry = createRetryPolicy({
    baseDelayMs: 1_000,
    maxDelayMs: 30_000,
    isRetryable: () => true,
  })
  let timer: ReturnType<typeof setTimeout> | undefined
  let stopped = false
  let failures = 0

  const schedule = (delayMs: number, work: () => void) => {
    if (timer !== undefined) clearTimeout(timer)
    timer = setTimeout(() => {
      timer = undefined
      if (!stopped) work()
    }, delayMs)
  }

  const refresh = () => {
    client.auth.refreshSession().then(
      ({ data, error }) => {
        if (stopped) return
        if (error || !data.session) {
          // A rejected refresh token will not get better; a network failure may.
          onError(error ?? new Error('session refresh returned no session'))
          if (error && error.status !== undefined && error.status >= 400 && error.status < 500)
            return
          schedule(retry.delayMs(failures++), refresh)
          return
        }
        failures = 0
        // TOKEN_REFRESHED follows and schedules the next refresh.
      },
      (error: unknown) => {
        if (stopped) return
        onError(error)
        schedule(retry.delayMs(failures++), refresh)
      },
    )
  }

  const track = (session: Session | null) => {
    if (stopped) return
    if (session === null) {
      if (timer !== undefined) clearTimeout(timer)
      timer = undefined
      void client.realtime.setAuth().catch(onError)
      return
    }
    void client.realtime.setAuth(session.access_token).catch(onError)
    if (session.expires_at === undefined) return
    const left = session.expires_at * 1000 - Date.now()
    const margin = Math.min(MAX_MARGIN_MS, Math.max(0, left / 3))
    schedule(Math.max(0, left - margin), refresh)
  }

  const { data } = client.auth.onAuthStateChange((event, session) => {
    // auth-js holds its lock while calling listeners: calling back into auth here could
    // deadlock, so act on the next task.
    if (event === 'SIGNED_OUT') setTimeout(() => track(null), 0)
    else if (session !== null) setTimeout(() => track(session), 0)
  })
  return {
    users: 0,
    stop() {
      stopped = true
      if (timer !== undefined) clearTimeout(timer)
      data.subscription.unsubscribe()
    },
  }
}
