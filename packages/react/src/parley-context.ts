import { createContext } from 'react'
import type { ErrorBus } from './internal/error-bus.js'
import type { ParleyClientLike } from './parley-client-like.js'

/** What `ParleyProvider` puts in context. @internal */
export interface ParleyContextValue {
  readonly client: ParleyClientLike
  /** Receives non-fatal errors of fire-and-forget calls (typing indicators). */
  readonly onError: (error: Error) => void
  /** The newest of those errors, for `useParleyError`. */
  readonly errors: ErrorBus
}

/** @internal `undefined` outside a provider, which `useParley` turns into a typed error. */
export const ParleyContext = createContext<ParleyContextValue | undefined>(undefined)
