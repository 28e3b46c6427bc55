// Display names for user ids, asked from the engine (`client.displayNames`) and cached for the
// tab's life. Names the device does not know yet are asked again when `revision` changes (the
// caller passes something that moves when new data arrived, e.g. the message count).
import { useEffect, useMemo, useState } from 'react'
import { useParley, type ParleyClientLike } from '@parley/react'

const caches = new WeakMap<ParleyClientLike, Map<string, string>>()

function cacheOf(client: ParleyClientLike): Map<string, string> {
  let cache = caches.get(client)
  if (cache === undefined) {
    cache = new Map()
    caches.set(client, cache)
  }
  // The local user's name is known without asking.
  const { user, displayName } = client.info
  if (user !== '' && displayName !== undefined && displayName !== '') cache.set(user, displayName)
  return cache
}

/** A fallback label for a user whose name is unknown: a short form of the id. */
export function shortUserLabel(userId: string): string {
  return `User ${userId.slice(0, 6)}`
}

/**
 * Maps user ids to display names. Ids without a known name are absent from the result (use
 * {@link shortUserLabel} as a fallback).
 */
export function useDisplayNames(
  userIds: readonly string[],
  revision: unknown = undefined,
): Readonly<Record<string, string>> {
  const client = useParley()
  const cache = cacheOf(client)
  const key = [...new Set(userIds)]
    .filter((id) => id !== '')
    .sort()
    .join(',')
  const [version, setVersion] = useState(0)

  useEffect(() => {
    const ids = key === '' ? [] : key.split(',')
    const missing = ids.filter((id) => !cache.has(id))
    if (missing.length === 0) return
    let active = true
    client.displayNames(missing).then(
      (names) => {
        let changed = false
        for (const [id, name] of Object.entries(names)) {
          if (name !== '' && cache.get(id) !== name) {
            cache.set(id, name)
            changed = true
          }
        }
        if (active && changed) setVersion((v) => v + 1)
      },
      (error: unknown) => console.warn('[parley] display names', error),
    )
    return () => {
      active = false
    }
  }, [client, cache, key, revision])

  return useMemo(() => {
    void version
    const names: Record<string, string> = {}
    for (const id of key === '' ? [] : key.split(',')) {
      const name = cache.get(id)
      if (name !== undefined) names[id] = name
    }
    return names
  }, [cache, key, version])
}
