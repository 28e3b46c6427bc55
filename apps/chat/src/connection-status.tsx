// The connection banner: online / offline / syncing, and how many changes wait for the server.
import { useSyncExternalStore } from 'react'
import { useSyncStatus } from '@parley/react'

function subscribeOnline(listener: () => void): () => void {
  window.addEventListener('online', listener)
  window.addEventListener('offline', listener)
  return () => {
    window.removeEventListener('online', listener)
    window.removeEventListener('offline', listener)
  }
}

const browserOnline = (): boolean => navigator.onLine

function label(state: 'online' | 'offline' | 'syncing', pending: number, failed: number): string {
  const waiting = pending === 1 ? '1 change waiting' : `${pending} changes waiting`
  const base =
    state === 'offline'
      ? pending > 0
        ? `Offline · ${waiting}`
        : 'Offline'
      : state === 'syncing'
        ? pending > 0
          ? `Syncing · ${waiting}`
          : 'Syncing…'
        : pending > 0
          ? `Online · ${waiting}`
          : 'Online'
  return failed > 0 ? `${base} · ${failed} failed` : base
}

/** The banner; `data-state` and `data-pending` are stable test hooks. */
export function ConnectionStatus() {
  const { status } = useSyncStatus()
  // The browser knows at once when the network is gone, while the engine may only notice when a
  // socket times out; "offline" from either side wins. Until the engine answered, say
  // "syncing": it is the honest "not known yet".
  const online = useSyncExternalStore(subscribeOnline, browserOnline, browserOnline)
  const state = !online ? 'offline' : (status?.state ?? 'syncing')
  const pending = status?.pending ?? 0
  const failed = status?.failed ?? 0
  return (
    <div
      className={`connection connection-${state}`}
      data-testid="connection-status"
      data-state={state}
      data-pending={pending}
      role="status"
      aria-live="polite"
    >
      <span className="connection-dot" aria-hidden="true" />
      <span className="connection-label">{label(state, pending, failed)}</span>
    </div>
  )
}
