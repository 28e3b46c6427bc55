import { Fragment, useEffect, useMemo, useRef, type ReactNode } from 'react'
import { createErrorBus } from './internal/error-bus.js'
import type { ParleyClientLike } from './parley-client-like.js'
import { ParleyContext, type ParleyContextValue } from './parley-context.js'
import { useAuthOf } from './use-parley-session.js'

/** Props of {@link ParleyProvider}. */
export interface ParleyProviderProps {
  /** The tab's client, from `createParleyClient` (or any object of the same shape). */
  client: ParleyClientLike
  /**
   * Receives errors of calls the hooks make without anyone awaiting them (today: the typing
   * indicator of `useTyping`). Default: `globalThis.reportError` where it exists, so the error
   * reaches the console and `window.onerror` instead of vanishing.
   */
  onError?: (error: Error) => void
  children?: ReactNode
}

function defaultOnError(error: Error): void {
  // reportError is the platform's way to surface an error nobody awaits; it exists in browsers
  // and workers (https://developer.mozilla.org/docs/Web/API/reportError).
  const report = (globalThis as { reportError?: (error: unknown) => void }).reportError
  if (report !== undefined) report(error)
}

/**
 * Makes a Parley client available to the hooks below it. The provider does not own the client:
 * create it before rendering and `close()` it yourself when the app goes away.
 *
 * When another user signs in, everything below the provider remounts: no component keeps state
 * (or a subscription) of the previous user.
 */
export function ParleyProvider({ client, onError, children }: ParleyProviderProps): ReactNode {
  // The handler is read through a ref so that an inline `onError={(e) => …}` does not change the
  // context on every render (which would re-render every consumer and restart `useTyping`).
  const handler = useRef(onError)
  useEffect(() => {
    handler.current = onError
  }, [onError])
  const value = useMemo<ParleyContextValue>(() => {
    const errors = createErrorBus()
    return {
      client,
      errors,
      onError: (error) => {
        errors.report(error)
        ;(handler.current ?? defaultOnError)(error)
      },
    }
  }, [client])
  const auth = useAuthOf(client)
  const user = auth.status === 'signed-in' ? auth.user.id : ''
  // `.Provider` rather than React 19's `<Context value>` keeps React 18 (the peer range) working.
  return (
    <ParleyContext.Provider value={value}>
      <Fragment key={user}>{children}</Fragment>
    </ParleyContext.Provider>
  )
}
