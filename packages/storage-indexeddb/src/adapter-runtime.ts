// The lifecycle every IndexedDB adapter shares: closed state, in-flight tracking (so close() lets
// started calls finish), typed errors, one reconnect-and-retry on a lost connection, and events.
import { StorageError } from '@parley/core/ports'
import type { StorageAdapterEvents, StorageAdapterListener } from '@parley/core/ports'
import { toStorageError } from './to-storage-error.js'

/** Options of {@link createAdapterRuntime}. */
export interface AdapterRuntimeOptions {
  /** Reopens the database after a lost connection; the failed call is then retried once. */
  reconnect: () => Promise<void>
  /** Closes the database. Called once, after the calls in flight settled. */
  closeDatabase: () => Promise<void>
  /** Receives every asynchronous error, as the `error` event does. */
  onError?: ((error: StorageError) => void) | undefined
}

/** Options of {@link AdapterRuntime.run}. */
export interface RunOptions {
  /** Reconnect and retry once on `connection-lost`. Default true. */
  retry?: boolean
}

/** The shared lifecycle of an adapter, see {@link createAdapterRuntime}. */
export interface AdapterRuntime {
  /** True after `close()` or a fatal failure. */
  readonly closed: boolean
  /**
   * Runs one adapter call. `body` must start its transaction synchronously, so calls take effect
   * in call order. Rejects with `closed` once closed; maps every failure to a StorageError.
   */
  run<T>(operation: string, body: () => Promise<T>, runOptions?: RunOptions): Promise<T>
  /** Reports an asynchronous, non-fatal failure. */
  report(error: StorageError): void
  /** Reports a fatal failure and closes the adapter (calls in flight may still settle). */
  fail(error: StorageError): void
  /** Idempotent close; resolves after the calls in flight settled and the database closed. */
  close(): Promise<void>
  /** Subscribes to an event. */
  on<K extends keyof StorageAdapterEvents>(
    event: K,
    listener: StorageAdapterListener<K>,
  ): () => void
}

/** Creates the shared lifecycle of an adapter. */
export function createAdapterRuntime(options: AdapterRuntimeOptions): AdapterRuntime {
  const errorListeners = new Set<StorageAdapterListener<'error'>>()
  const closedListeners = new Set<StorageAdapterListener<'closed'>>()
  const inflight = new Set<Promise<unknown>>()
  let closed = false
  let closing: Promise<void> | undefined
  let fatal: StorageError | undefined

  function deliver<P>(listeners: Set<(payload: P) => void>, payload: P): void {
    for (const listener of [...listeners]) {
      try {
        listener(payload)
      } catch (error) {
        // A listener must not throw; rethrow outside the adapter so the bug stays visible.
        queueMicrotask(() => {
          throw error
        })
      }
    }
  }

  function report(error: StorageError): void {
    deliver(errorListeners, { error })
    options.onError?.(error)
  }

  async function attempt<T>(operation: string, body: () => Promise<T>, retry: boolean): Promise<T> {
    try {
      return await body()
    } catch (first) {
      let error = toStorageError(first, operation)
      if (retry && error.code === 'connection-lost' && !closed) {
        try {
          await options.reconnect()
          return await body()
        } catch (second) {
          error = toStorageError(second, operation)
          if (error.code === 'connection-lost') report(error)
        }
      }
      if (error.code === 'closed' && fatal !== undefined) {
        error = new StorageError(fatal.code, `${operation}: ${fatal.message}`, {
          cause: error,
          operation,
        })
      }
      throw error
    }
  }

  function shutDown(error: StorageError | undefined): Promise<void> {
    closed = true
    closing ??= (async () => {
      await Promise.allSettled([...inflight])
      try {
        await options.closeDatabase()
      } catch (cause) {
        report(toStorageError(cause, 'close'))
      }
      deliver(closedListeners, error === undefined ? {} : { error })
    })()
    return closing
  }

  return {
    get closed() {
      return closed
    },
    run<T>(operation: string, body: () => Promise<T>, runOptions: RunOptions = {}): Promise<T> {
      if (closed) {
        return Promise.reject(
          new StorageError('closed', `${operation}: storage is closed`, { operation }),
        )
      }
      const promise = attempt(operation, body, runOptions.retry ?? true)
      inflight.add(promise)
      const forget = () => {
        inflight.delete(promise)
      }
      promise.then(forget, forget)
      return promise
    },
    report,
    fail(error) {
      if (closed) return
      fatal = error
      report(error)
      void shutDown(error)
    },
    close() {
      return shutDown(undefined)
    },
    on(event, listener) {
      const set = (event === 'error' ? errorListeners : closedListeners) as Set<typeof listener>
      set.add(listener)
      return () => {
        set.delete(listener)
      }
    },
  }
}
