// Deleting a user's local database (`signOut({ localData: 'wipe' })` through the host's
// `deleteStorage`). The engine closed its connection first, so nothing blocks the delete for
// long; a tab that still holds one (an old version of the app) makes it fail, not hang.
import { StorageError } from '@parley/core/ports'

/** Options of {@link deleteDexieStorage}. */
export interface DeleteDexieStorageOptions {
  /** The database name given to `createDexieStorage`. */
  name: string
  /** The IndexedDB factory. Default: the global `indexedDB`. */
  indexedDB?: IDBFactory
  /** Give up when another connection blocks the delete this long, ms. Default 10,000. */
  blockedTimeoutMs?: number
}

/** Deletes the database `name` with everything in it. Resolves once it is gone. */
export async function deleteDexieStorage(options: DeleteDexieStorageOptions): Promise<void> {
  const factory = options.indexedDB ?? globalThis.indexedDB
  const timeoutMs = options.blockedTimeoutMs ?? 10_000
  await new Promise<void>((resolve, reject) => {
    const request = factory.deleteDatabase(options.name)
    let timer: ReturnType<typeof setTimeout> | undefined
    request.onsuccess = () => {
      if (timer !== undefined) clearTimeout(timer)
      resolve()
    }
    request.onerror = () => {
      if (timer !== undefined) clearTimeout(timer)
      reject(
        new StorageError('unknown', `deleting ${options.name} failed`, { cause: request.error }),
      )
    }
    request.onblocked = () => {
      timer ??= setTimeout(
        () =>
          reject(
            new StorageError(
              'blocked',
              `deleting ${options.name} is blocked by an open connection`,
            ),
          ),
        timeoutMs,
      )
    }
  })
}
