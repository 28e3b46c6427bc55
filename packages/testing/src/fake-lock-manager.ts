// An in-memory stand-in for the Web Locks API of one browser (`navigator.locks`), for Node tests
// of the worker host: exclusive locks, granted in request order, released when the callback's
// promise settles — like the browser's for one origin.

/** Exclusive Web Locks with FIFO waiters. Create one per simulated browser. */
export class FakeLockManager {
  readonly #queues = new Map<string, (() => void)[]>()
  readonly #held = new Set<string>()

  /** Like `navigator.locks.request(name, callback)`: runs `callback` once `name` is free. */
  request(name: string, callback: () => Promise<unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const run = (): void => {
        this.#held.add(name)
        callback()
          .then(resolve, reject)
          .finally(() => {
            this.#held.delete(name)
            this.#queues.get(name)?.shift()?.()
          })
      }
      if (!this.#held.has(name)) run()
      else this.#queues.set(name, [...(this.#queues.get(name) ?? []), run])
    })
  }

  /** Holds `name` until the returned function is called (what a tab does with its own lock). */
  hold(name: string): () => void {
    let release: () => void = () => undefined
    void this.request(name, () => new Promise<void>((resolve) => (release = resolve)))
    return () => release()
  }

  /** Whether `name` is held now. */
  isHeld(name: string): boolean {
    return this.#held.has(name)
  }
}
