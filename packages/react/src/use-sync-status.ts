import { useMemo, useSyncExternalStore } from 'react'
import type { SyncStatus } from '@parley/core'
import { syncStatusStore } from './internal/store-cache.js'
import { useParley } from './use-parley.js'

/** What {@link useSyncStatus} returns. */
export interface SyncStatusResult {
  /**
   * Connectivity (`online`/`offline`/`syncing`), pending, unsaved and failed counts, and when
   * each conversation last synced; `undefined` until the first status arrives.
   */
  readonly status: SyncStatus | undefined
  /** `true` until the first status (or an error) arrives. */
  readonly loading: boolean
  /** Why the status could not be read; cleared by the next live status. */
  readonly error: Error | undefined
}

/** The engine's live sync status, for an offline banner or a "3 unsent" badge. */
export function useSyncStatus(): SyncStatusResult {
  const client = useParley()
  const store = useMemo(() => syncStatusStore(client), [client])
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot)
  return useMemo(
    () => ({ status: snapshot.value, loading: snapshot.loading, error: snapshot.error }),
    [snapshot],
  )
}
