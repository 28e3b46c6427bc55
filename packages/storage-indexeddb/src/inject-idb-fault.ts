// Test helper: makes IndexedDB methods throw, to simulate a full disk or a lost connection in the
// contract suite and the adapter tests (Node on fake-indexeddb and real Chromium alike).

/** Options of {@link injectIdbFault}. */
export interface InjectIdbFaultOptions {
  /** How many calls fail before the methods work again. Default: every call until restored. */
  times?: number
}

/**
 * Replaces `methods` of `prototype` (e.g. `IDBObjectStore.prototype`, `['put', 'add']`) by
 * functions that throw `createError()`. Returns the idempotent function that restores them.
 */
export function injectIdbFault(
  prototype: object,
  methods: readonly string[],
  createError: () => Error,
  options: InjectIdbFaultOptions = {},
): () => void {
  const target = prototype as Record<string, unknown>
  const originals = new Map(methods.map((method) => [method, target[method]]))
  let remaining = options.times ?? Number.POSITIVE_INFINITY
  let restored = false
  const restore = () => {
    if (restored) return
    restored = true
    for (const [method, original] of originals) target[method] = original
  }
  for (const [method, original] of originals) {
    if (typeof original !== 'function') throw new TypeError(`${method} is not a method`)
    target[method] = function (this: unknown, ...args: unknown[]): unknown {
      if (remaining > 0) {
        remaining -= 1
        if (remaining === 0) restore()
        throw createError()
      }
      return (original as (...a: unknown[]) => unknown).apply(this, args)
    }
  }
  return restore
}
