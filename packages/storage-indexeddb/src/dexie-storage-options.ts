// The options of the Dexie adapter, in their own module so the adapter file holds only behaviour.
import type { StorageError } from '@parley/core/ports'

/** Options of {@link createDexieStorage}. */
export interface DexieStorageOptions {
  /** Database name. Default `'parley'`. */
  name?: string
  /** The IndexedDB factory. Default: the global `indexedDB` (inject fake-indexeddb in Node). */
  indexedDB?: IDBFactory
  /** The key-range class matching `indexedDB`. Default: the global `IDBKeyRange`. */
  IDBKeyRange?: typeof IDBKeyRange
  /**
   * Chromium transaction durability. `'default'` (the default) survives a killed tab or browser;
   * `'strict'` also survives an OS crash or power loss, at 10× or more the cost per transaction.
   */
  durability?: 'default' | 'strict' | 'relaxed'
  /**
   * How long an open blocked by another connection (an old tab that does not close on
   * `versionchange`) may wait before the adapter gives up and closes with `blocked`. Default 10 s.
   */
  blockedTimeoutMs?: number
  /** Receives asynchronous errors (the same as the `error` event). */
  onError?: (error: StorageError) => void
  /** Clock for `createdAt` fields the adapter sets. Default `Date.now`. */
  now?: () => number
  /** Device id factory for `getOrCreateDevice`. Default `crypto.randomUUID`. */
  createDeviceId?: () => string
}
