// One live value from the client (a subscription), shared by every hook that reads it and
// released when the last of them unmounts. Shaped for `useSyncExternalStore`.
import type { Unsubscribe } from '@parley/worker/client'
import { toError } from '../parley-react-error.js'

/** What a live hook reads: the latest value, whether it is still awaited, and the last failure. */
export interface LiveSnapshot<T> {
  /** The latest value; `undefined` until the first one arrives. */
  readonly value: T | undefined
  /** `true` until the first value (or an error) arrives. */
  readonly loading: boolean
  /** The failure of the initial load, cleared by the next live value. */
  readonly error: Error | undefined
}

/** How a {@link LiveStore} reaches the client. @internal */
export interface LiveSource<T> {
  /** Starts the live subscription (called when the first reader subscribes). */
  subscribe(listener: (value: T) => void): Unsubscribe
  /**
   * A one-shot read issued beside the subscription. The client's subscriptions have no error
   * channel (a failed subscribe is only logged by comlink), so this read is how a failure such as
   * an unreadable database or an unknown conversation reaches the UI.
   */
  load(): Promise<T>
}

/** Lifecycle callbacks of a {@link LiveStore}, used by the store cache. @internal */
export interface LiveStoreHooks {
  /** The first listener arrived and the subscription starts. */
  onActive?: () => void
  /** The last listener left and the subscription was dropped. */
  onIdle?: () => void
}

const LOADING: LiveSnapshot<never> = Object.freeze({
  value: undefined,
  loading: true,
  error: undefined,
})

/**
 * A reference-counted live value. Nothing happens until `subscribe` is called; the client
 * subscription is dropped when the last listener leaves. @internal
 */
export class LiveStore<T> {
  readonly #source: LiveSource<T>
  readonly #hooks: LiveStoreHooks
  readonly #listeners = new Set<() => void>()
  #snapshot: LiveSnapshot<T> = LOADING
  #unsubscribe: Unsubscribe | undefined
  /** Bumped on every (re)start so answers of an older subscription are ignored. */
  #generation = 0

  constructor(source: LiveSource<T>, hooks: LiveStoreHooks = {}) {
    this.#source = source
    this.#hooks = hooks
  }

  /** The current snapshot; the same object until something changes. */
  readonly getSnapshot = (): LiveSnapshot<T> => this.#snapshot

  /** Adds a listener; starts the client subscription for the first one. Returns its removal. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener)
    if (this.#listeners.size === 1) this.#start()
    let subscribed = true
    return () => {
      if (!subscribed) return
      subscribed = false
      this.#listeners.delete(listener)
      if (this.#listeners.size === 0) this.#stop()
    }
  }

  /** How many listeners hold the store (for tests and the cache). */
  get listenerCount(): number {
    return this.#listeners.size
  }

  #start(): void {
    const generation = ++this.#generation
    this.#hooks.onActive?.()
    let live = false
    try {
      this.#unsubscribe = this.#source.subscribe((value) => {
        if (generation !== this.#generation) return
        live = true
        this.#set({ value, loading: false, error: undefined })
      })
    } catch (error) {
      this.#set({ value: this.#snapshot.value, loading: false, error: toError(error) })
      return
    }
    this.#source.load().then(
      (value) => {
        // A live value is at least as new as the one-shot read; never go back to an older one.
        if (generation !== this.#generation || live) return
        this.#set({ value, loading: false, error: undefined })
      },
      (reason: unknown) => {
        if (generation !== this.#generation || live) return
        this.#set({ value: this.#snapshot.value, loading: false, error: toError(reason) })
      },
    )
  }

  #stop(): void {
    this.#generation++
    const unsubscribe = this.#unsubscribe
    this.#unsubscribe = undefined
    unsubscribe?.()
    // A value kept while nobody listens would go stale; the next reader starts from loading.
    this.#snapshot = LOADING
    this.#hooks.onIdle?.()
  }

  #set(snapshot: LiveSnapshot<T>): void {
    this.#snapshot = snapshot
    for (const listener of [...this.#listeners]) listener()
  }
}
