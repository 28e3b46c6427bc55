import { useCallback, useSyncExternalStore } from 'react'
import { useParleyContext } from './use-parley.js'

/** What {@link useParleyError} returns. */
export interface ParleyErrorResult {
  /** The newest error reported to the provider that nobody awaited; `undefined` when none. */
  readonly error: Error | undefined
  /** Forgets it (e.g. when the user closes the toast). */
  readonly dismiss: () => void
}

/**
 * The newest error of a call the hooks made without anyone awaiting it (a typing indicator, a
 * mark-read), for a toast or a banner. The provider's `onError` still receives each one.
 */
export function useParleyError(): ParleyErrorResult {
  const { errors } = useParleyContext()
  const error = useSyncExternalStore(errors.subscribe, errors.latest, errors.latest)
  const dismiss = useCallback(() => errors.dismiss(), [errors])
  return { error, dismiss }
}
