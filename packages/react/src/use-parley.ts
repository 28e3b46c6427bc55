import { useContext } from 'react'
import type { ParleyClientLike } from './parley-client-like.js'
import { ParleyContext, type ParleyContextValue } from './parley-context.js'
import { ParleyReactError } from './parley-react-error.js'

/**
 * The client given to the nearest {@link ParleyProvider}, for intents such as `send`, `edit`,
 * `react` and `markRead`.
 *
 * @throws ParleyReactError with code `missing-provider` outside a provider.
 */
export function useParley(): ParleyClientLike {
  return useParleyContext().client
}

/** @internal The whole context value. */
export function useParleyContext(): ParleyContextValue {
  const value = useContext(ParleyContext)
  if (value === undefined) {
    throw new ParleyReactError(
      'missing-provider',
      'Parley hooks must be used inside <ParleyProvider client={…}>',
    )
  }
  return value
}
