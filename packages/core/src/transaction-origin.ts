/**
 * Where a change to a conversation document came from; passed as the Yjs transaction origin and
 * reported with every event, so listeners can tell their own writes from arriving ones.
 *
 * - `local`: an intent of this device (send, edit, react, markRead…).
 * - `storage`: bytes loaded from this device's own storage.
 * - `remote`: bytes received from `peer` (another tab, another device, the server).
 */
export type TransactionOrigin =
  | { readonly source: 'local' }
  | { readonly source: 'storage' }
  | { readonly source: 'remote'; readonly peer: string }

/** The origin of every local write (one frozen object, so it can be compared by reference). */
export const LOCAL_ORIGIN: TransactionOrigin = Object.freeze({ source: 'local' })

/** The origin for bytes read back from local storage. */
export const STORAGE_ORIGIN: TransactionOrigin = Object.freeze({ source: 'storage' })

/** An origin for bytes received from `peer`. */
export function remoteOrigin(peer: string): TransactionOrigin {
  return Object.freeze({ source: 'remote', peer })
}

/** Whether `value` is a {@link TransactionOrigin}. */
export function isTransactionOrigin(value: unknown): value is TransactionOrigin {
  if (typeof value !== 'object' || value === null) return false
  const source = (value as { source?: unknown }).source
  if (source === 'local' || source === 'storage') return true
  return source === 'remote' && typeof (value as { peer?: unknown }).peer === 'string'
}
