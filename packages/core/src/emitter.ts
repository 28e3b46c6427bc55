/** A listener of event `E` of the events map `Events`. */
export type Listener<Events, E extends keyof Events> = (payload: Events[E]) => void

/**
 * A small typed event emitter: one payload object per event, kebab-case names declared in an
 * `XxxEvents` map. A listener that throws does not stop the others and never reaches the code
 * that emitted: its error goes to `onError`.
 */
export class Emitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<(payload: never) => void>>()
  readonly #onError: (error: unknown) => void

  /** @param onError - receives errors thrown by listeners. Default: rethrown on a microtask. */
  constructor(onError?: (error: unknown) => void) {
    this.#onError =
      onError ??
      ((error) =>
        queueMicrotask(() => {
          throw error
        }))
  }

  /** Subscribes `listener` to `event`; returns the function that unsubscribes it. */
  on<E extends keyof Events>(event: E, listener: Listener<Events, E>): () => void {
    let set = this.#listeners.get(event)
    if (!set) this.#listeners.set(event, (set = new Set()))
    set.add(listener as (payload: never) => void)
    return () => this.off(event, listener)
  }

  /** Unsubscribes `listener` from `event` (no effect if it was not subscribed). */
  off<E extends keyof Events>(event: E, listener: Listener<Events, E>): void {
    this.#listeners.get(event)?.delete(listener as (payload: never) => void)
  }

  /** Whether anything listens to `event` (lets callers skip building a payload). */
  has<E extends keyof Events>(event: E): boolean {
    const set = this.#listeners.get(event)
    return set !== undefined && set.size > 0
  }

  /** Calls every listener of `event` with `payload`, in subscription order. */
  emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    const set = this.#listeners.get(event)
    if (!set) return
    for (const listener of [...set]) {
      try {
        ;(listener as Listener<Events, E>)(payload)
      } catch (error) {
        this.#onError(error)
      }
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.#listeners.clear()
  }
}
