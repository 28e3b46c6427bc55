/**
 * Recency order of keys for the engine's hot set. `touch` moves a key to the most recent end;
 * `evictable` yields least recent keys first so the engine can skip pinned ones.
 */
export class RecencyList<K> {
  readonly #order = new Set<K>()

  /** Marks `key` as the most recently used. */
  touch(key: K): void {
    this.#order.delete(key)
    this.#order.add(key)
  }

  /** Forgets `key`. */
  delete(key: K): void {
    this.#order.delete(key)
  }

  /** Number of keys. */
  get size(): number {
    return this.#order.size
  }

  /** Keys from least to most recently used (a copy, safe to mutate the list while iterating). */
  leastRecentFirst(): K[] {
    return [...this.#order]
  }
}
