import { useCallback, useSyncExternalStore } from 'react'
import type { AuthState } from '@parley/worker/client'
import type { ParleyClientLike } from './parley-client-like.js'
import { useParley } from './use-parley.js'

/** Subscribes to `client.auth` in the shape `useSyncExternalStore` wants. @internal */
export function useAuthOf(client: ParleyClientLike): AuthState {
  const subscribe = useCallback((onChange: () => void) => client.onAuthChange(onChange), [client])
  const read = useCallback(() => client.auth, [client])
  return useSyncExternalStore(subscribe, read, read)
}

/**
 * Who the engine serves — the same in every tab: `signed-out`, or `signed-in` with the user and
 * whether the engine holds a valid token (`valid`), waits for the app's client to refresh one
 * (`expired`), or was restored without one (`missing`, e.g. opened offline). Show the app's
 * sign-in when `status` is `signed-out`.
 */
export function useParleySession(): AuthState {
  return useAuthOf(useParley())
}
