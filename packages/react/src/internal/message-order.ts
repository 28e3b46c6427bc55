// The conversation order on the main thread: by (hlc, id), compared as strings, because stamps are
// encoded so that string order is clock order (DESIGN §2). Lists are merged, never re-sorted.
import type { MessageItem } from '@parley/core'

/** Orders two messages by (`hlc`, `id`). @internal */
export function compareMessages(a: MessageItem, b: MessageItem): number {
  if (a.hlc !== b.hlc) return a.hlc < b.hlc ? -1 : 1
  if (a.id !== b.id) return a.id < b.id ? -1 : 1
  return 0
}

/** `items` in order; the input is returned as a copy and sorted only if the host did not. @internal */
export function inOrder(items: readonly MessageItem[]): MessageItem[] {
  const copy = [...items]
  for (let i = 1; i < copy.length; i++) {
    if (compareMessages(copy[i - 1]!, copy[i]!) > 0) return copy.sort(compareMessages)
  }
  return copy
}

/**
 * Merges two ordered lists into one, each id once. Where both hold an id, `preferred` wins: it
 * holds the newer copy (an edit, a reaction, a status change). @internal
 */
export function mergeOrdered(
  base: readonly MessageItem[],
  preferred: readonly MessageItem[],
): MessageItem[] {
  const preferredIds = new Set(preferred.map((message) => message.id))
  const out: MessageItem[] = []
  let i = 0
  let j = 0
  while (i < base.length || j < preferred.length) {
    const a = base[i]
    if (a !== undefined && preferredIds.has(a.id)) {
      i++
      continue
    }
    const b = preferred[j]
    if (b === undefined || (a !== undefined && compareMessages(a, b) <= 0)) {
      out.push(a!)
      i++
    } else {
      out.push(b)
      j++
    }
  }
  return out
}
