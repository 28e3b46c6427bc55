import { TransportError } from './transport-error.js'
import type { TransportEvents, TransportListener } from './transport.js'

/**
 * The event plumbing of a transport: typed listeners, and errors reported both to the `error`
 * event and to an injected `onError`. A listener that throws is reported as `listener-failed`
 * and does not stop the others. Shared by every transport implementation (BroadcastChannel,
 * Supabase, the in-memory double).
 */
export class TransportEmitter {
  readonly #listeners = new Map<keyof TransportEvents, Set<(payload: never) => void>>()
  readonly #onError: ((error: TransportError) => void) | undefined

  constructor(onError?: (error: TransportError) => void) {
    this.#onError = onError
  }

  on<E extends keyof TransportEvents>(event: E, listener: TransportListener<E>): () => void {
    let set = this.#listeners.get(event)
    if (!set) this.#listeners.set(event, (set = new Set()))
    set.add(listener as (payload: never) => void)
    return () => {
      set.delete(listener as (payload: never) => void)
    }
  }

  emit<E extends keyof TransportEvents>(event: E, payload: TransportEvents[E]): void {
    const set = this.#listeners.get(event)
    if (!set) return
    for (const listener of [...set]) {
      try {
        ;(listener as TransportListener<E>)(payload)
      } catch (cause) {
        const error = new TransportError('listener-failed', `a '${event}' listener threw`, {
          cause,
        })
        // An error listener that throws is reported to onError only, so it cannot recurse.
        if (event === 'error') this.#callOnError(error)
        else this.report(error)
      }
    }
  }

  /** Reports a non-fatal error to `onError` and to the `error` event. */
  report(error: TransportError): void {
    this.#callOnError(error)
    this.emit('error', { error })
  }

  /** Removes every listener. */
  clear(): void {
    this.#listeners.clear()
  }

  #callOnError(error: TransportError): void {
    if (!this.#onError) return
    try {
      this.#onError(error)
    } catch (thrown) {
      // onError is the last resort; if it throws, surface it as an uncaught error, not silence.
      queueMicrotask(() => {
        throw thrown
      })
    }
  }
}
