import type { HlcStamp, MessageId } from './ids.js'

/** What the order is keyed by: a message's send stamp, then its id as the tie-break. */
export interface Anchor {
  readonly h: HlcStamp
  readonly i: MessageId
}

/** Orders anchors by (`h`, `i`); both are plain strings, so this is total and deterministic. */
export function compareAnchors(a: Anchor, b: Anchor): number {
  if (a.h !== b.h) return a.h < b.h ? -1 : 1
  if (a.i !== b.i) return a.i < b.i ? -1 : 1
  return 0
}

/** Batches at least this large are sorted and merged in one pass instead of inserted one by one. */
const MERGE_THRESHOLD = 64

/**
 * An array of anchors kept sorted by (`h`, `i`), updated incrementally: binary search plus
 * `splice` for a few changes, sort-and-merge for a large batch (loading a snapshot). Holds the
 * anchor objects themselves (the records inside the Yjs document), so it costs one pointer per
 * message.
 */
export class SortedAnchors<T extends Anchor> {
  #items: T[] = []

  /** Number of anchors. */
  get length(): number {
    return this.#items.length
  }

  /** The anchor at `index`, or `undefined` past the ends. */
  at(index: number): T | undefined {
    return this.#items[index]
  }

  /** A copy of anchors `[start, end)`. */
  slice(start: number, end: number): T[] {
    return this.#items.slice(start, end)
  }

  /** Index of the first anchor that is not before `key` (insertion point of `key`). */
  lowerBound(key: Anchor): number {
    let lo = 0
    let hi = this.#items.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (compareAnchors(this.#items[mid] as T, key) < 0) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Index of the first anchor after `key`. */
  upperBound(key: Anchor): number {
    let lo = 0
    let hi = this.#items.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (compareAnchors(this.#items[mid] as T, key) <= 0) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Index of the first anchor whose stamp is after `stamp`. */
  firstAfterStamp(stamp: HlcStamp): number {
    let lo = 0
    let hi = this.#items.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((this.#items[mid] as T).h <= stamp) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Index of the anchor with the same key as `key`, or -1. */
  indexOf(key: Anchor): number {
    const index = this.lowerBound(key)
    const found = this.#items[index]
    return found !== undefined && compareAnchors(found, key) === 0 ? index : -1
  }

  /** Replaces the anchor with `next`'s key by `next` (same key); returns whether it was there. */
  replace(next: T): boolean {
    const index = this.indexOf(next)
    if (index < 0) return false
    this.#items[index] = next
    return true
  }

  /** Removes the anchor with `key`'s key; returns whether it was there. */
  remove(key: Anchor): boolean {
    const index = this.indexOf(key)
    if (index < 0) return false
    this.#items.splice(index, 1)
    return true
  }

  /** Inserts anchors (whose keys are not present yet). */
  insertMany(batch: readonly T[]): void {
    if (batch.length < MERGE_THRESHOLD) {
      for (const anchor of batch) {
        const items = this.#items
        const last = items[items.length - 1]
        // New messages almost always sort last; `push` avoids splice's O(n) path.
        if (last === undefined || compareAnchors(last, anchor) < 0) items.push(anchor)
        else items.splice(this.lowerBound(anchor), 0, anchor)
      }
      return
    }
    const sorted = [...batch].sort(compareAnchors)
    const old = this.#items
    if (old.length === 0) {
      this.#items = sorted
      return
    }
    // Appending newer messages is the common case (a catch-up): no merge needed.
    if (compareAnchors(old[old.length - 1] as T, sorted[0] as T) < 0) {
      for (const anchor of sorted) old.push(anchor)
      return
    }
    const merged: T[] = new Array<T>(old.length + sorted.length)
    let a = 0
    let b = 0
    let k = 0
    while (a < old.length && b < sorted.length) {
      merged[k++] =
        compareAnchors(old[a] as T, sorted[b] as T) <= 0 ? (old[a++] as T) : (sorted[b++] as T)
    }
    while (a < old.length) merged[k++] = old[a++] as T
    while (b < sorted.length) merged[k++] = sorted[b++] as T
    this.#items = merged
  }
}
