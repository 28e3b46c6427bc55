import type { SupabaseClient } from '@supabase/supabase-js'

type StateCallbacks = Record<'open' | 'close' | 'error', [string, (...args: unknown[]) => void][]>

let nextRef = 0

/**
 * Calls `onOpen` / `onDown` when the client's Realtime socket opens / closes or fails. rt-js has
 * no public listener API for the socket; it exposes the Phoenix socket's `stateChangeCallbacks`
 * table (typed in RealtimeClient.d.ts), whose entries Phoenix calls on every open/close/error
 * and never reorders, so we add ours there under our own refs and remove them on release.
 * Returns the function that stops watching (idempotent).
 */
export function watchRealtimeConnection(
  client: SupabaseClient,
  onOpen: () => void,
  onDown: () => void,
): () => void {
  const table = client.realtime.stateChangeCallbacks as unknown as StateCallbacks | undefined
  if (table === undefined) return () => {}
  const ref = `parley-transport-${++nextRef}`
  table.open.push([ref, () => onOpen()])
  table.close.push([ref, () => onDown()])
  table.error.push([ref, () => onDown()])
  let active = true
  return () => {
    if (!active) return
    active = false
    // Phoenix's own `off` replaces the arrays by filtered copies too.
    for (const key of ['open', 'close', 'error'] as const)
      table[key] = table[key].filter(([entryRef]) => entryRef !== ref)
  }
}
